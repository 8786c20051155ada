"""What OPCO staff do to a case: assign, note, override a check, engage, raise an anomaly, refuse.

Each use case takes an open unit of work and never commits (the request boundary does). A decision
leaves its letter pending; the letters step stores it and publishes the event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from passerelle.opco_processing.adapters.unit_of_work import OpcoUnitOfWork
from passerelle.opco_processing.domain.case import Actor, Anomaly, AnomalyKind, CheckResult, ReviewCase
from passerelle.opco_processing.domain.errors import CaseError

from .access import Staff, require_case
from .context import Context


@dataclass(frozen=True)
class AnomalyInput:
    kind: str
    reason: str
    tab: str | None = None
    field: str | None = None
    document_type: str | None = None


@dataclass(frozen=True)
class RaiseAnomaly:
    anomalies: list[AnomalyInput] = field(default_factory=list)
    answer_due_on: date | None = None


async def _case(uow: OpcoUnitOfWork, staff: Staff, case_id: UUID) -> ReviewCase:
    return require_case(staff, await uow.cases.get(case_id, for_update=True))


def build_anomalies(case: ReviewCase, items: list[AnomalyInput], now: Any) -> list[Anomaly]:
    out = []
    for i, item in enumerate(items):
        if not item.reason.strip():
            raise CaseError("anomaly_reason_required", "Expliquez chaque anomalie.", f"anomalies[{i}].reason")
        if item.kind == AnomalyKind.FIELD_ERROR.value:
            if not item.field:
                raise CaseError("anomaly_field_required", "Indiquez le champ à corriger.", f"anomalies[{i}].field")
            code = f"FIELD:{item.field}"
        elif item.kind == AnomalyKind.MISSING_DOCUMENT.value:
            if not item.document_type:
                raise CaseError(
                    "anomaly_document_required", "Indiquez le type de pièce manquante.", f"anomalies[{i}].document_type"
                )
            code = f"MISSING_DOCUMENT:{item.document_type}"
        else:
            raise CaseError("anomaly_kind_invalid", "Type d'anomalie inconnu.", f"anomalies[{i}].kind")
        out.append(
            Anomaly(
                code=code,
                kind=AnomalyKind(item.kind),
                tab=item.tab or ("documents" if item.kind == "missing_document" else None),
                field=item.field,
                document_type=item.document_type,
                reason=item.reason.strip(),
                revision=case.revision,
                raised_at=now,
            )
        )
    return out


async def engage(uow: OpcoUnitOfWork, ctx: Context, staff: Staff, case_id: UUID) -> ReviewCase:
    case = await _case(uow, staff, case_id)
    now = ctx.clock()
    case._require_decidable("engager ce dossier")
    if any(c.blocks for c in case.checks):
        case.engage(staff.actor, "", now)  # raises with the failing checks
    number = case.file_number or await uow.cases.next_file_number(case.opco_code, now.year)
    case.engage(staff.actor, number, now)
    await uow.save(case)
    uow.after_commit(ctx.wake_work)  # its letter is rendered and stored at once
    return case


async def raise_anomaly(
    uow: OpcoUnitOfWork, ctx: Context, staff: Staff, case_id: UUID, cmd: RaiseAnomaly
) -> ReviewCase:
    case = await _case(uow, staff, case_id)
    now = ctx.clock()
    case.raise_anomaly(build_anomalies(case, cmd.anomalies, now), cmd.answer_due_on, staff.actor, now)
    await uow.save(case)
    uow.after_commit(ctx.wake_work)
    return case


async def refuse(uow: OpcoUnitOfWork, ctx: Context, staff: Staff, case_id: UUID, reason: str) -> ReviewCase:
    case = await _case(uow, staff, case_id)
    case.refuse(reason, staff.actor, ctx.clock())
    await uow.save(case)
    uow.after_commit(ctx.wake_work)
    return case


async def assign(uow: OpcoUnitOfWork, ctx: Context, staff: Staff, case_id: UUID, assignee: Actor | None) -> ReviewCase:
    case = await _case(uow, staff, case_id)
    if assignee is None or assignee.id != staff.actor.id:
        staff.at_least("supervisor", "attribuer un dossier à un autre agent")
    case.assign(assignee, staff.actor, ctx.clock())
    await uow.save(case)
    return case


async def override_check(
    uow: OpcoUnitOfWork, ctx: Context, staff: Staff, case_id: UUID, check_id: str, result: str, reason: str
) -> ReviewCase:
    staff.at_least("supervisor", "modifier le résultat d'un contrôle")
    case = await _case(uow, staff, case_id)
    case.override_check(check_id, CheckResult(result), reason, staff.actor, ctx.clock())
    await uow.save(case)
    return case


async def add_note(uow: OpcoUnitOfWork, ctx: Context, staff: Staff, case_id: UUID, text: str) -> UUID:
    case = await _case(uow, staff, case_id)
    if not text.strip():
        raise CaseError("note_empty", "La note est vide.", "text")
    now = ctx.clock()
    assert staff.actor.id is not None
    note_id = await uow.cases.add_note(case.id, now, staff.actor.id, staff.actor.name, text.strip())
    case.add_note_entry(staff.actor, now)
    await uow.save(case)
    return note_id
