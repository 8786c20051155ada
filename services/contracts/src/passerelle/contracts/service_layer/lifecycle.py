"""A contract's life after drafting: transmission to the OPCO, the OPCO's decisions, amendments, transfer,
archive, restore, deletion of a draft."""

from __future__ import annotations

from uuid import UUID

from passerelle.contracts.domain.codes import ContractStatus
from passerelle.contracts.domain.rules import Finding
from passerelle.libs.access import Action, Side
from passerelle.libs.auth import Principal
from passerelle.libs.errors import FieldError, InvalidInput
from passerelle.libs.logging import get_logger
from passerelle.libs.revisions import NotYetApplicable
from passerelle.schemas.events.opco import AnomalyRaised, AnomalyResolved, CaseOpened, ContractEngaged, ContractRefused

from . import access
from .commands import RequestAmendment, TransferContract
from .common import actor, documents_context, load_for_write, persist
from .context import Dependencies
from .errors import SideNotAllowed
from .ports import UnitOfWork
from .records import ContractRecord

log = get_logger(__name__)


async def transmit_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> tuple[ContractRecord, list[Finding]]:
    """Validate everything; transmit (status transmis, `contract.transmitted` in the outbox) or refuse with every
    error (422, nothing changes)."""
    record, sides = await load_for_write(uow, principal, contract_id, expected_version)
    access.require_side(sides, Side.EMPLOYER, "transmettre le contrat à l'OPCO")
    access.require_not_private(record, "le transmettre à l'OPCO")
    access.require_right(principal, record, Side.EMPLOYER, Action.TRANSMIT)
    context, documents = await documents_context(uow, record, deps, for_transmission=True)
    warnings = record.contract.transmit(context, by=actor(principal), at=deps.now())
    record.transmitted_at = deps.now()
    # The OPCO of the employer's branch (by its IDCC) reviews it; opco-processing routes by the same table.
    record.opco_code = deps.opco_for(record.contract.form.employer.idcc)
    # A new transmission answers the anomalies: the OPCO closes the fixed ones and raises again what is not.
    record.anomalies = []
    await persist(uow, record, deps, documents=documents, extra={"documents": [d.document_type for d in documents]})
    return record, warnings


async def request_amendment(
    uow: UnitOfWork, principal: Principal, cmd: RequestAmendment, deps: Dependencies
) -> ContractRecord:
    """After engagement, a modification request opens a new revision that follows the same path."""
    record, sides = await load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    access.require_side(sides, Side.EMPLOYER, "demander une modification du contrat")
    access.require_right(principal, record, Side.EMPLOYER, Action.AMEND)
    record.contract.open_amendment(
        kind_code=cmd.kind_code, effective_date=cmd.effective_date, by=actor(principal), at=deps.now()
    )
    record.anomalies = []
    await persist(uow, record, deps)
    return record


async def transfer_contract(
    uow: UnitOfWork, principal: Principal, cmd: TransferContract, deps: Dependencies
) -> ContractRecord:
    """Hand the contract to a colleague of the same employer SIRET or training UAI/SIRET: each side transfers its
    own person in charge, never the other side's."""
    record, sides = await load_for_write(uow, principal, cmd.contract_id, cmd.expected_version)
    if not sides & {Side.EMPLOYER, Side.TRAINING}:
        access.require_side(sides, Side.EMPLOYER, "transférer le contrat")
    access.require_not_private(record, "le transférer à un collègue")
    side: Side | None = None
    for membership in await uow.contracts.memberships_of(cmd.to_account_id):
        employer_colleague = membership.organisation_kind == "employer" and membership.siret == record.employer_siret
        training_colleague = membership.organisation_kind == "training" and bool(
            (membership.uai and membership.uai == record.training_uai)
            or (membership.siret and membership.siret == record.training_siret)
        )
        if Side.EMPLOYER in sides and employer_colleague:
            side = Side.EMPLOYER
        elif side is None and Side.TRAINING in sides and training_colleague:
            side = Side.TRAINING
    if side is None:
        raise InvalidInput(
            [
                FieldError(
                    "to_account_id",
                    "not_a_colleague",
                    "Le contrat ne peut être transféré qu'à un membre du même établissement ou organisme.",
                )
            ]
        )
    access.require_right(principal, record, side, Action.TRANSFER)
    previous = record.in_charge.get(side) or record.contract.owner_id
    record.contract.transfer(
        to_owner_id=str(cmd.to_account_id), from_owner_id=previous, by=actor(principal), at=deps.now()
    )
    record.in_charge[side] = str(cmd.to_account_id)
    await persist(uow, record, deps)
    return record


def _require_archiving_right(principal: Principal, record: ContractRecord, sides: frozenset[Side]) -> None:
    side = access.acting_side(sides, "archiver le contrat")
    if side == Side.TRAINING and record.visible_to_employer:
        # Archiving hides the contract from the dashboards: the training side may not hide the employer's.
        raise SideNotAllowed(
            "L'organisme de formation ne peut archiver que ses propres brouillons : ce contrat est celui de "
            "l'employeur, qui seul peut l'archiver."
        )
    access.require_right(principal, record, side, Action.ARCHIVE)


async def archive_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> ContractRecord:
    record, sides = await load_for_write(uow, principal, contract_id, expected_version)
    _require_archiving_right(principal, record, sides)
    record.contract.archive(by=actor(principal), at=deps.now())
    await persist(uow, record, deps)
    return record


