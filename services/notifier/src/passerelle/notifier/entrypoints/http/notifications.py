"""The notification centre's routes: a person's list, counts, states (only their own, by the token's subject)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from passerelle.libs.auth import CurrentPrincipal
from passerelle.notifier.domain.feed import FeedAction
from passerelle.notifier.domain.kinds import Kind
from passerelle.notifier.entrypoints.http.deps import Context, Reads, Uow
from passerelle.notifier.entrypoints.http.schemas import (
    Counts,
    MarkAllResult,
    NotificationList,
    NotificationOut,
)
from passerelle.notifier.service_layer import feed

router = APIRouter(tags=["notifications"])

State = Literal["active", "unread", "archived", "all"]
Page = Annotated[int, Query(ge=1, description="Page, from 1")]
PerPage = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Kinds = Annotated[list[Kind] | None, Query(alias="kind", description="Only these kinds (repeatable)")]


async def _list(
    uow: Any, principal: Any, contract_id: UUID | None, kinds: list[Kind] | None, state: str, page: int, per: int
) -> dict[str, Any]:
    query = feed.FeedQuery(contract_id, [k.value for k in kinds or []], state, page, per)
    return await feed.list_notifications(uow, principal.subject, query)


@router.get("/notifications", response_model=NotificationList, summary="Mes notifications, les plus récentes d'abord")
async def list_notifications(
    uow: Reads,
    principal: CurrentPrincipal,
    contract_id: UUID | None = None,
    kind: Kinds = None,
    state: State = "active",
    page: Page = 1,
    per_page: PerPage = 20,
) -> dict[str, Any]:
    return await _list(uow, principal, contract_id, kind, state, page, per_page)


@router.get(
    "/contracts/{contract_id}/notifications",
    response_model=NotificationList,
    summary="Mes notifications sur un contrat",
)
async def contract_notifications(
    contract_id: UUID,
    uow: Reads,
    principal: CurrentPrincipal,
    kind: Kinds = None,
    state: State = "active",
    page: Page = 1,
    per_page: PerPage = 20,
) -> dict[str, Any]:
    return await _list(uow, principal, contract_id, kind, state, page, per_page)


@router.get("/notifications/count", response_model=Counts, summary="Nombre de notifications non lues et non vues")
async def count(uow: Reads, principal: CurrentPrincipal) -> dict[str, int]:
    return await feed.counts(uow, principal.subject)


@router.post("/notifications/read-all", response_model=MarkAllResult, summary="Tout marquer comme lu")
async def read_all(
    uow: Uow, context: Context, principal: CurrentPrincipal, contract_id: UUID | None = None, kind: Kinds = None
) -> dict[str, int]:
    kinds = [k.value for k in kind or []]
    return await feed.mark_all(context, uow, principal.subject, FeedAction.READ, contract_id, kinds)


@router.post("/notifications/seen-all", response_model=MarkAllResult, summary="Tout marquer comme vu")
async def seen_all(uow: Uow, context: Context, principal: CurrentPrincipal) -> dict[str, int]:
    return await feed.mark_all(context, uow, principal.subject, FeedAction.SEEN)


@router.get("/notifications/{notification_id}", response_model=NotificationOut, summary="Une notification")
async def get_one(notification_id: UUID, uow: Reads, principal: CurrentPrincipal) -> dict[str, Any]:
    return await feed.get_notification(uow, principal.subject, notification_id)


def _action_route(action: FeedAction, path: str, summary: str) -> None:
    async def route(notification_id: UUID, uow: Uow, context: Context, principal: CurrentPrincipal) -> dict[str, Any]:
        return await feed.mark(context, uow, principal.subject, notification_id, action)

    route.__name__ = f"mark_{action.value}"
    router.post(f"/notifications/{{notification_id}}/{path}", response_model=NotificationOut, summary=summary)(route)


_action_route(FeedAction.SEEN, "seen", "Marquer comme vue")
_action_route(FeedAction.READ, "read", "Marquer comme lue")
_action_route(FeedAction.UNREAD, "unread", "Marquer comme non lue")
_action_route(FeedAction.ARCHIVE, "archive", "Archiver")
_action_route(FeedAction.UNARCHIVE, "unarchive", "Désarchiver")
