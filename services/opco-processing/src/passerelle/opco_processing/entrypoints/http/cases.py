"""The reviewers' API: the queue, a case, its checks, assignment, notes, decisions and letters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response

from passerelle.libs.errors import DomainError
from passerelle.opco_processing.adapters.repository import QueueFilter
from passerelle.opco_processing.domain.case import Actor, ReviewCase
from passerelle.opco_processing.domain.errors import CaseError
from passerelle.opco_processing.service_layer import decisions
from passerelle.opco_processing.service_layer.access import Staff, require_case
from passerelle.opco_processing.service_layer.context import OpcoContext

from .dependencies import ContextDep, ReadsDep, StaffDep, UowDep
from .errors import responses
from .schemas import (
    AnomalyRequest,
    AssignRequest,
    BatchRequest,
    BatchResult,
    CaseDetail,
    NoteRequest,
    OverrideRequest,
    Queue,
    RefusalRequest,
    detail,
    summary,
)

router = APIRouter(prefix="/cases", tags=["dossiers"], responses=responses(401, 403))
Tab = Literal["a_traiter", "suivis", "en_anomalie", "traites", "expirant", "tous"]
Sort = Literal["deadline", "-deadline", "received", "-received"]


@router.get("", response_model=Queue, summary="La file des dossiers de l'OPCO, par onglet, avec les comptes")
async def queue(
    ctx: ContextDep,
    uow: ReadsDep,
    staff: StaffDep,
    tab: Tab = "a_traiter",
    contract_type: Literal["apprentissage", "professionnalisation"] | None = None,
    status: str | None = None,
    assignee_id: UUID | None = None,
    employer_siret: str | None = None,
    training_siret: str | None = None,
    idcc: str | None = None,
    received_after: datetime | None = None,
    received_before: datetime | None = None,
    due_before: datetime | None = None,
    sort: Sort = "deadline",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    now = ctx.clock()
    f = QueueFilter(
        tab,
        contract_type,
        status,
        assignee_id,
        employer_siret,
        training_siret,
        idcc,
        received_after,
        received_before,
        due_before,
        sort,
        limit,
        offset,
    )
    items, total, counts = await uow.cases.queue(
        staff.opco_code, f, staff.actor.id, now, ctx.policy.expiring_horizon_days
    )
    return {"items": [summary(c, now) for c in items], "total": total, "counts": counts}


@router.get("/workload", summary="La charge de chaque agent (superviseurs)")
async def workload(ctx: ContextDep, staff: StaffDep) -> list[dict[str, Any]]:
    staff.at_least("supervisor", "voir la charge des agents")
    async with ctx.reads() as uow:
        return await uow.cases.workload(staff.opco_code, ctx.clock(), ctx.policy.expiring_horizon_days)


async def _read(ctx: OpcoContext, staff: Staff, case_id: UUID) -> ReviewCase:
    async with ctx.reads() as uow:
        return require_case(staff, await uow.cases.get(case_id))


@router.get(
    "/by-contract/{contract_id}", response_model=CaseDetail, responses=responses(404), summary="Le dossier d'un contrat"
)
async def by_contract(contract_id: UUID, ctx: ContextDep, uow: ReadsDep, staff: StaffDep) -> dict[str, Any]:
    case = require_case(staff, await uow.cases.by_contract(contract_id))
    return detail(case, ctx.clock())


@router.get("/{case_id}", response_model=CaseDetail, responses=responses(404), summary="Un dossier")
async def get_case(case_id: UUID, ctx: ContextDep, staff: StaffDep) -> dict[str, Any]:
    return detail(await _read(ctx, staff, case_id), ctx.clock())


@router.get("/{case_id}/history", responses=responses(404), summary="L'historique : qui a fait quoi, et quand")
async def history(case_id: UUID, ctx: ContextDep, staff: StaffDep) -> list[dict[str, Any]]:
    case = await _read(ctx, staff, case_id)
    return [h.model_dump(mode="json") for h in case.history]


@router.get("/{case_id}/notes", responses=responses(404), summary="Les notes privées des agents")
async def notes(case_id: UUID, ctx: ContextDep, uow: ReadsDep, staff: StaffDep) -> list[dict[str, Any]]:
    require_case(staff, await uow.cases.get(case_id))
    return await uow.cases.notes(case_id)


@router.post(
    "/{case_id}/notes",
    status_code=201,
    responses=responses(404, 422),
    summary="Ajouter une note privée (jamais montrée à l'employeur)",
)
async def add_note(case_id: UUID, body: NoteRequest, ctx: ContextDep, uow: UowDep, staff: StaffDep) -> dict[str, Any]:
    note_id = await decisions.add_note(uow, ctx, staff, case_id, body.text)
    return {"id": note_id}


@router.post(
    "/{case_id}/assign",
    response_model=CaseDetail,
    responses=responses(404),
    summary="Attribuer le dossier (à soi-même ; à un autre agent pour un superviseur)",
)
async def assign(case_id: UUID, body: AssignRequest, ctx: ContextDep, uow: UowDep, staff: StaffDep) -> dict[str, Any]:
    assignee = Actor(id=body.assignee.id, name=body.assignee.name, role="reviewer") if body.assignee else None
    case = await decisions.assign(uow, ctx, staff, case_id, assignee)
    return detail(case, ctx.clock())


@router.post(
    "/{case_id}/checks/{check_id}/override",
    response_model=CaseDetail,
    responses=responses(404, 409, 422),
    summary="Modifier le résultat d'un contrôle, avec sa raison (superviseurs)",
)
async def override(
    case_id: UUID, check_id: str, body: OverrideRequest, ctx: ContextDep, uow: UowDep, staff: StaffDep
) -> dict[str, Any]:
    case = await decisions.override_check(uow, ctx, staff, case_id, check_id, body.result.value, body.reason)
    return detail(case, ctx.clock())


@router.post(
    "/{case_id}/engage",
    response_model=CaseDetail,
    responses=responses(404, 409),
    summary="Conforme : engager (numéro de dossier, prise en charge, courrier d'accord)",
)
async def engage(case_id: UUID, ctx: ContextDep, uow: UowDep, staff: StaffDep) -> dict[str, Any]:
    case = await decisions.engage(uow, ctx, staff, case_id)
    return detail(case, ctx.clock())


def _anomaly_command(body: AnomalyRequest) -> decisions.RaiseAnomaly:
    return decisions.RaiseAnomaly(
        [decisions.AnomalyInput(a.kind, a.reason, a.tab, a.field, a.document_type) for a in body.anomalies],
        body.answer_due_on,
    )


@router.post(
    "/{case_id}/anomaly",
    response_model=CaseDetail,
    responses=responses(404, 409, 422),
    summary="Anomalie : champs à corriger et pièces manquantes, date de réponse, courrier",
)
async def anomaly(case_id: UUID, body: AnomalyRequest, ctx: ContextDep, uow: UowDep, staff: StaffDep) -> dict[str, Any]:
    case = await decisions.raise_anomaly(uow, ctx, staff, case_id, _anomaly_command(body))
    return detail(case, ctx.clock())


@router.post(
    "/{case_id}/refuse",
    response_model=CaseDetail,
    responses=responses(404, 409, 422),
    summary="Refus motivé (courrier de refus)",
)
async def refuse(case_id: UUID, body: RefusalRequest, ctx: ContextDep, uow: UowDep, staff: StaffDep) -> dict[str, Any]:
    case = await decisions.refuse(uow, ctx, staff, case_id, body.reason)
    return detail(case, ctx.clock())


PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}, "description": "Le courrier (PDF)"}}


@router.post(
    "/{case_id}/letters/preview/{kind}",
    response_class=Response,
    responses={**PDF, **responses(404, 409)},
    summary="Aperçu du courrier d'une décision, avant de la prendre (rien n'est enregistré)",
)
async def preview(
    case_id: UUID,
    kind: Literal["agreement", "anomaly", "refusal"],
    ctx: ContextDep,
    staff: StaffDep,
    body: Annotated[AnomalyRequest | RefusalRequest | None, Body()] = None,
) -> Response:
    """The anomaly letter previews the anomalies sent; the refusal letter the motivation sent (without one, a
    placeholder shows where it goes)."""
    case = await _read(ctx, staff, case_id)
    now = ctx.clock()
    if kind == "agreement":
        letter = case.engage(staff.actor, case.file_number or f"{case.opco_code}-{now.year}-XXXXXX", now)
    elif kind == "anomaly":
        if not isinstance(body, AnomalyRequest):
            raise CaseError("anomalies_required", "Indiquez au moins une anomalie.", "anomalies")
        letter = case.raise_anomaly(
            decisions.build_anomalies(case, _anomaly_command(body).anomalies, now),
            body.answer_due_on,
            staff.actor,
            now,
        )
    else:
        reason = body.reason if isinstance(body, RefusalRequest) else "Motif du refus (aperçu)."
        letter = case.refuse(reason, staff.actor, now)
    pdf = ctx.renderer.render(case, letter, ctx.referentials.opco(case.opco_code))
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": "inline; filename=apercu.pdf"})


@router.get(
    "/{case_id}/letters/{letter_id}",
    response_class=Response,
    responses={**PDF, **responses(404)},
    summary="Un courrier du dossier (PDF)",
)
async def letter_pdf(case_id: UUID, letter_id: UUID, ctx: ContextDep, staff: StaffDep) -> Response:
    case = await _read(ctx, staff, case_id)
    pdf = ctx.renderer.render(case, case.letter(letter_id), ctx.referentials.opco(case.opco_code))
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": "inline; filename=courrier.pdf"})


@router.post(
    "/batch", summary="Action groupée, avec un résultat par dossier", response_model=dict[str, list[BatchResult]]
)
async def batch(body: BatchRequest, ctx: ContextDep, staff: StaffDep) -> dict[str, list[dict[str, Any]]]:
    """Each case in its own transaction, so that one refusal does not undo the others."""
    results = []
    for case_id in body.case_ids:
        try:
            async with ctx.uow() as uow:
                if body.action == "assign":
                    a = body.assignee
                    await decisions.assign(uow, ctx, staff, case_id, Actor(id=a.id, name=a.name) if a else None)
                else:
                    await decisions.engage(uow, ctx, staff, case_id)
                await uow.commit()
            results.append({"case_id": case_id, "ok": True, "error": None})
        except DomainError as exc:
            results.append({"case_id": case_id, "ok": False, "error": {"code": exc.code, "message": exc.message}})
    return {"results": results}
