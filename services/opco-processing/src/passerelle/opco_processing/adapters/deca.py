"""The administration's deposit service (DECA) behind the `Deca` port.

`FakeDeca` is the local stack's and the tests' stand-in: it accepts a complete engaged contract and gives a
registration number derived from the file number, and refuses one without a file number. A real client
implements the same port (contract, then attachments with checksums, then the returned status).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from uuid import UUID

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
