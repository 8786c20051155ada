"""The `Contract` aggregate: its status lifecycle, its revisions, and the events it records.

    draft ──propose──> proposed ──accept──> draft ──transmit──> transmitted ──engage──> engaged
      ^                                       ^                   │                       │
      │                                       └─ (save) in_anomaly <── apply_anomaly      │
      └──────────────────────────── open_amendment (new revision) ────────────────────────┘
    transmitted ──refuse──> refused;  any ──archive──> archived ──restore──> previous;  draft ──delete──> deleted

Only `draft` and `in_anomaly` contracts can be edited; transmission validates the form and refuses with every
blocking finding; each transmission of an already transmitted revision opens the next revision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID

from .codes import AMENDMENT_KIND_CODES, ContractKind, ContractStatus, ContractType, KindCode
from .errors import ContractNotEditable, ContractTypeMismatch, InvalidAmendment, InvalidTransition
from .errors import TransmissionRefused as TransmissionRefused
from .events import (
    AmendmentOpened,
    AnomaliesResolved,
    AnomalyApplied,
    ContractAccepted,
    ContractArchived,
    ContractDeclined,
    ContractDeleted,
    ContractDrafted,
    ContractEngaged,
    ContractEvent,
    ContractProposed,
    ContractRefused,
    ContractRestored,
    ContractSaved,
    ContractTransferred,
    ContractTransmitted,
)
from .facts import ValidationContext
from .form import ContractForm
from .rules import Finding, Severity, validate

EDITABLE_STATUSES = frozenset({ContractStatus.DRAFT, ContractStatus.IN_ANOMALY})
TRANSMITTABLE_STATUSES = EDITABLE_STATUSES


def _now(at: datetime | None) -> datetime:
    return at or datetime.now(UTC)


class Contract:
    """One contract file: its form, status, revision and the events not yet published."""

    def __init__(
        self,
        *,
        id: UUID,
        contract_type: ContractType,
        form: ContractForm,
        owner_id: str,
        status: ContractStatus = ContractStatus.DRAFT,
        revision: int = 1,
        transmitted_revision: int = 0,
        amendment_number: int = 0,
        opco_file_number: str | None = None,
        status_before_archive: ContractStatus | None = None,
        version: int = 0,
    ) -> None:
        self.id = id
        self.type = contract_type
        self.form = form
        self.owner_id = owner_id
        self.status = status
        self.revision = revision
        self.transmitted_revision = transmitted_revision
        self.amendment_number = amendment_number
        self.opco_file_number = opco_file_number
        self.status_before_archive = status_before_archive
        self.version = version  # optimistic-locking counter kept by the repository
        self.events: list[ContractEvent] = []

    # --- creation ------------------------------------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        *,
        id: UUID,
        contract_type: ContractType,
        owner_id: str,
        form: ContractForm | None = None,
        at: datetime | None = None,
    ) -> Contract:
        """A new contract being written (by an employer, or by a training organisation before proposing it)."""
        form = cls._typed(form or ContractForm(), contract_type)
        contract = cls(id=id, contract_type=contract_type, form=form, owner_id=owner_id)
        contract._record(ContractDrafted, at, owner_id, contract_type=contract_type)
        return contract

    @staticmethod
    def _typed(form: ContractForm, contract_type: ContractType) -> ContractForm:
        declared = form.introduction.contract_type
        if declared is None:
            introduction = form.introduction.model_copy(update={"contract_type": contract_type})
            return form.model_copy(update={"introduction": introduction})
        if declared != contract_type:
            raise ContractTypeMismatch(
                f"Ce contrat est un {contract_type.label.lower()} : son type ne peut pas être changé.",
                field="introduction.contract_type",
            )
        return form

    # --- queries ---------------------------------------------------------------------------------------------

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def employer_siret(self) -> str | None:
        return self.form.employer.siret

    @property
    def training_siret(self) -> str | None:
        organisation = self.form.training.organisation
        return organisation.siret if organisation else None

    @property
    def training_uai(self) -> str | None:
        organisation = self.form.training.organisation
        return organisation.uai if organisation else None

    def findings(self, context: ValidationContext | None = None) -> list[Finding]:
        return validate(self.form, context)

    def collect_events(self) -> list[ContractEvent]:
        events, self.events = self.events, []
        return events

    # --- commands --------------------------------------------------------------------------------------------

    def propose(self, *, employer_email: str, by: str, at: datetime | None = None) -> None:
        """The training organisation hands its pre-filled contract to the employer."""
        self._require(ContractStatus.DRAFT, "proposer ce contrat à l'employeur")
        if self.transmitted_revision or self.amendment_number:
            raise InvalidTransition("Un contrat déjà transmis ne peut plus être proposé à un employeur.")
        self.status = ContractStatus.PROPOSED
        self._record(ContractProposed, at, by, employer_email=employer_email, employer_siret=self.employer_siret)

    def accept(self, *, by: str, at: datetime | None = None) -> None:
        """The employer accepts the proposal: it opens the contract for reading and completing, nothing more."""
        self._require(ContractStatus.PROPOSED, "accepter cette proposition")
        self.status = ContractStatus.DRAFT
        self._record(ContractAccepted, at, by)

    def decline(self, *, by: str, reason: str | None = None, at: datetime | None = None) -> None:
        """The employer declines the proposal: the draft is the training organisation's alone again."""
        self._require(ContractStatus.PROPOSED, "refuser cette proposition")
        self.status = ContractStatus.DRAFT
        self._record(ContractDeclined, at, by, reason=reason)

    def save(
        self,
        form: ContractForm,
        *,
        by: str,
        at: datetime | None = None,
        context: ValidationContext | None = None,
    ) -> list[Finding]:
        """Replace the form (draft or in anomaly only); returns the current findings, which never block saving."""
        if not self.is_editable:
            raise ContractNotEditable(
                f"Le contrat est « {self.status.label} » : il ne peut pas être modifié."
                + (" Créez une demande de modification." if self.status == ContractStatus.ENGAGED else "")
            )
        form = self._typed(form, self.type)
        if self.amendment_number and form.introduction.contract_kind != ContractKind.AMENDMENT:
            raise InvalidAmendment(
                "Ce contrat est un avenant : son type doit rester « avenant ».", field="introduction.contract_kind"
            )
        self.form = form
        self._record(ContractSaved, at, by, revision=self.revision)
        return validate(form, context)

    def transmit(self, context: ValidationContext, *, by: str, at: datetime | None = None) -> list[Finding]:
        """Send the contract to the OPCO if nothing blocks; returns the remaining warnings.

        Raises `TransmissionRefused` with every blocking finding otherwise (the status does not change).
        """
        if self.status not in TRANSMITTABLE_STATUSES:
            raise InvalidTransition(f"Le contrat est « {self.status.label} » : il ne peut pas être transmis.")
        findings = validate(self.form, replace(context, for_transmission=True))
        errors = [finding for finding in findings if finding.severity == Severity.ERROR]
        warnings = [finding for finding in findings if finding.severity != Severity.ERROR]
        if errors:
            raise TransmissionRefused(errors, warnings)
        if self.transmitted_revision == self.revision:
            self.revision += 1
        self.transmitted_revision = self.revision
        self.status = ContractStatus.TRANSMITTED
        self._record(
            ContractTransmitted,
            at,
            by,
            revision=self.revision,
            amendment_number=self.amendment_number,
            warnings=len(warnings),
        )
        return warnings

    @property
    def awaits_decision(self) -> bool:
        """Transmitted and not decided yet, archived or not: an OPCO decision is expected and must be applied."""
        return self.status == ContractStatus.TRANSMITTED or (
            self.status == ContractStatus.ARCHIVED and self.status_before_archive == ContractStatus.TRANSMITTED
        )

    @property
    def phase(self) -> ContractStatus:
        """The status of the contract's file, archived or not (an archived contract keeps it beside the flag)."""
        if self.status == ContractStatus.ARCHIVED and self.status_before_archive is not None:
            return self.status_before_archive
        return self.status

    def _decide(self, status: ContractStatus, action: str) -> None:
        """Apply an OPCO decision; on a contract archived while transmitted the decision is kept beside the
        archive flag (shown when restored), never dropped."""
        if not self.awaits_decision:
            raise InvalidTransition(f"Le contrat est « {self.status.label} » : impossible de {action}.")
        if self.status == ContractStatus.ARCHIVED:
            self.status_before_archive = status
        else:
            self.status = status

    def apply_anomaly(
        self, *, reasons: list[str], letter_document_id: str | None, by: str | None, at: datetime | None = None
    ) -> None:
        """The OPCO found an anomaly: the contract can be corrected and transmitted again."""
        self._decide(ContractStatus.IN_ANOMALY, "mettre ce contrat en anomalie")
        self._record(AnomalyApplied, at, by, reasons=tuple(reasons), letter_document_id=letter_document_id)

    def resolve_anomalies(self, *, codes: list[str], remaining: int, at: datetime | None = None) -> None:
        """The OPCO closed anomalies (a missing document received); none left: the file is with the OPCO again."""
        resumed = self.phase == ContractStatus.IN_ANOMALY and remaining == 0
        if resumed and self.status == ContractStatus.ARCHIVED:
            self.status_before_archive = ContractStatus.TRANSMITTED
        elif resumed:
            self.status = ContractStatus.TRANSMITTED
        self._record(AnomaliesResolved, at, None, codes=tuple(codes), resumed=resumed)

    def engage(
        self,
        *,
        opco_file_number: str,
        agreement_letter_document_id: str | None,
        by: str | None,
        at: datetime | None = None,
    ) -> None:
        """The OPCO found the contract compliant and engaged its funding."""
        if not opco_file_number.strip():
            raise InvalidTransition("Le numéro de dossier de l'OPCO est obligatoire pour engager le contrat.")
        self._decide(ContractStatus.ENGAGED, "engager ce contrat")
        self.opco_file_number = self.opco_file_number or opco_file_number.strip()
        self._record(
            ContractEngaged,
            at,
            by,
            opco_file_number=self.opco_file_number,
            agreement_letter_document_id=agreement_letter_document_id,
        )

    def refuse(self, *, reason: str, by: str | None, at: datetime | None = None) -> None:
        self._decide(ContractStatus.REFUSED, "refuser ce contrat")
        self._record(ContractRefused, at, by, reason=reason)

    def open_amendment(self, *, kind_code: KindCode, effective_date: date, by: str, at: datetime | None = None) -> None:
        """A modification request after engagement: a new editable revision of the contract, kind 31 to 38."""
        self._require(ContractStatus.ENGAGED, "créer une demande de modification")
        kind_code = KindCode(kind_code)  # type: ignore[call-arg]  # looked up by value: no label needed
        if kind_code not in AMENDMENT_KIND_CODES:
            raise InvalidAmendment(
                "Une demande de modification porte un type d'avenant entre 31 et 38.", field="contract.kind_code"
            )
        previous_number = self.opco_file_number or self.form.contract.previous_contract_number
        if not previous_number:
            raise InvalidAmendment(
                "Le numéro du contrat initial est nécessaire pour un avenant.",
                field="contract.previous_contract_number",
            )
        terms = self.form.contract.model_copy(
            update={
                "kind_code": kind_code,
                "previous_contract_number": previous_number,
                "amendment_effective_date": effective_date,
            }
        )
        introduction = self.form.introduction.model_copy(update={"contract_kind": ContractKind.AMENDMENT})
        self.form = self.form.model_copy(update={"contract": terms, "introduction": introduction})
        self.amendment_number += 1
        self.revision += 1
        self.status = ContractStatus.DRAFT
        self._record(
            AmendmentOpened,
            at,
            by,
            amendment_number=self.amendment_number,
            revision=self.revision,
            kind_code=kind_code,
            effective_date=effective_date,
        )

    def archive(self, *, by: str, at: datetime | None = None) -> None:
        if self.status in (ContractStatus.ARCHIVED, ContractStatus.DELETED):
            raise InvalidTransition(f"Le contrat est « {self.status.label} » : il ne peut pas être archivé.")
        if self.status == ContractStatus.TRANSMITTED:
            # The OPCO's decision is awaited: archiving now would hide it from the people who must act on it.
            raise InvalidTransition(
                "Le contrat est transmis à l'OPCO et attend sa décision : il pourra être archivé une fois la "
                "décision reçue."
            )
        self.status_before_archive = self.status
        self.status = ContractStatus.ARCHIVED
        self._record(ContractArchived, at, by, previous_status=self.status_before_archive)

    def restore(self, *, by: str, at: datetime | None = None) -> None:
        self._require(ContractStatus.ARCHIVED, "désarchiver ce contrat")
        self.status = self.status_before_archive or ContractStatus.DRAFT
        self.status_before_archive = None
        self._record(ContractRestored, at, by, status=self.status)

    def delete(self, *, by: str, at: datetime | None = None) -> None:
        """Only a contract that was never transmitted can be deleted."""
        if self.status not in (ContractStatus.DRAFT, ContractStatus.PROPOSED) or self.transmitted_revision:
            raise InvalidTransition("Seul un contrat en cours de saisie, jamais transmis, peut être supprimé.")
        self.status = ContractStatus.DELETED
        self._record(ContractDeleted, at, by)

    def transfer(
        self, *, to_owner_id: str, by: str, at: datetime | None = None, from_owner_id: str | None = None
    ) -> None:
        """Hand the contract to a colleague of the same SIRET or UAI (checked by the service layer).

        `from_owner_id` is the person in charge on the side that transfers (each side has its own); the
        contract's `owner_id` (the creating side's person in charge) changes only when it is that person.
        """
        if self.status == ContractStatus.DELETED:
            raise InvalidTransition("Un contrat supprimé ne peut pas être transféré.")
        previous = from_owner_id if from_owner_id is not None else self.owner_id
        if to_owner_id == previous:
            raise InvalidTransition("Le contrat appartient déjà à cette personne.")
        if previous == self.owner_id:
            self.owner_id = to_owner_id
        self._record(ContractTransferred, at, by, from_owner_id=previous, to_owner_id=to_owner_id)

    # --- internals ---------------------------------------------------------------------------------------------

    def _require(self, status: ContractStatus, action: str) -> None:
        if self.status != status:
            raise InvalidTransition(f"Le contrat est « {self.status.label} » : impossible de {action}.")

    def _record(self, event_type: type[ContractEvent], at: datetime | None, by: str | None, **data) -> None:
        self.events.append(event_type(contract_id=self.id, occurred_at=_now(at), actor_id=by, **data))
