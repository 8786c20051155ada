"""Organisations: register one, find one, its establishments (same SIREN), its audit log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from passerelle.identity.entrypoints.http.dependencies import CurrentUser, IdentityDep
from passerelle.identity.entrypoints.http.schemas import (
    AuditEntryPublic,
    EstablishmentCreate,
    OrganisationCreate,
    OrganisationPublic,
    PostalCodeConfirm,
    PostalCodeSent,
    errors,
)
from passerelle.identity.service_layer import commands, organisations, queries, verification

router = APIRouter(tags=["organisations"])


@router.post(
    "/organisations",
    status_code=status.HTTP_201_CREATED,
    summary="Inscrire un établissement employeur ou un organisme de formation (j'en deviens administrateur)",
    responses=errors(401, 403, 409, 422),
)
async def register(body: OrganisationCreate, who: CurrentUser, ctx: IdentityDep) -> OrganisationPublic:
    cmd = commands.RegisterOrganisation(
        actor_id=who.subject, kind=body.kind, name=body.name, siret=body.siret, uai=body.uai
    )
    org, _ = await organisations.register_organisation(cmd, ctx.uow(), ctx.ports)
    return OrganisationPublic.of(org)


@router.get(
    "/organisations/lookup",
    summary="Trouver un organisme inscrit par son SIRET, son UAI ou son code OPCO",
    responses=errors(401, 404, 422),
)
async def lookup(
    who: CurrentUser,
    ctx: IdentityDep,
    siret: Annotated[str | None, Query(max_length=40)] = None,
    uai: Annotated[str | None, Query(max_length=20)] = None,
    opco_code: Annotated[str | None, Query(max_length=40)] = None,
) -> OrganisationPublic:
    return OrganisationPublic.of(await queries.find_organisation(ctx.uow(), siret=siret, uai=uai, opco_code=opco_code))


@router.get(
    "/organisations/{organisation_id}", summary="Un organisme dont je suis membre", responses=errors(401, 403, 404)
)
async def get_organisation(organisation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> OrganisationPublic:
    org, _ = await queries.organisation_of_member(ctx.uow(), who.subject, organisation_id)
    return OrganisationPublic.of(org)


@router.get(
    "/organisations/{organisation_id}/establishments",
    summary="Les établissements inscrits de mon entreprise (même SIREN)",
    responses=errors(401, 403, 404),
)
async def establishments(organisation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> list[OrganisationPublic]:
    return [OrganisationPublic.of(o) for o in await queries.establishments(ctx.uow(), who.subject, organisation_id)]


@router.post(
    "/organisations/{organisation_id}/establishments",
    status_code=status.HTTP_201_CREATED,
    summary="Déclarer un autre SIRET de la même entreprise (administrateur)",
    responses=errors(401, 403, 404, 409, 422),
)
async def declare_establishment(
    organisation_id: UUID, body: EstablishmentCreate, who: CurrentUser, ctx: IdentityDep
) -> OrganisationPublic:
    cmd = commands.DeclareEstablishment(
        actor_id=who.subject,
        organisation_id=organisation_id,
        siret=body.siret,
        name=body.name,
        administrator_email=body.administrator_email,
    )
    org, _ = await organisations.declare_establishment(cmd, ctx.uow(), ctx.ports)
    return OrganisationPublic.of(org)


@router.get(
    "/organisations/{organisation_id}/audit",
    summary="Journal des actions d'administration de l'organisme (administrateur)",
    responses=errors(401, 403, 404),
)
async def audit(
    organisation_id: UUID, who: CurrentUser, ctx: IdentityDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditEntryPublic]:
    return [AuditEntryPublic.of(e) for e in await queries.audit_log(ctx.uow(), who.subject, organisation_id, limit)]


@router.post(
    "/organisations/{organisation_id}/verification/postal-code",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Recevoir par courrier, à l'adresse enregistrée de l'établissement, un code qui prouve son contrôle",
    responses=errors(401, 403, 404, 409),
)
async def send_postal_code(organisation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> PostalCodeSent:
    sent = await verification.send_postal_code(who.subject, organisation_id, ctx.uow(), ctx.ports)
    return PostalCodeSent(
        sent_at=sent, message="Un courrier avec un code part vers l'adresse enregistrée de l'établissement."
    )


@router.post(
    "/organisations/{organisation_id}/verification/postal-code/confirm",
    summary="Saisir le code reçu par courrier : l'organisme est vérifié",
    responses=errors(401, 403, 404, 409, 422),
)
async def confirm_postal_code(
    organisation_id: UUID, body: PostalCodeConfirm, who: CurrentUser, ctx: IdentityDep
) -> OrganisationPublic:
    org = await verification.confirm_postal_code(who.subject, organisation_id, body.code, ctx.uow(), ctx.ports)
    return OrganisationPublic.of(org)


@router.post(
    "/organisations/{organisation_id}/verification/approve",
    summary="Approuver un organisme (administrateurs et superviseurs d'un OPCO)",
    responses=errors(401, 403, 404, 409),
)
async def approve(organisation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> OrganisationPublic:
    return OrganisationPublic.of(await verification.approve(who.subject, organisation_id, ctx.uow(), ctx.ports))
