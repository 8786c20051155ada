"""Reads: what a person, a member or an administrator may see. Same access checks as the use cases."""

from __future__ import annotations

from uuid import UUID

from passerelle.identity.domain.errors import InvalidInput, NotFound
from passerelle.identity.domain.identifiers import OpcoCode, Siret, Uai
from passerelle.identity.domain.model import (
    Account,
    ApiClient,
    AuditEntry,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)
from passerelle.identity.domain.roles import Action, OrganisationKind
from passerelle.identity.service_layer.access import active_account, grants_of, require
from passerelle.identity.service_layer.ports import Ports, UnitOfWork


async def my_account(uow: UnitOfWork, account_id: UUID) -> tuple[Account, list[tuple[Membership, Organisation]]]:
    async with uow:
        account = await active_account(uow, account_id)
        return account, await grants_of(uow, account.id)


async def organisation_of_member(
    uow: UnitOfWork, actor_id: UUID, organisation_id: UUID
) -> tuple[Organisation, Membership]:
    async with uow:
        return await require(uow, actor_id, organisation_id, Action.VIEW_MEMBERS)


async def members(uow: UnitOfWork, actor_id: UUID, organisation_id: UUID) -> list[tuple[Membership, Account]]:
    async with uow:
        await require(uow, actor_id, organisation_id, Action.VIEW_MEMBERS)
        memberships = [m for m in await uow.memberships.of_organisation(organisation_id) if m.is_active]
        accounts = {a.id: a for a in await uow.accounts.many([m.account_id for m in memberships])}
        return [(m, accounts[m.account_id]) for m in memberships if m.account_id in accounts]


async def pending_invitations(uow: UnitOfWork, ports: Ports, actor_id: UUID, organisation_id: UUID) -> list[Invitation]:
    async with uow:
        await require(uow, actor_id, organisation_id, Action.INVITE)
        now = ports.clock()
        return [i for i in await uow.invitations.of_organisation(organisation_id) if i.is_pending(now)]


async def pending_join_requests(
    uow: UnitOfWork, actor_id: UUID, organisation_id: UUID
) -> list[tuple[JoinRequest, Account]]:
    async with uow:
        await require(uow, actor_id, organisation_id, Action.DECIDE_JOIN_REQUEST)
        requests = await uow.join_requests.pending(organisation_id)
        accounts = {a.id: a for a in await uow.accounts.many([r.account_id for r in requests])}
        return [(r, accounts[r.account_id]) for r in requests if r.account_id in accounts]


async def audit_log(uow: UnitOfWork, actor_id: UUID, organisation_id: UUID, limit: int = 200) -> list[AuditEntry]:
    async with uow:
        await require(uow, actor_id, organisation_id, Action.VIEW_AUDIT)
        return await uow.audit.of_organisation(organisation_id, limit)


async def api_clients(uow: UnitOfWork, actor_id: UUID, organisation_id: UUID) -> list[ApiClient]:
    async with uow:
        await require(uow, actor_id, organisation_id, Action.MANAGE_API_CLIENTS)
        return await uow.api_clients.of_organisation(organisation_id)


async def establishments(uow: UnitOfWork, actor_id: UUID, organisation_id: UUID) -> list[Organisation]:
    """The registered establishments of the member's company (same SIREN)."""
    async with uow:
        org, _ = await require(uow, actor_id, organisation_id, Action.VIEW_MEMBERS)
        if org.kind != OrganisationKind.EMPLOYER or not org.siren:
            return [org]
        return await uow.organisations.employers_of_siren(org.siren)


async def find_organisation(
    uow: UnitOfWork, siret: str | None = None, uai: str | None = None, opco_code: str | None = None
) -> Organisation:
    """An organisation by its public identifier (to ask to join it)."""
    async with uow:
        found = None
        if uai:
            found = await uow.organisations.training_by_uai(Uai.parse(uai).value)
        elif siret:
            found = await uow.organisations.employer_by_siret(Siret.parse(siret).value)
        elif opco_code:
            found = await uow.organisations.opco_by_code(OpcoCode.parse(opco_code).value)
        else:
            raise InvalidInput.one("siret", "identifier_missing", "Indiquez un SIRET, un UAI ou un code OPCO.")
        if found is None:
            raise NotFound("Aucun organisme inscrit avec cet identifiant.", "organisation_not_found")
        return found
