"""Clients of the other services, called with the machine identity."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from .machine_tokens import MachineTokens


class HttpContractValidation:
    """The contracts service's stateless validation endpoint (its engine, as transmission runs it)."""

    def __init__(self, base_url: str, tokens: MachineTokens, timeout: float = 10.0) -> None:
        self._url = base_url.rstrip("/") + "/validation"
        self._tokens = tokens
        self._client = httpx.AsyncClient(timeout=timeout)

    async def validate(self, form: dict[str, Any], documents: list[str]) -> list[dict[str, Any]]:
        token = await self._tokens.token()
        response = await self._client.post(
            self._url,
            json=form,
            params=[("documents", d) for d in documents] + [("for_transmission", "true")],
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        return list(response.json()["findings"])

    async def close(self) -> None:
        await self._client.aclose()


class HttpDocumentStore:
    """Stores letters on the contract through the documents service, as the OPCO's machine client."""

    def __init__(self, base_url: str, tokens: MachineTokens, timeout: float = 30.0) -> None:
        self._base = base_url.rstrip("/")
        self._tokens = tokens
        self._client = httpx.AsyncClient(timeout=timeout)

    async def _headers(self, opco_code: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self._tokens.token(opco_code)}"}

    async def store_letter(
        self, opco_code: str, contract_id: UUID, document_type: str, filename: str, content: bytes
    ) -> UUID:
        sha = hashlib.sha256(content).hexdigest()
        headers = await self._headers(opco_code)
        # Stored already (a crash after the upload, before the case was marked)? Then that one.
        listed = await self._client.get(f"{self._base}/contracts/{contract_id}/documents", headers=headers)
        if listed.status_code == 200:
            for line in listed.json().get("documents", []):
                for version in line.get("versions", []):
                    if version["sha256"] == sha and version["document_type"] == document_type:
                        return UUID(version["id"])
        response = await self._client.put(
            f"{self._base}/contracts/{contract_id}/documents/{document_type}",
            content=content,
            headers={**headers, "Content-Type": "application/pdf", "X-Filename": quote(filename)},
        )
        response.raise_for_status()
        return UUID(response.json()["id"])

    async def close(self) -> None:
        await self._client.aclose()
