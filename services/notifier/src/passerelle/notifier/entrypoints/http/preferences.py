"""Preferences (kind x channel) and follows (establishments, contracts) of the person the token names."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from passerelle.libs.auth import CurrentPrincipal
from passerelle.notifier.entrypoints.http.deps import Context, Reads, Uow
from passerelle.notifier.entrypoints.http.schemas import FollowsOut, PreferenceIn, PreferenceOut, PreferencesOut
from passerelle.notifier.service_layer import preferences as prefs

router = APIRouter(tags=["préférences"])


@router.get("/preferences", response_model=PreferencesOut, summary="Mes préférences, valeurs par défaut comprises")
async def get_preferences(uow: Reads, context: Context, principal: CurrentPrincipal) -> dict[str, Any]:
    return await prefs.get_preferences(context, uow, principal)


@router.put("/preferences/{kind}", response_model=PreferenceOut, summary="Choisir les canaux d'un type")
async def put_preference(
    kind: str, body: PreferenceIn, uow: Uow, context: Context, principal: CurrentPrincipal
) -> dict[str, Any]:
    return await prefs.set_preference(context, uow, principal, kind, body.web, body.email)


@router.delete("/preferences/{kind}", response_model=PreferenceOut, summary="Revenir aux valeurs par défaut")
async def delete_preference(kind: str, uow: Uow, principal: CurrentPrincipal) -> dict[str, Any]:
    return await prefs.reset_preference(uow, principal, kind)


@router.get("/follows", response_model=FollowsOut, summary="Ce que je suis")
async def get_follows(uow: Reads, principal: CurrentPrincipal) -> dict[str, Any]:
    return await prefs.get_follows(uow, principal.subject)


@router.put("/follows/establishments/{identifier}", response_model=FollowsOut, summary="Suivre un SIRET ou un UAI")
async def follow_establishment(identifier: str, uow: Uow, principal: CurrentPrincipal) -> dict[str, Any]:
    return await prefs.follow_establishment(uow, principal, identifier)


@router.delete("/follows/establishments/{identifier}", response_model=FollowsOut, summary="Ne plus suivre")
async def unfollow_establishment(identifier: str, uow: Uow, principal: CurrentPrincipal) -> dict[str, Any]:
    return await prefs.unfollow_establishment(uow, principal, identifier)


@router.put("/follows/contracts/{contract_id}", response_model=FollowsOut, summary="Suivre un contrat")
async def follow_contract(contract_id: UUID, uow: Uow, principal: CurrentPrincipal) -> dict[str, Any]:
    return await prefs.follow_contract(uow, principal, contract_id)


@router.delete("/follows/contracts/{contract_id}", response_model=FollowsOut, summary="Ne plus suivre un contrat")
async def unfollow_contract(contract_id: UUID, uow: Uow, principal: CurrentPrincipal) -> dict[str, Any]:
    return await prefs.unfollow_contract(uow, principal, contract_id)
