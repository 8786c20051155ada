"""Operators' use cases (and the demo seed's): accounts, organisations and memberships created directly.

Idempotent: provisioning what exists changes nothing, so the seed can run again. Events are published
like for any other change, so the other services learn the demo world too.
"""

from __future__ import annotations

from passerelle.identity.domain.errors import InvalidInput
from passerelle.identity.domain.identifiers import EmailAddress
from passerelle.identity.domain.model import Account, ApiClient, Membership, Organisation
from passerelle.identity.domain.profile import clean_name
from passerelle.identity.domain.roles import check_role_for_kind
from passerelle.identity.domain.tokens import digest, same_digest
from passerelle.identity.service_layer import commands
from passerelle.identity.service_layer.access import organisation
from passerelle.identity.service_layer.members import grant
from passerelle.identity.service_layer.organisations import build_organisation, existing, parse_kind
from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.identity.service_layer.records import (
    account_confirmed,
    account_registered,
    audit,
    organisation_registered,
)
from passerelle.schemas.events import identity as events


async def provision_account(cmd: commands.ProvisionAccount, uow: UnitOfWork, ports: Ports) -> tuple[Account, bool]:
    """The account (created confirmed, with no mail) and whether it was created now."""
    email = EmailAddress.parse(cmd.email)
    full_name = clean_name(cmd.full_name)
    ports.passwords.check(cmd.password, email.value, full_name)
    now = ports.clock()
    async with uow:
        found = await uow.accounts.by_email(email.value)
        if found is not None:
            return found, False
        account = Account(
            email=email.value,
            full_name=full_name,
            password_hash=await ports.hasher.hash(cmd.password),
            created_at=now,
            updated_at=now,
            email_confirmed_at=now,
        )
        uow.accounts.add(account)
        uow.publish(account_registered(account))
        uow.publish(account_confirmed(account))
        audit(uow, now, "account.provisioned", None, target_account_id=account.id, actor_kind="platform")
        await uow.commit()
    return account, True


async def provision_organisation(
    cmd: commands.ProvisionOrganisation, uow: UnitOfWork, ports: Ports
) -> tuple[Organisation, bool]:
    now = ports.clock()
    org = build_organisation(parse_kind(cmd.kind), cmd.name, now, siret=cmd.siret, uai=cmd.uai, opco_code=cmd.opco_code)
    async with uow:
        found = await existing(uow, org)
        if found is not None:
            return found, False
        org.verify("platform", None, now)  # an operator registers it from the records: control is not claimed
        uow.organisations.add(org)
        uow.publish(organisation_registered(org))
        audit(uow, now, "organisation.provisioned", None, org.id, actor_kind="platform", **org.identifiers())
        await uow.commit()
    return org, True


async def grant_membership(cmd: commands.GrantMembership, uow: UnitOfWork, ports: Ports) -> Membership:
    """Grants the role, or changes an existing membership to it."""
    now = ports.clock()
    async with uow:
        org = await organisation(uow, cmd.organisation_id)
        role = check_role_for_kind(org.kind, cmd.role)
        account = await uow.accounts.get(cmd.account_id)
        if account is None:
            raise InvalidInput.one("account_id", "account_not_found", "Ce compte n'existe pas.")
        current = await uow.memberships.active(account.id, org.id)
        if current is not None:
            if current.role != role:
                previous = current.change_role(role, now)
                uow.publish(
                    events.MembershipRoleChanged(
                        membership_id=current.id,
                        account_id=account.id,
                        organisation_id=org.id,
                        previous_role=str(previous),
                        role=str(role),
                        changed_by=account.id,
                    )
                )
                await uow.commit()
            return current
        membership = grant(uow, account, org, role, now, None)
        audit(uow, now, "membership.provisioned", None, org.id, account.id, actor_kind="platform", role=str(role))
        await uow.commit()
    return membership


async def provision_api_client(
    cmd: commands.ProvisionApiClient, uow: UnitOfWork, ports: Ports
) -> tuple[ApiClient, bool]:
    """The client and whether it was created now; an existing one takes the operator's secret (the seed's file
    is the reference: a lost file gives new secrets, never a client nobody can use)."""
    now = ports.clock()
    async with uow:
        found = await uow.api_clients.by_client_id(cmd.client_id)
        if found is not None:
            if not same_digest(cmd.secret, found.secret_hash):
                found.secret_hash = digest(cmd.secret)
                audit(
                    uow,
                    now,
                    "api_client.secret_reset",
                    None,
                    found.organisation_id,
                    actor_kind="platform",
                    client_id=cmd.client_id,
                )
                await uow.commit()
            return found, False
        org = await organisation(uow, cmd.organisation_id)
        client = ApiClient(
            organisation_id=org.id,
            client_id=cmd.client_id,
            secret_hash=digest(cmd.secret),
            name=cmd.name,
            created_by=cmd.created_by,
            created_at=now,
        )
        uow.api_clients.add(client)
        audit(uow, now, "api_client.provisioned", None, org.id, actor_kind="platform", client_id=cmd.client_id)
        await uow.commit()
    return client, True
