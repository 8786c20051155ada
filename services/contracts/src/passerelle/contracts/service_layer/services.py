"""The use cases of the contracts service: each loads a contract, checks who acts, changes it, saves it.

Use cases never commit: the HTTP request or the consumer batch does, so the state, the history and the
outbox events of one change are written in one transaction (or not at all).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from passerelle.contracts.domain.autofill import autofill_employer, autofill_training
from passerelle.contracts.domain.codes import ContractStatus, ContractType, KindCode
from passerelle.contracts.domain.contract import Contract
from passerelle.contracts.domain.events import ContractSaved
from passerelle.contracts.domain.facts import ValidationContext
from passerelle.contracts.domain.form import ContractForm, Employer, TrainingOrganisation
from passerelle.contracts.domain.identifiers import compact, siret_problem, uai_problem
from passerelle.contracts.domain.referentials import EstablishmentDirectory, QualificationDirectory
from passerelle.contracts.domain.rules import Finding, validate
from passerelle.contracts.domain.tabs import Tab
from passerelle.libs.auth import Principal
from passerelle.libs.errors import FieldError, Forbidden, InvalidInput
from passerelle.libs.logging import get_logger
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.events.identity import MembershipGranted, MembershipRevoked
from passerelle.schemas.events.opco import AnomalyRaised, AnomalyResolved, CaseOpened, ContractEngaged, ContractRefused

from . import access
from .errors import ConcurrentModification, domain_errors
from .forms import changed_paths, changed_tabs, parse_form, parse_tab
from .messages import history_entry, integration_event
from .ports import UnitOfWork
from .records import AttachedDocument, Colleague, ContractRecord, DashboardQuery, HistoryEntry, Side

log = get_logger(__name__)


@dataclass(frozen=True)
class Dependencies:
    """What the use cases need besides the unit of work (wired once in bootstrap)."""

    establishments: EstablishmentDirectory
    qualifications: QualificationDirectory
    default_opco_code: str = "OPCOMMERCE"
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(self.time_zone).date()


# --- commands -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateContract:
    contract_type: ContractType
    employer_siret: str | None = None
    training_uai: str | None = None
    training_siret: str | None = None
    side: Side | None = None
    form: dict[str, Any] | None = None


@dataclass(frozen=True)
class ProposeContract:
    contract_id: UUID
    employer_email: str
    employer_siret: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class SaveTab:
    contract_id: UUID
    tab: Tab
    content: Any
    expected_version: int | None = None


@dataclass(frozen=True)
class SaveForm:
    contract_id: UUID
    form: Any
    expected_version: int | None = None


@dataclass(frozen=True)
class RequestAmendment:
    contract_id: UUID
    kind_code: KindCode
    effective_date: date
    expected_version: int | None = None


@dataclass(frozen=True)
class TransferContract:
    contract_id: UUID
    to_account_id: UUID
    expected_version: int | None = None


@dataclass
class SaveResult:
    record: ContractRecord
    findings: list[Finding]
    changed: list[str]


# --- helpers --------------------------------------------------------------------------------------------------


def actor(principal: Principal) -> str:
    return str(principal.subject)


async def _load(uow: UnitOfWork, principal: Principal, contract_id: UUID) -> tuple[ContractRecord, frozenset[Side]]:
    record = await uow.contracts.get(contract_id)
    return record, access.require_party(principal, record)  # type: ignore[return-value]


async def _load_for_write(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, expected_version: int | None
) -> tuple[ContractRecord, frozenset[Side]]:
    record = await uow.contracts.get(contract_id, for_update=True)
    sides = access.require_party(principal, record)
    assert record is not None
    if expected_version is not None and expected_version != record.contract.version:
        raise ConcurrentModification()
    return record, sides


async def documents_context(
    uow: UnitOfWork, record: ContractRecord, deps: Dependencies, *, for_transmission: bool = False
) -> tuple[ValidationContext, list[AttachedDocument]]:
    documents = await uow.contracts.documents(record.id)
    types = frozenset(d.document_type for d in documents)
    return ValidationContext(documents=types, for_transmission=for_transmission, today=deps.today()), documents


async def _persist(
    uow: UnitOfWork,
    record: ContractRecord,
    deps: Dependencies,
    *,
    new: bool = False,
    documents: list[AttachedDocument] | None = None,
    changed: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Save the record, its history entries and the events it caused, in the current transaction."""
    events = record.contract.collect_events()
    record.updated_at = deps.now()
    if new:
        record.created_at = record.updated_at
        await uow.contracts.add(record)
    else:
        await uow.contracts.update(record)
    tabs = [tab.value for tab in changed_tabs(changed or [])]
    entries: list[HistoryEntry] = []
    for event in events:
        details = dict(extra or {})
        if isinstance(event, ContractSaved):
            details.update(changed=changed or [], tabs=tabs)
        entries.append(history_entry(record, event, **details))
        message = integration_event(record, event, documents=documents or [], tabs=tabs)
        if message is not None:
            uow.publish(message)
    await uow.contracts.add_history(entries)


