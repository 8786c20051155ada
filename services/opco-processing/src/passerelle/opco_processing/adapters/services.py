"""Clients of the other services, called with the machine identity."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from passerelle.libs.client import MachineToken, ServiceClient
from passerelle.libs.errors import Unavailable


class MachineIdentities:
    """The service's machine identities (one identity API client per OPCO), from the settings or from the file
    the demo seed writes (read when first needed: the seed runs after the service started)."""

    def __init__(self, identity_url: str, clients: dict[str, dict[str, str]], file: str | None = None) -> None:
        self._identity_url = identity_url
        self._file = Path(file) if file else None
        self._clients: dict[str, ServiceClient] = {}
        self._base_urls: dict[str, str] = {}
        self._tokens = {code: self._token(c) for code, c in clients.items()}

    def _token(self, credentials: dict[str, str]) -> MachineToken:
        return MachineToken(self._identity_url, credentials["client_id"], credentials["client_secret"])

    async def _load(self) -> None:
        if self._tokens or self._file is None:
            return
        raw = await asyncio.to_thread(lambda: json.loads(self._file.read_text()) if self._file.exists() else {})  # type: ignore[union-attr]
        self._tokens = {code: self._token(c) for code, c in raw.items()}

    async def client(self, base_url: str, opco_code: str | None = None) -> ServiceClient:
        await self._load()
        code = opco_code or next(iter(sorted(self._tokens)), None)
        if code is None or code not in self._tokens:
            raise Unavailable(
                f"Aucune identité machine n'est configurée pour l'OPCO {code or '(aucun)'}.", "no_machine_client"
            )
        key = f"{base_url}|{code}"
        if key not in self._clients:
            self._clients[key] = ServiceClient(base_url, self._tokens[code])
        return self._clients[key]


class HttpContractValidation:
    """The contracts service's stateless validation endpoint (its engine, as transmission runs it).

    Any of the service's machine identities may call it: it reads nothing but the posted form."""

    def __init__(self, base_url: str, identities: MachineIdentities) -> None:
        self._base_url = base_url
        self._identities = identities

    async def validate(self, form: dict[str, Any], documents: list[str]) -> list[dict[str, Any]]:
        client = await self._identities.client(self._base_url)
        response = await client.post(
            "/validation", json=form, params=[("documents", d) for d in documents] + [("for_transmission", "true")]
        )
        if response.status_code != 200:
            raise Unavailable(
                f"Validation refusée par le service des contrats ({response.status_code}).", "validation_failed"
            )
        return list(response.json()["findings"])

    async def validate_many(self, items: list[tuple[dict[str, Any], list[str]]]) -> list[list[dict[str, Any]]]:
        client = await self._identities.client(self._base_url)
        body = {"contracts": [{"form": form, "documents": documents} for form, documents in items]}
        response = await client.post("/validation/batch", json=body, params={"for_transmission": "true"})
        if response.status_code == 422:
            # One form the engine cannot read must not hold the others: each one alone, its own answer.
            return [await self.validate(form, documents) for form, documents in items]
        if response.status_code != 200:
            raise Unavailable(
                f"Validation refusée par le service des contrats ({response.status_code}).", "validation_failed"
            )
        return [list(report["findings"]) for report in response.json()["reports"]]


class HttpFieldLabels:
    """The contracts service's field registry (`GET /referentials/fields`), read once and kept for an hour."""

    def __init__(self, base_url: str, identities: MachineIdentities, ttl_seconds: float = 3600) -> None:
        self._base_url = base_url
        self._identities = identities
        self._ttl = ttl_seconds
        self._labels: dict[str, str] | None = None
        self._read_at = 0.0

    async def labels(self) -> Mapping[str, str]:
        if self._labels is not None and time.monotonic() - self._read_at < self._ttl:
            return self._labels
        client = await self._identities.client(self._base_url)
        try:
            response = await client.get("/referentials/fields")
        except Exception as exc:  # noqa: BLE001 - whatever the transport says, the letter waits
            raise Unavailable("Le service des contrats ne répond pas (libellés des champs).", "field_labels") from exc
        if response.status_code != 200:
            raise Unavailable(
                f"Libellés des champs refusés par le service des contrats ({response.status_code}).", "field_labels"
            )
        self._labels = {f["path"]: f["label"] for f in response.json()}
        self._read_at = time.monotonic()
        return self._labels


class HttpDocumentStore:
    """Stores letters on the contract through the documents service, as the OPCO's machine client."""

    def __init__(self, base_url: str, identities: MachineIdentities) -> None:
        self._base_url = base_url
        self._identities = identities

    async def store_letter(
        self, opco_code: str, contract_id: UUID, document_type: str, filename: str, content: bytes
    ) -> UUID:
        client = await self._identities.client(self._base_url, opco_code)
        sha = hashlib.sha256(content).hexdigest()
        # Stored already (a crash after the upload, before the case was marked)? The documents service answers
        # 412 with that version instead of storing the same bytes twice (If-None-Match: the content's SHA-256).
        response = await client.put(
            f"/contracts/{contract_id}/documents/{document_type}",
            content=content,
            headers={"Content-Type": "application/pdf", "X-Filename": quote(filename), "If-None-Match": f'"{sha}"'},
        )
        if response.status_code not in (201, 412):
            raise Unavailable(
                f"Le service des documents a refusé le courrier ({response.status_code}).",
                "letter_refused",
                details={"body": response.text[:500]},
            )
        return UUID(response.json()["id"])
