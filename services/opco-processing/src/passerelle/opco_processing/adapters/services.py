"""Clients of the other services, called with the machine identity."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote
from uuid import UUID

from passerelle.libs.client import MachineToken, ServiceClient
from passerelle.libs.errors import Unavailable


class HttpContractValidation:
    """The contracts service's stateless validation endpoint (its engine, as transmission runs it).

    Any of the service's machine identities may call it: it reads nothing but the posted form."""

    def __init__(self, base_url: str, tokens: dict[str, MachineToken]) -> None:
        self._client = ServiceClient(base_url, next(iter(tokens.values()), None), timeout=10.0)

    async def validate(self, form: dict[str, Any], documents: list[str]) -> list[dict[str, Any]]:
        response = await self._client.post(
            "/validation", json=form, params=[("documents", d) for d in documents] + [("for_transmission", "true")]
        )
        if response.status_code != 200:
            raise Unavailable(
                f"Validation refusée par le service des contrats ({response.status_code}).", "validation_failed"
            )
        return list(response.json()["findings"])


class HttpDocumentStore:
    """Stores letters on the contract through the documents service, as the OPCO's machine client."""

    def __init__(self, base_url: str, tokens: dict[str, MachineToken]) -> None:
        self._clients = {code: ServiceClient(base_url, token) for code, token in tokens.items()}

    async def store_letter(
        self, opco_code: str, contract_id: UUID, document_type: str, filename: str, content: bytes
    ) -> UUID:
        client = self._clients.get(opco_code)
        if client is None:
            raise Unavailable(f"Aucune identité machine n'est configurée pour l'OPCO {opco_code}.", "no_machine_client")
        sha = hashlib.sha256(content).hexdigest()
        # Stored already (a crash after the upload, before the case was marked)? Then that one.
        listed = await client.get(f"/contracts/{contract_id}/documents")
        if listed.status_code == 200:
            for line in listed.json().get("documents", []):
                for version in line.get("versions", []):
                    if version["sha256"] == sha and version["document_type"] == document_type:
                        return UUID(version["id"])
        response = await client.put(
            f"/contracts/{contract_id}/documents/{document_type}",
            content=content,
            headers={"Content-Type": "application/pdf", "X-Filename": quote(filename)},
        )
        if response.status_code != 201:
            raise Unavailable(
                f"Le service des documents a refusé le courrier ({response.status_code}).",
                "letter_refused",
                details={"body": response.text[:500]},
            )
        return UUID(response.json()["id"])
