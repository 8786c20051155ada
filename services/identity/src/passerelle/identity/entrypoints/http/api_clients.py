"""Machine clients of an organisation: API credentials (OAuth2 client credentials) its administrator manages."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from passerelle.identity.entrypoints.http.dependencies import CurrentUser, IdentityDep
from passerelle.identity.entrypoints.http.schemas import ApiClientCreate, ApiClientPublic, ApiClientWithSecret, errors
from passerelle.identity.service_layer import api_clients, commands, queries

router = APIRouter(tags=["logiciels (identifiants d'API)"])
ORG = "/organisations/{organisation_id}/api-clients"


@router.post(
    ORG,
    status_code=status.HTTP_201_CREATED,
    summary="Créer des identifiants d'API (le secret n'est affiché qu'une fois)",
    responses=errors(401, 403, 404, 422),
)
async def create(
    organisation_id: UUID, body: ApiClientCreate, who: CurrentUser, ctx: IdentityDep
) -> ApiClientWithSecret:
    client, secret = await api_clients.create_api_client(
        commands.CreateApiClient(who.subject, organisation_id, body.name), ctx.uow(), ctx.ports
    )
    return ApiClientWithSecret(**ApiClientPublic.of(client).model_dump(), client_secret=secret)


@router.get(ORG, summary="Identifiants d'API de l'organisme", responses=errors(401, 403, 404))
async def list_clients(organisation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> list[ApiClientPublic]:
    return [ApiClientPublic.of(c) for c in await queries.api_clients(ctx.uow(), who.subject, organisation_id)]


@router.delete(
    f"{ORG}/{{api_client_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Révoquer des identifiants d'API",
    responses=errors(401, 403, 404, 409),
)
async def revoke(organisation_id: UUID, api_client_id: UUID, who: CurrentUser, ctx: IdentityDep) -> None:
    await api_clients.revoke_api_client(
        commands.RevokeApiClient(who.subject, organisation_id, api_client_id), ctx.uow(), ctx.ports
    )
