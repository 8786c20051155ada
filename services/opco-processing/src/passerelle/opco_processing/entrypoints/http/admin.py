"""Administrators' API: automatic engagement, alerts before expiry, barred employers; the registers' versions."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter

from passerelle.opco_processing.domain.errors import CaseError, CaseNotFound
from passerelle.opco_processing.service_layer.clocks import MAX_ALERT_DAYS
from passerelle.opco_processing.service_layer.settings import opco_settings

from .dependencies import ContextDep, ReadsDep, StaffDep, UowDep
from .errors import responses
from .schemas import BarredRequest, SettingsBody

router = APIRouter(tags=["administration"], responses=responses(401, 403))


@router.get("/settings", summary="Les réglages de l'OPCO")
async def get_settings(ctx: ContextDep, uow: ReadsDep, staff: StaffDep) -> dict[str, Any]:
    return await opco_settings(uow, staff.opco_code, ctx.policy)


@router.put("/settings", summary="Modifier les réglages (administrateurs)", responses=responses(422))
async def put_settings(body: SettingsBody, ctx: ContextDep, uow: UowDep, staff: StaffDep) -> dict[str, Any]:
    staff.at_least("admin", "modifier les réglages")
    if any(d < 1 or d > MAX_ALERT_DAYS for d in body.alert_days):
        raise CaseError(
            "alert_days_invalid",
            f"Les alertes se règlent entre 1 et {MAX_ALERT_DAYS} jours avant l'échéance.",
            "alert_days",
        )
    await uow.cases.put_settings(staff.opco_code, body.model_dump(mode="json"), ctx.clock())
    settings = await opco_settings(uow, staff.opco_code, ctx.policy)
    return settings


@router.get("/barred-employers", summary="Les employeurs interdits de recruter des apprentis")
async def list_barred(ctx: ContextDep, uow: ReadsDep, staff: StaffDep) -> list[dict[str, Any]]:
    return await uow.cases.barred(staff.opco_code)


@router.post(
    "/barred-employers",
    status_code=201,
    summary="Inscrire un employeur interdit (administrateurs)",
    responses=responses(422),
)
async def add_barred(body: BarredRequest, ctx: ContextDep, uow: UowDep, staff: StaffDep) -> dict[str, Any]:
    staff.at_least("admin", "tenir la liste des employeurs interdits")
    if not body.siret and not body.siren:
        raise CaseError("identifier_required", "Indiquez le SIRET ou le SIREN de l'employeur.", "siret")
    row = {
        "id": uuid4(),
        "opco_code": staff.opco_code,
        "siret": body.siret,
        "siren": body.siren,
        "reason": body.reason,
        "until": body.until,
        "created_at": ctx.clock(),
        "created_by": staff.actor.id,
    }
    await uow.cases.add_barred(row)
    return row


@router.delete(
    "/barred-employers/{barred_id}",
    status_code=204,
    summary="Retirer une inscription (administrateurs)",
    responses=responses(404),
)
async def remove_barred(barred_id: UUID, ctx: ContextDep, uow: UowDep, staff: StaffDep) -> None:
    staff.at_least("admin", "tenir la liste des employeurs interdits")
    if not await uow.cases.remove_barred(staff.opco_code, barred_id):
        raise CaseNotFound("barred_not_found", "Inscription introuvable.", "barred_id")


@router.get("/referentials", summary="Les référentiels utilisés : version, source et date")
async def referentials(ctx: ContextDep, staff: StaffDep) -> dict[str, Any]:
    return {"version": ctx.referentials.version, "sources": getattr(ctx.referentials, "sources", {})}