async def restore_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> ContractRecord:
    record, sides = await load_for_write(uow, principal, contract_id, expected_version)
    _require_archiving_right(principal, record, sides)
    record.contract.restore(by=actor(principal), at=deps.now())
    await persist(uow, record, deps)
    return record


async def delete_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, expected_version: int | None = None
) -> ContractRecord:
    """Only drafts never transmitted; by the side that created the contract, or by the employer."""
    record, sides = await load_for_write(uow, principal, contract_id, expected_version)
    if record.created_by_side not in sides and Side.EMPLOYER not in sides:
        access.require_side(sides, record.created_by_side, "supprimer ce brouillon")
    side = Side.EMPLOYER if Side.EMPLOYER in sides else record.created_by_side
    access.require_right(principal, record, side, Action.DELETE)
    record.contract.delete(by=actor(principal), at=deps.now())
    await persist(uow, record, deps)
    return record


async def _record_for_case(uow: UnitOfWork, contract_id: UUID, revision: int, topic: str) -> ContractRecord | None:
    """The contract an OPCO decision applies to, locked; None when the decision is stale (an older revision, or
    this revision decided already): the inbox keeps it, nothing changes.

    A decision that arrives before the contract is ready for it is retried, never dropped
    (`NotYetApplicable`: the consumer group retries with backoff, then parks it on the dead-letter topic):
    the contract is unknown, the revision was not transmitted here, or the file is still in anomaly because the
    `anomaly.resolved` that reopened the case (another topic) has not arrived yet.
    """
    record = await uow.contracts.get(contract_id, for_update=True)
    if record is None:
        raise NotYetApplicable(f"{topic}: contract {contract_id} not known here")
    contract = record.contract
    if revision > contract.transmitted_revision:
        raise NotYetApplicable(
            f"{topic}: revision {revision} of {contract_id} not transmitted yet ({contract.transmitted_revision})"
        )
    if revision < contract.transmitted_revision:
        log.info("decision about an earlier revision skipped", topic=topic, contract_id=str(contract_id))
        return None
    if contract.awaits_decision:
        return record
    if contract.phase == ContractStatus.IN_ANOMALY:
        raise NotYetApplicable(f"{topic}: {contract_id} still in anomaly here (anomaly.resolved not applied yet)")
    log.info("decision about a revision decided already skipped", topic=topic, contract_id=str(contract_id))
    return None


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
    await persist(uow, record, deps, extra={"anomalies": record.anomalies, "case_id": str(event.case_id)})
    return record


async def resolve_anomalies(uow: UnitOfWork, event: AnomalyResolved, deps: Dependencies) -> ContractRecord | None:
    """The OPCO closed anomalies: they no longer show; with none left the contract is with the OPCO again.

    A resolution that overtakes its `anomaly.raised` (another topic) is retried until the anomaly is here.
    """
    record = await uow.contracts.get(event.contract_id, for_update=True)
    if record is None:
        raise NotYetApplicable(f"{event.topic}: contract {event.contract_id} not known here")
    contract = record.contract
    if event.revision > contract.transmitted_revision:
        raise NotYetApplicable(f"{event.topic}: revision {event.revision} of {event.contract_id} not transmitted yet")
    if event.revision < contract.transmitted_revision or contract.phase not in (
        ContractStatus.TRANSMITTED,
        ContractStatus.IN_ANOMALY,
    ):
        return None  # an earlier revision, or decided since: nothing left to close
    known = {a.get("code") for a in record.anomalies}
    unknown = set(event.codes) - known
    if unknown:
        # Closed by the corrected transmission (opco-processing tells it on the new revision): raised on an earlier
        # revision. Otherwise their anomaly.raised (another topic) has not arrived: wait for it.
        unknown -= await _raised_before(uow, event.contract_id, contract.transmitted_revision)
    if unknown:
        raise NotYetApplicable(f"{event.topic}: the anomalies {sorted(unknown)} of {event.contract_id} not raised yet")
    closed = set(event.codes)
    record.anomalies = [a for a in record.anomalies if a.get("code") not in closed]
    contract.resolve_anomalies(codes=list(event.codes), remaining=len(record.anomalies), at=deps.now())
    await persist(uow, record, deps, extra={"case_id": str(event.case_id)})
    return record


async def _raised_before(uow: UnitOfWork, contract_id: UUID, revision: int) -> set[str]:
    """The anomaly codes the OPCO raised on the contract's revisions before this one (from its history)."""
    codes: set[str] = set()
    for entry in await uow.contracts.history(contract_id):
        if entry.action == "anomaly_raised" and entry.revision < revision:
            codes |= {str(a.get("code")) for a in entry.details.get("anomalies", [])}
    return codes


async def assign_opco(uow: UnitOfWork, event: CaseOpened, deps: Dependencies) -> ContractRecord | None:
    """opco-processing routed the contract to its competent OPCO (by the employer's IDCC): its staff see it."""
    record = await uow.contracts.get(event.contract_id, for_update=True)
    if record is None or record.opco_code == event.opco_code:
        return None
    record.opco_code = event.opco_code
    await persist(uow, record, deps, extra={"case_id": str(event.case_id)})
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
    await persist(uow, record, deps, extra={"case_id": str(event.case_id)})
    return record


async def refuse(uow: UnitOfWork, event: ContractRefused, deps: Dependencies) -> ContractRecord | None:
    record = await _record_for_case(uow, event.contract_id, event.revision, event.topic)
    if record is None:
        return None
    record.contract.refuse(reason=event.reason, by=None, at=event.refused_at)
    record.refusal_reason = event.reason
    await persist(uow, record, deps, extra={"case_id": str(event.case_id)})
    return record