def _identifier_errors(employer_siret: str | None, training_uai: str | None, training_siret: str | None) -> None:
    fields = []
    if employer_siret and siret_problem(employer_siret):
        fields.append(FieldError("employer_siret", "siret_invalid", "Le SIRET de l'employeur n'est pas valide."))
    if training_uai and uai_problem(training_uai):
        fields.append(FieldError("training_uai", "uai_invalid", "Le code UAI de l'organisme n'est pas valide."))
    if training_siret and siret_problem(training_siret):
        fields.append(FieldError("training_siret", "siret_invalid", "Le SIRET de l'organisme n'est pas valide."))
    if fields:
        raise InvalidInput(fields)


def _creator_side(principal: Principal, cmd: CreateContract) -> Side:
    employer = cmd.employer_siret is not None and compact(cmd.employer_siret) in principal.sirets()
    training = (cmd.training_uai is not None and compact(cmd.training_uai) in principal.uais()) or (
        cmd.training_siret is not None and compact(cmd.training_siret) in principal.training_sirets()
    )
    if employer and cmd.side in (Side.EMPLOYER, None):
        return Side.EMPLOYER
    if cmd.side in (Side.TRAINING, None) and training:
        return Side.TRAINING
    raise Forbidden(
        "Vous ne pouvez créer un contrat que pour un établissement employeur ou un organisme de formation "
        "dont vous êtes membre.",
        "contract_creation_not_allowed",
    )


def _check_reachable(principal: Principal, sides_before: frozenset[Side], record: ContractRecord) -> None:
    """A save may not take the contract away from the side that saves it."""
    after = access.sides_of(principal, record)
    if Side.EMPLOYER in sides_before and Side.EMPLOYER not in after:
        raise InvalidInput(
            [
                FieldError(
                    "employer.siret",
                    "employer_not_yours",
                    "Indiquez le SIRET de l'un de vos établissements : vous perdriez l'accès à ce contrat.",
                )
            ]
        )
    if Side.TRAINING in sides_before and Side.TRAINING not in after:
        raise InvalidInput(
            [
                FieldError(
                    "training.organisation",
                    "training_organisation_not_yours",
                    "Indiquez l'UAI ou le SIRET de votre organisme : vous perdriez l'accès à ce contrat.",
                )
            ]
        )


def _forbid_other_employer(principal: Principal, before: ContractForm, after: ContractForm) -> None:
    siret = after.employer.siret
    if siret != before.employer.siret and (siret is None or compact(siret) not in principal.sirets()):
        raise InvalidInput(
            [
                FieldError(
                    "employer.siret",
                    "employer_not_yours",
                    "Le contrat ne peut être rattaché qu'à l'un de vos établissements.",
                )
            ]
        )


def _autofill(form: ContractForm, deps: Dependencies) -> ContractForm:
    """Employer from its SIRET, training organisation from its UAI/SIRET, qualification from its RNCP code."""
    form = autofill_employer(form, deps.establishments)
    return autofill_training(form, deps.establishments, deps.qualifications)


