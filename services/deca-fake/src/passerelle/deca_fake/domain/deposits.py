"""What the fake administration does with a deposit: a contract, then its attachments with their checksums,
then the closing call that answers *deposited* (with a registration number) or *not depositable* (with its
reason). Kept in memory: a fake for the local stack and the tests, not a register.

The rules are the few a deposit service checks on its own (it does not instruct the contract again):
- a contract is identified by its OPCO, the OPCO's file number and its revision; sending it again answers
  the deposit already open (a retry after a lost answer creates nothing twice);
- an attachment's checksum is a SHA-256 (64 hexadecimal characters);
- an apprenticeship contract needs its training agreement (convention de formation) among the attachments;
- the employer's SIRET is 14 digits and the contract has a start date;
- an amendment needs the contract it amends (an earlier revision of the same file) deposited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

SHA256 = re.compile(r"^[0-9a-f]{64}$")
SIRET = re.compile(r"^\d{14}$")

AWAITING, DEPOSITED, NOT_DEPOSITABLE = "en_attente_pieces", "depose", "non_deposable"


class DepositError(Exception):
    """A request the service refuses (the deposit itself is not judged): a French message and a code."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


class UnknownDeposit(DepositError):
    def __init__(self) -> None:
        super().__init__("depot_inconnu", "Aucun dépôt ne porte ce numéro.")


@dataclass
class Attachment:
    document_id: UUID
    document_type: str
    sha256: str


@dataclass
class Deposit:
    id: UUID
    opco_code: str
    file_number: str
    revision: int
    contract_type: str
    is_amendment: bool
    employer_siret: str | None
    start_date: date | None
    received_at: datetime
    attachments: dict[UUID, Attachment] = field(default_factory=dict)
    status: str = AWAITING
    number: str | None = None
    reason: str | None = None
    closed_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "depot_id": str(self.id),
            "statut": self.status,
            "numero": self.number,
            "motif": self.reason,
            "pieces": len(self.attachments),
            "recu_le": self.received_at.isoformat(),
            "clos_le": self.closed_at.isoformat() if self.closed_at else None,
        }


def _start_date(form: dict[str, Any]) -> date | None:
    raw = (form.get("contract") or {}).get("start_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


class DepositRegister:
    def __init__(self, first_number: int = 1, clock: Any = None) -> None:
        self._by_id: dict[UUID, Deposit] = {}
        self._by_key: dict[tuple[str, str, int], UUID] = {}
        self._next = first_number
        self._clock = clock or (lambda: datetime.now(UTC))

    def open(self, request: dict[str, Any]) -> tuple[Deposit, bool]:
        """The deposit of this contract revision: a new one (True), or the one already open for it."""
        opco_code = str(request.get("opco_code") or "").strip()
        file_number = str(request.get("numero_dossier") or "").strip()
        revision = request.get("revision")
        if not opco_code:
            raise DepositError("opco_absent", "L'OPCO déposant doit être indiqué.", "opco_code")
        if not file_number:
            raise DepositError(
                "numero_dossier_absent", "Le numéro de dossier de l'OPCO est obligatoire.", "numero_dossier"
            )
        if not isinstance(revision, int) or revision < 1:
            raise DepositError("revision_invalide", "La révision du contrat doit être un entier positif.", "revision")
        key = (opco_code, file_number, revision)
        if key in self._by_key:
            return self._by_id[self._by_key[key]], False
        form = request.get("contrat") or {}
        deposit = Deposit(
            id=uuid4(),
            opco_code=opco_code,
            file_number=file_number,
            revision=revision,
            contract_type=str(request.get("type_contrat") or ""),
            is_amendment=bool(request.get("avenant")),
            employer_siret=(form.get("employer") or {}).get("siret"),
            start_date=_start_date(form),
            received_at=self._clock(),
        )
        self._by_id[deposit.id] = deposit
        self._by_key[key] = deposit.id
        return deposit, True

    def get(self, deposit_id: UUID) -> Deposit:
        deposit = self._by_id.get(deposit_id)
        if deposit is None:
            raise UnknownDeposit()
        return deposit

    def attach(self, deposit_id: UUID, document_id: UUID, document_type: str, sha256: str) -> Deposit:
        deposit = self.get(deposit_id)
        if deposit.status != AWAITING:
            raise DepositError("depot_clos", "Ce dépôt est clos : il ne reçoit plus de pièces.")
        if not SHA256.match(sha256 or ""):
            raise DepositError("empreinte_invalide", "L'empreinte SHA-256 de la pièce est invalide.", "sha256")
        deposit.attachments[document_id] = Attachment(document_id, document_type, sha256)
        return deposit

    def close(self, deposit_id: UUID) -> Deposit:
        """Judge the deposit once its attachments are in; closing it again answers the same verdict."""
        deposit = self.get(deposit_id)
        if deposit.status != AWAITING:
            return deposit
        reason = self._refusal(deposit)
        deposit.closed_at = self._clock()
        if reason:
            deposit.status, deposit.reason = NOT_DEPOSITABLE, reason
        else:
            deposit.status = DEPOSITED
            deposit.number = f"DECA-{deposit.closed_at.year}-{self._next:06d}"
            self._next += 1
        return deposit

    def _refusal(self, deposit: Deposit) -> str | None:
        types = {a.document_type for a in deposit.attachments.values()}
        if deposit.contract_type == "apprentissage" and "convention_formation" not in types:
            return "La convention de formation n'est pas jointe au contrat d'apprentissage."
        if not SIRET.match(deposit.employer_siret or ""):
            return "Le SIRET de l'employeur est absent ou invalide."
        if deposit.start_date is None:
            return "La date de début d'exécution du contrat est absente."
        if deposit.is_amendment and not any(
            d.status == DEPOSITED
            and d.opco_code == deposit.opco_code
            and d.file_number == deposit.file_number
            and d.revision < deposit.revision
            for d in self._by_id.values()
        ):
            return "L'avenant porte sur un contrat qui n'a pas été déposé."
        return None
