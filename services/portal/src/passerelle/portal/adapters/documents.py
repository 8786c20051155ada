"""Typed client of the documents service's API: a contract's documents, uploads, downloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from passerelle.portal.adapters.api import ApiError, ServiceClient

# The types a person chooses from when uploading (letters are the OPCO's; they arrive on their own).
UPLOADABLE_TYPES: tuple[tuple[str, str], ...] = (
    ("convention_formation", "Convention de formation"),
    ("convention_reduction_duree", "Convention de réduction de durée"),
    ("convention_mobilite", "Convention de mobilité"),
    ("cerfa_signe", "CERFA signé"),
    ("piece_justificative", "Pièce justificative"),
    ("autre", "Autre"),
)


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Document(Model):
    id: UUID
    document_type: str
    document_type_label: str
    version: int
    filename: str
    size: int
    media_type: str
    uploaded_at: str
    scan_verdict: str = ""


class DocumentLine(Model):
    document_type: str
    document_type_label: str
    current: Document
    versions: list[Document]


class DocumentsClient(ServiceClient):
    async def of_contract(self, token: str, contract_id: UUID) -> list[DocumentLine]:
        try:
            found = await self.json("GET", f"/contracts/{contract_id}/documents", token)
        except ApiError as error:
            if error.status == 404:  # the documents service has not heard of the contract yet
                return []
            raise
        return [DocumentLine.model_validate(line) for line in found["documents"]]

    async def upload(
        self, token: str, contract_id: UUID, document_type: str, filename: str, content: bytes, media_type: str
    ) -> Document:
        files = {"file": (filename, content, media_type or "application/octet-stream")}
        data = {"document_type": document_type}
        found = await self.json("POST", f"/contracts/{contract_id}/documents", token, data=data, files=files)
        return Document.model_validate(found)

    async def document(self, token: str, document_id: UUID) -> dict[str, Any]:
        return dict(await self.json("GET", f"/documents/{document_id}", token))

    async def content(self, token: str, document_id: UUID) -> tuple[dict[str, str], AsyncIterator[bytes]]:
        request = self.http.build_request(
            "GET", f"/documents/{document_id}/content", headers={"Authorization": f"Bearer {token}"}
        )
        response = await self.http.send(request, stream=True)
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise ApiError.of(response)
        headers = {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "content-disposition")}

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.aiter_bytes():
                    yield chunk
            finally:
                await response.aclose()

        return headers, chunks()