# --- drafting -------------------------------------------------------------------------------------------------


async def create_contract(
    uow: UnitOfWork, principal: Principal, cmd: CreateContract, deps: Dependencies
) -> ContractRecord:
    """An employer starts a contract, or a training organisation pre-fills its part of one."""
    _identifier_errors(cmd.employer_siret, cmd.training_uai, cmd.training_siret)
    side = _creator_side(principal, cmd)
    form = parse_form(cmd.form) if cmd.form is not None else ContractForm()
    blank = ContractForm()
    if cmd.form is not None:
        tabs = set(changed_tabs(changed_paths(blank, form))) - {Tab.INTRODUCTION}
        access.require_tabs(frozenset({side}), side, tabs)
    updates: dict[str, Any] = {}
    if cmd.employer_siret:
        updates["employer"] = form.employer.model_copy(update={"siret": compact(cmd.employer_siret)})
    if cmd.training_uai or cmd.training_siret:
        organisation = form.training.organisation or TrainingOrganisation()
        organisation = organisation.model_copy(
            update={
                "uai": compact(cmd.training_uai) if cmd.training_uai else organisation.uai,
                "siret": compact(cmd.training_siret) if cmd.training_siret else organisation.siret,
            }
        )
        updates["training"] = form.training.model_copy(update={"organisation": organisation})
    form = form.model_copy(update=updates)
    form = await asyncio.to_thread(_autofill, form, deps)
    with domain_errors():
        contract = Contract.draft(
            id=uuid4(), contract_type=cmd.contract_type, owner_id=actor(principal), form=form, at=deps.now()
        )
    record = ContractRecord(
        contract=contract,
        created_by_side=side,
        opco_code=deps.default_opco_code,
        visible_to_employer=side == Side.EMPLOYER,
    )
    if not access.sides_of(principal, record):
        raise Forbidden("Vous ne seriez pas partie à ce contrat.", "contract_creation_not_allowed")
    await _persist(uow, record, deps, new=True)
    return record


async def propose_contract(
    uow: UnitOfWork, principal: Principal, cmd: ProposeContract, deps: Dependencies
) -> ContractRecord:
    """The training organisation sends its pre-filled contract to the employer's e-mail."""
    record, sides = await _load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    access.require_side(sides, Side.TRAINING, "proposer le contrat à l'employeur")
    contract = record.contract
    siret = compact(cmd.employer_siret) if cmd.employer_siret else contract.employer_siret
    if not siret:
        raise InvalidInput([FieldError("employer_siret", "missing", "Indiquez le SIRET de l'établissement employeur.")])
    _identifier_errors(siret, None, None)
    with domain_errors():
        if siret != contract.employer_siret:
            employer = (contract.form.employer or Employer()).model_copy(update={"siret": siret})
            addressed = contract.form.model_copy(update={"employer": employer})
            form = await asyncio.to_thread(autofill_employer, addressed, deps.establishments)
            contract.form = form  # the proposal addresses the employer; their own tabs stay theirs
        contract.propose(employer_email=cmd.employer_email, by=actor(principal), at=deps.now())
    record.visible_to_employer = True
    record.proposed_to_email = cmd.employer_email
    await _persist(uow, record, deps)
    return record


