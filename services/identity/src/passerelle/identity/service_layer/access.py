"""Checks every use case starts with: who is acting, on which organisation, with which right.

They read the database, not the token: an administrator demoted a minute ago has lost the right now,
even if their access token still says otherwise.
"""

from __future__ import annotations

from uuid import UUID

from passerelle.identity.domain.errors import AuthenticationFailed, NotAllowed, NotFound
from passerelle.identity.domain.model import Account, Membership, Organisation
from passerelle.identity.domain.roles import Action, may
from passerelle.identity.service_layer.ports import UnitOfWork

SESSION_ENDED = "Votre session n'est plus valable : reconnectez-vous."


async def active_account(uow: UnitOfWork, account_id: UUID) -> Account:
    account = await uow.accounts.get(account_id)
    if account is None or not account.is_active:
        raise AuthenticationFailed(SESSION_ENDED, "account_unavailable")
    return account


async def organisation(uow: UnitOfWork, organisation_id: UUID) -> Organisation:
    found = await uow.organisations.get(organisation_id)
    if found is None:
        raise NotFound("Organisation introuvable.", "organisation_not_found")
    return found


async def require(
    uow: UnitOfWork, actor_id: UUID, organisation_id: UUID, action: Action
) -> tuple[Organisation, Membership]:
    """The organisation and the actor's membership, if the actor may do `action` there; else 403."""
    await active_account(uow, actor_id)
    org = await organisation(uow, organisation_id)
    membership = await uow.memberships.active(actor_id, organisation_id)
    if membership is None:
        raise NotAllowed("Vous n'êtes pas membre de cette organisation.", "not_member")
    if not may(membership.role, action):
        raise NotAllowed("Vous n'administrez pas cette organisation.", "not_administrator")
    return org, membership


async def grants_of(uow: UnitOfWork, account_id: UUID) -> list[tuple[Membership, Organisation]]:
    """The account's active memberships with their organisations (what its next access token carries)."""
    memberships = [m for m in await uow.memberships.of_account(account_id) if m.is_active]
    orgs = {o.id: o for o in await uow.organisations.many([m.organisation_id for m in memberships])}
    return [(m, orgs[m.organisation_id]) for m in memberships if m.organisation_id in orgs]
