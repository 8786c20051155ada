"""The administration's deposit service (DECA) behind the `Deca` port.

`HttpDeca` is the client over HTTP: the contract, then its attachments with their checksums, then the closing
call whose answer is the status (deposited with its number, or not depositable with its reason). The local
stack runs the separate fake service `services/deca-fake` behind it (its own process, port from the registry,
`OPCO_PROCESSING_DECA_URL` set by the native stack);
a client of the real service keeps this shape. An unreachable or failing service raises `Unavailable`: the
deposit step tries again on its next pass, and the service's idempotent contract call creates nothing twice.

`FakeDeca` is the in-process stand-in of unit and integration tests that run no DECA service.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx

from passerelle.libs.client import pool_limits, shared_ssl_context
from passerelle.libs.errors import Unavailable
from passerelle.opco_processing.domain.case import Deposit, ReviewCase


class FakeDeca:
    def __init__(self) -> None:
        self.deposited: list[tuple[UUID, list[str]]] = []

    async def deposit(self, case: ReviewCase, letter_document_id: UUID | None) -> Deposit:
        now = datetime.now(UTC)
        if not case.file_number:
            return Deposit(status="not_depositable", at=now, reason="Numéro de dossier OPCO absent.")
        checksums = sorted(str(d.get("sha256", "")) for d in case.current_revision.documents)
        self.deposited.append((case.id, checksums))
        digest = hashlib.sha256(f"{case.file_number}/{case.revision}".encode()).hexdigest()[:10].upper()
        return Deposit(status="deposited", at=now, number=f"DECA-{now.year}-{digest}")


class HttpDeca:
    def __init__(
        self, base_url: str, api_key: str, *, timeout: float = 20.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,
            transport=transport,
            verify=shared_ssl_context(),
            limits=pool_limits(),  # idle connections dropped before the server closes them (libs.client)
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable(
                "Le service de dépôt de l'administration (DECA) est injoignable.", "deca_unavailable"
            ) from exc
        if response.status_code >= 500 or response.status_code in (401, 403, 404, 409, 429):
            raise Unavailable(
                f"Le service de dépôt de l'administration (DECA) a répondu {response.status_code}.",
                "deca_unavailable",
                details={"path": path, "status": response.status_code},
            )
        return response

    async def deposit(self, case: ReviewCase, letter_document_id: UUID | None) -> Deposit:
        revision = case.current_revision
        opened = await self._call(
            "POST",
            "/depots",
            json={
                "opco_code": case.opco_code,
                "numero_dossier": case.file_number,
                "revision": revision.number,
                "type_contrat": case.contract_type,
                "avenant": revision.is_amendment,
                "contrat": revision.form,
                "courrier_accord": str(letter_document_id) if letter_document_id else None,
            },
        )
        if opened.status_code == 422:
            return self._refused(opened)
        answer = opened.json()
        if answer["statut"] != "en_attente_pieces":
            return self._verdict(answer)  # deposited before (the answer was lost): the verdict already given
        depot = answer["depot_id"]
        for document in revision.documents:
            if not document.get("sha256") or not document.get("document_id"):
                continue  # a document without its checksum is not an attachment the service accepts
            sent = await self._call(
                "PUT",
                f"/depots/{depot}/pieces/{document['document_id']}",
                json={"document_type": document.get("document_type", "autre"), "sha256": document["sha256"]},
            )
            if sent.status_code == 422:
                return self._refused(sent)
        return self._verdict((await self._call("POST", f"/depots/{depot}/cloture")).json())

    @staticmethod
    def _verdict(answer: dict[str, Any]) -> Deposit:
        now = datetime.now(UTC)
        if answer["statut"] == "depose":
            return Deposit(status="deposited", at=now, number=answer["numero"])
        return Deposit(status="not_depositable", at=now, reason=answer.get("motif") or "Refusé par l'administration.")

    @staticmethod
    def _refused(response: httpx.Response) -> Deposit:
        error = response.json().get("erreur") or {}
        return Deposit(
            status="not_depositable",
            at=datetime.now(UTC),
            reason=error.get("message") or "Refusé par l'administration.",
        )