async def accept_proposal(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> ContractRecord:
    record, sides = await _load_for_write(uow, principal, contract_id, expected_version)
    access.require_side(sides, Side.EMPLOYER, "accepter la proposition")
    with domain_errors():
        record.contract.accept(by=actor(principal), at=deps.now())
    await _persist(uow, record, deps)
    return record


async def _save(
    uow: UnitOfWork,
    principal: Principal,
    record: ContractRecord,
    sides: frozenset[Side],
    form: ContractForm,
    deps: Dependencies,
) -> SaveResult:
    before = record.contract.form
    context, _ = await documents_context(uow, record, deps)
    with domain_errors():
        findings = record.contract.save(form, by=actor(principal), at=deps.now(), context=context)
    # Checked on the saved form (typed by the aggregate); a refusal rolls the whole request back.
    changed = changed_paths(before, record.contract.form)
    access.require_tabs(sides, record.created_by_side, set(changed_tabs(changed)))
    if Side.EMPLOYER in sides:
        # An employer may only re-attach the contract to one of its own establishments.
        _forbid_other_employer(principal, before, record.contract.form)
    if not changed:
        record.contract.collect_events()  # nothing changed: nothing to keep or tell
        return SaveResult(record, findings, [])
    _check_reachable(principal, sides, record)
    await _persist(uow, record, deps, changed=changed)
    return SaveResult(record, findings, changed)


async def save_tab(uow: UnitOfWork, principal: Principal, cmd: SaveTab, deps: Dependencies) -> SaveResult:
    """Save one tab, complete or not; returns the findings of that tab (nothing blocks a save)."""
    record, sides = await _load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    updates = parse_tab(cmd.tab, cmd.content)
    access.require_tabs(sides, record.created_by_side, {cmd.tab})
    result = await _save(uow, principal, record, sides, record.contract.form.model_copy(update=updates), deps)
    result.findings = [f for f in result.findings if f.tab == cmd.tab]
    return result


async def save_form(uow: UnitOfWork, principal: Principal, cmd: SaveForm, deps: Dependencies) -> SaveResult:
    """Save the whole form; each side may only change the tabs that are its own."""
    record, sides = await _load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    return await _save(uow, principal, record, sides, parse_form(cmd.form), deps)


# --- transmission and amendments ------------------------------------------------------------------------------


async def transmit_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> tuple[ContractRecord, list[Finding]]:
    """Validate everything; transmit (status transmis, `contract.transmitted` in the outbox) or refuse with every
    error (422, nothing changes)."""
    record, sides = await _load_for_write(uow, principal, contract_id, expected_version)
    access.require_side(sides, Side.EMPLOYER, "transmettre le contrat à l'OPCO")
    context, documents = await documents_context(uow, record, deps, for_transmission=True)
    with domain_errors():
        warnings = record.contract.transmit(context, by=actor(principal), at=deps.now())
    record.transmitted_at = deps.now()
    # A new transmission answers the anomalies: the OPCO closes the fixed ones and raises again what is not.
    record.anomalies = []
    await _persist(uow, record, deps, documents=documents, extra={"documents": [d.document_type for d in documents]})
    return record, warnings


async def request_amendment(
    uow: UnitOfWork, principal: Principal, cmd: RequestAmendment, deps: Dependencies
) -> ContractRecord:
    """After engagement, a modification request opens a new revision that follows the same path."""
    record, sides = await _load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    access.require_side(sides, Side.EMPLOYER, "demander une modification du contrat")
    with domain_errors():
        record.contract.open_amendment(
            kind_code=cmd.kind_code, effective_date=cmd.effective_date, by=actor(principal), at=deps.now()
        )
    record.anomalies = []
    await _persist(uow, record, deps)
    return record


# --- the dossier's life ---------------------------------------------------------------------------------------


async def transfer_contract(
    uow: UnitOfWork, principal: Principal, cmd: TransferContract, deps: Dependencies
) -> ContractRecord:
    """Hand the contract to a colleague of the same employer SIRET or training UAI/SIRET."""
    record, sides = await _load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    if not sides & {Side.EMPLOYER, Side.TRAINING}:
        access.require_side(sides, Side.EMPLOYER, "transférer le contrat")
    colleague = False
    for membership in await uow.contracts.memberships_of(cmd.to_account_id):
        if Side.EMPLOYER in sides and membership.organisation_kind == "employer":
            colleague = colleague or membership.siret == record.employer_siret
        if Side.TRAINING in sides and membership.organisation_kind == "training":
            colleague = colleague or bool(
                (membership.uai and membership.uai == record.training_uai)
                or (membership.siret and membership.siret == record.training_siret)
            )
    if not colleague:
        raise InvalidInput(
            [
                FieldError(
                    "to_account_id",
                    "not_a_colleague",
                    "Le contrat ne peut être transféré qu'à un membre du même établissement ou organisme.",
                )
            ]
        )
    with domain_errors():
        record.contract.transfer(to_owner_id=str(cmd.to_account_id), by=actor(principal), at=deps.now())
    await _persist(uow, record, deps)
    return record


async def archive_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> ContractRecord:
    record, sides = await _load_for_write(uow, principal, contract_id, expected_version)
    if not sides & {Side.EMPLOYER, Side.TRAINING}:
        access.require_side(sides, Side.EMPLOYER, "archiver le contrat")
    with domain_errors():
        record.contract.archive(by=actor(principal), at=deps.now())
    await _persist(uow, record, deps)
    return record


async def restore_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> ContractRecord:
    record, sides = await _load_for_write(uow, principal, contract_id, expected_version)
    if not sides & {Side.EMPLOYER, Side.TRAINING}:
        access.require_side(sides, Side.EMPLOYER, "désarchiver le contrat")
    with domain_errors():
        record.contract.restore(by=actor(principal), at=deps.now())
    await _persist(uow, record, deps)
    return record


async def delete_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> ContractRecord:
    """Only drafts never transmitted; by the side that created the contract, or by the employer."""
    record, sides = await _load_for_write(uow, principal, contract_id, expected_version)
    if record.created_by_side not in sides and Side.EMPLOYER not in sides:
        access.require_side(sides, record.created_by_side, "supprimer ce brouillon")
    with domain_errors():
        record.contract.delete(by=actor(principal), at=deps.now())
    await _persist(uow, record, deps)
    return record


# --- queries --------------------------------------------------------------------------------------------------


async def get_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID
) -> tuple[ContractRecord, frozenset[Side], list[AttachedDocument]]:
    record, sides = await _load(uow, principal, contract_id)
    return record, sides, await uow.contracts.documents(contract_id)


async def contract_findings(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, *, for_transmission: bool = True
) -> tuple[ContractRecord, list[Finding]]:
    """Every finding, as transmission would see it (or as saving does)."""
    record, _ = await _load(uow, principal, contract_id)
    context, _ = await documents_context(uow, record, deps, for_transmission=for_transmission)
    return record, validate(record.contract.form, context)


async def contract_history(uow: UnitOfWork, principal: Principal, contract_id: UUID) -> list[HistoryEntry]:
    await _load(uow, principal, contract_id)
    return await uow.contracts.history(contract_id)


def dashboard_query(principal: Principal, **filters: Any) -> DashboardQuery:
    return DashboardQuery(
        employer_sirets=frozenset(principal.sirets()),
        training_uais=frozenset(principal.uais()),
        training_sirets=frozenset(principal.training_sirets()),
        **filters,
    )


# --- what the OPCO and the other services tell us -------------------------------------------------------------


async def _record_for_case(uow: UnitOfWork, contract_id: UUID, revision: int, topic: str) -> ContractRecord | None:
    record = await uow.contracts.get(contract_id, for_update=True)
    if record is None:
        log.warning("event for an unknown contract ignored", topic=topic, contract_id=str(contract_id))
        return None
    contract = record.contract
    if revision != contract.transmitted_revision or contract.status != ContractStatus.TRANSMITTED:
        log.warning(
            "stale or out-of-order decision ignored",
            topic=topic,
            contract_id=str(contract_id),
            revision=revision,
            transmitted_revision=contract.transmitted_revision,
            status=contract.status.value,
        )
        return None
    return record


async def apply_anomaly(uow: UnitOfWork, event: AnomalyRaised, deps: Dependencies) -> ContractRecord | None:
    """The OPCO raised an anomaly on the transmitted revision: editable again, anomalies and letter kept."""
    record = await _record_for_case(uow, event.contract_id, event.revision, event.topic)
    if record is None:
        return None
    letter = str(event.letter_document_id) if event.letter_document_id else None
    record.contract.apply_anomaly(
        reasons=[a.message for a in event.anomalies], letter_document_id=letter, by=None, at=event.raised_at
    )
    record.anomalies = [a.model_dump(mode="json") for a in event.anomalies]
    record.anomaly_letter_document_id = event.letter_document_id
    await _persist(uow, record, deps, extra={"anomalies": record.anomalies, "case_id": str(event.case_id)})
    return record


async def resolve_anomalies(uow: UnitOfWork, event: AnomalyResolved, deps: Dependencies) -> ContractRecord | None:
    """The OPCO closed anomalies: they no longer show; with none left the contract is with the OPCO again."""
    record = await uow.contracts.get(event.contract_id, for_update=True)
    if record is None or event.revision != record.contract.transmitted_revision:
        return None
    closed = set(event.codes)
    record.anomalies = [a for a in record.anomalies if a.get("code") not in closed]
    record.contract.resolve_anomalies(codes=list(event.codes), remaining=len(record.anomalies), at=deps.now())
    await _persist(uow, record, deps, extra={"case_id": str(event.case_id)})
    return record


async def assign_opco(uow: UnitOfWork, event: CaseOpened, deps: Dependencies) -> ContractRecord | None:
    """opco-processing routed the contract to its competent OPCO (by the employer's IDCC): that OPCO's staff see it."""
    record = await uow.contracts.get(event.contract_id, for_update=True)
    if record is None or record.opco_code == event.opco_code:
        return None
    record.opco_code = event.opco_code
    await _persist(uow, record, deps, extra={"case_id": str(event.case_id)})
    return record


async def engage(uow: UnitOfWork, event: ContractEngaged, deps: Dependencies) -> ContractRecord | None:
    record = await _record_for_case(uow, event.contract_id, event.revision, event.topic)
    if record is None:
        return None
    letter = str(event.letter_document_id) if event.letter_document_id else None
    record.contract.engage(
        opco_file_number=event.opco_file_number, agreement_letter_document_id=letter, by=None, at=event.engaged_at
    )
    record.agreement_letter_document_id = event.letter_document_id
    record.anomalies = []
    await _persist(uow, record, deps, extra={"case_id": str(event.case_id)})
    return record


async def refuse(uow: UnitOfWork, event: ContractRefused, deps: Dependencies) -> ContractRecord | None:
    record = await _record_for_case(uow, event.contract_id, event.revision, event.topic)
    if record is None:
        return None
    record.contract.refuse(reason=event.reason, by=None, at=event.refused_at)
    record.refusal_reason = event.reason
    await _persist(uow, record, deps, extra={"case_id": str(event.case_id)})
    return record


async def record_document(uow: UnitOfWork, event: DocumentUploaded) -> bool:
    """Keep which documents are attached (the latest version of each type), so transmission sees them."""
    record = await uow.contracts.get(event.contract_id)
    if record is None:
        log.warning("document for an unknown contract ignored", contract_id=str(event.contract_id))
        return False
    document = AttachedDocument(
        contract_id=event.contract_id,
        document_type=event.document_type,
        document_id=event.document_id,
        version=event.version,
        sha256=event.sha256,
        filename=event.filename,
        uploaded_at=event.uploaded_at,
    )
    if not await uow.contracts.record_document(document):
        return False
    await uow.contracts.add_history(
        [
            HistoryEntry(
                contract_id=event.contract_id,
                at=event.uploaded_at,
                actor_id=str(event.uploaded_by) if event.uploaded_by else None,
                action="document_attached",
                revision=record.contract.revision,
                details={
                    "document_type": event.document_type,
                    "document_id": str(event.document_id),
                    "version": event.version,
                },
            )
        ]
    )
    return True


async def grant_membership(uow: UnitOfWork, event: MembershipGranted) -> None:
    await uow.contracts.add_member(
        Colleague(
            organisation_id=event.organisation_id,
            account_id=event.account_id,
            organisation_kind=event.organisation_kind,
            siret=event.siret,
            uai=event.uai,
        )
    )


async def revoke_membership(uow: UnitOfWork, event: MembershipRevoked) -> None:
    await uow.contracts.remove_member(event.organisation_id, event.account_id)
