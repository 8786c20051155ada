"""Use cases of membership: invitations, requests to join, roles, removal.

Every one of them checks the actor's right in the database first; refused, it changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from passerelle.identity.domain.errors import Conflict, InvalidLink, NotAllowed, NotFound
from passerelle.identity.domain.identifiers import EmailAddress
from passerelle.identity.domain.model import Account, Invitation, JoinRequest, Membership, Organisation
from passerelle.identity.domain.profile import clean_name, clean_phone
from passerelle.identity.domain.roles import (
    DEFAULT_ROLE,
    Action,
    OrganisationKind,
    Role,
    check_role_for_kind,
    ensure_an_admin_remains,
    may,
)
from passerelle.identity.domain.tokens import digest, new_secret
from passerelle.identity.service_layer import commands, mails
from passerelle.identity.service_layer.access import active_account, organisation, require
from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.identity.service_layer.records import (
    account_confirmed,
    account_registered,
    audit,
    membership_granted,
)
from passerelle.schemas.events import identity as events

INVITE_PATH = "/invitations/accepter"
ALREADY_MEMBER = "Cette personne est déjà membre de l'organisation."


def grant(
    uow: UnitOfWork, account: Account, org: Organisation, role: Role, now: datetime, by: UUID | None
) -> Membership:
    membership = Membership(account_id=account.id, organisation_id=org.id, role=role, granted_at=now, granted_by=by)
    uow.memberships.add(membership)
    uow.publish(membership_granted(membership, account, org))
    return membership


async def _member(uow: UnitOfWork, organisation_id: UUID, membership_id: UUID) -> Membership:
    membership = await uow.memberships.get(membership_id)
    if membership is None or membership.organisation_id != organisation_id or not membership.is_active:
        raise NotFound("Ce membre est introuvable dans cette organisation.", "member_not_found")
    return membership


async def _admins_left(uow: UnitOfWork, organisation_id: UUID, without: UUID) -> int:
    members = await uow.memberships.of_organisation(organisation_id)
    return sum(1 for m in members if m.is_active and m.role == Role.ADMIN and m.id != without)


async def send_invitation(
    uow: UnitOfWork, ports: Ports, inviter: Account, org: Organisation, email: str, role: Role, now: datetime
) -> Invitation:
    """A pending invitation to the same address is replaced: only the newest link works."""
    invited = await uow.accounts.by_email(email)
    if invited is not None and await uow.memberships.active(invited.id, org.id) is not None:
        raise Conflict(ALREADY_MEMBER, "already_member")
    for older in await uow.invitations.of_organisation(org.id):
        if older.email == email and older.is_pending(now):
            older.cancel(now)
    secret = new_secret()
    lifetime = ports.policy.invitation_lifetime
    invitation = Invitation(
        organisation_id=org.id,
        email=email,
        role=role,
        token_hash=digest(secret),
        invited_by=inviter.id,
        created_at=now,
        expires_at=now + lifetime,
    )
    uow.invitations.add(invitation)
    url = mails.link(ports.policy.portal_url, INVITE_PATH, secret)
    uow.mails.add(
        mails.invitation(email, inviter.full_name, org.name, OrganisationKind(org.kind), role, url, lifetime, now)
    )
    uow.publish(
        events.InvitationSent(
            invitation_id=invitation.id,
            organisation_id=org.id,
            email=email,
            role=str(role),
            invited_by=inviter.id,
            expires_at=invitation.expires_at,
        )
    )
    audit(
        uow,
        now,
        "invitation.sent",
        inviter.id,
        org.id,
        invited.id if invited else None,
        email=email,
        role=str(role),
        invitation_id=invitation.id,
    )
    return invitation


async def invite_member(cmd: commands.InviteMember, uow: UnitOfWork, ports: Ports) -> Invitation:
    now = ports.clock()
    email = EmailAddress.parse(cmd.email)
    async with uow:
        org, _ = await require(uow, cmd.actor_id, cmd.organisation_id, Action.INVITE)
        role = check_role_for_kind(org.kind, cmd.role)
        inviter = await active_account(uow, cmd.actor_id)
        invitation = await send_invitation(uow, ports, inviter, org, email.value, role, now)
        await uow.commit()
    return invitation


async def cancel_invitation(cmd: commands.CancelInvitation, uow: UnitOfWork, ports: Ports) -> None:
    now = ports.clock()
    async with uow:
        org, _ = await require(uow, cmd.actor_id, cmd.organisation_id, Action.INVITE)
        invitation = await uow.invitations.get(cmd.invitation_id)
        if invitation is None or invitation.organisation_id != org.id:
            raise NotFound("Invitation introuvable.", "invitation_not_found")
        invitation.cancel(now)
        audit(
            uow, now, "invitation.cancelled", cmd.actor_id, org.id, email=invitation.email, invitation_id=invitation.id
        )
        await uow.commit()


async def _pending_invitation(uow: UnitOfWork, token: str, now: datetime) -> Invitation:
    invitation = await uow.invitations.by_token_hash(digest(token))
    if invitation is None or not invitation.is_pending(now):
        raise InvalidLink("Cette invitation n'est plus valable (déjà utilisée, annulée ou expirée).")
    return invitation


async def _join_by_invitation(uow: UnitOfWork, invitation: Invitation, account: Account, now: datetime) -> Membership:
    org = await organisation(uow, invitation.organisation_id)
    if await uow.memberships.active(account.id, org.id) is not None:
        raise Conflict("Vous êtes déjà membre de cette organisation.", "already_member")
    invitation.accept(account.id, now)
    # The link reached this mailbox: the address is proven.
    if account.confirm_email(now):
        uow.publish(account_confirmed(account))
    membership = grant(uow, account, org, Role(invitation.role), now, invitation.invited_by)
    audit(
        uow,
        now,
        "invitation.accepted",
        account.id,
        org.id,
        account.id,
        invited_by=invitation.invited_by,
        role=str(invitation.role),
        invitation_id=invitation.id,
    )
    return membership


async def accept_invitation(cmd: commands.AcceptInvitation, uow: UnitOfWork, ports: Ports) -> Membership:
    now = ports.clock()
    async with uow:
        account = await active_account(uow, cmd.account_id)
        invitation = await _pending_invitation(uow, cmd.token, now)
        if invitation.email != account.email:
            raise NotAllowed(
                "Cette invitation a été envoyée à une autre adresse électronique.", "invitation_other_email"
            )
        membership = await _join_by_invitation(uow, invitation, account, now)
        await uow.commit()
    return membership


async def register_from_invitation(
    cmd: commands.RegisterFromInvitation, uow: UnitOfWork, ports: Ports
) -> tuple[Account, Membership]:
    """Someone without an account opens the link: the account is created confirmed and joins at once."""
    now = ports.clock()
    full_name = clean_name(cmd.full_name)
    phone = clean_phone(cmd.phone)
    async with uow:
        invitation = await _pending_invitation(uow, cmd.token, now)
        if await uow.accounts.by_email(invitation.email) is not None:
            raise Conflict(
                "Un compte existe déjà pour cette adresse : connectez-vous, puis acceptez l'invitation.",
                "account_exists",
            )
        ports.passwords.check(cmd.password, invitation.email, full_name)
        account = Account(
            email=invitation.email,
            full_name=full_name,
            password_hash=await ports.hasher.hash(cmd.password),
            created_at=now,
            phone=phone,
        )
        account.updated_at = now
        uow.accounts.add(account)
        uow.publish(account_registered(account))
        membership = await _join_by_invitation(uow, invitation, account, now)
        await uow.commit()
    return account, membership


async def request_to_join(cmd: commands.RequestToJoin, uow: UnitOfWork, ports: Ports) -> JoinRequest:
    now = ports.clock()
    message = " ".join((cmd.message or "").split())[:1000] or None
    async with uow:
        account = await active_account(uow, cmd.account_id)
        org = await organisation(uow, cmd.organisation_id)
        if await uow.memberships.active(account.id, org.id) is not None:
            raise Conflict("Vous êtes déjà membre de cette organisation.", "already_member")
        if any(r.account_id == account.id for r in await uow.join_requests.pending(org.id)):
            raise Conflict("Votre demande est déjà en attente auprès des administrateurs.", "join_request_pending")
        request = JoinRequest(organisation_id=org.id, account_id=account.id, created_at=now, message=message)
        uow.join_requests.add(request)
        uow.publish(
            events.MembershipRequested(
                request_id=request.id,
                organisation_id=org.id,
                account_id=account.id,
                email=account.email,
                full_name=account.full_name,
                message=message,
            )
        )
        await uow.commit()
    return request


async def decide_join_request(cmd: commands.DecideJoinRequest, uow: UnitOfWork, ports: Ports) -> Membership | None:
    now = ports.clock()
    async with uow:
        org, _ = await require(uow, cmd.actor_id, cmd.organisation_id, Action.DECIDE_JOIN_REQUEST)
        request = await uow.join_requests.get(cmd.request_id)
        if request is None or request.organisation_id != org.id:
            raise NotFound("Demande introuvable.", "join_request_not_found")
        role = check_role_for_kind(org.kind, cmd.role) if cmd.role else DEFAULT_ROLE[OrganisationKind(org.kind)]
        request.decide(cmd.accept, cmd.actor_id, now)
        membership = None
        if cmd.accept:
            account = await active_account(uow, request.account_id)
            if await uow.memberships.active(account.id, org.id) is not None:
                raise Conflict(ALREADY_MEMBER, "already_member")
            membership = grant(uow, account, org, role, now, cmd.actor_id)
        audit(
            uow,
            now,
            "join_request.accepted" if cmd.accept else "join_request.refused",
            cmd.actor_id,
            org.id,
            request.account_id,
            request_id=request.id,
            role=str(role) if cmd.accept else None,
        )
        await uow.commit()
    return membership


async def change_role(cmd: commands.ChangeRole, uow: UnitOfWork, ports: Ports) -> Membership:
    now = ports.clock()
    async with uow:
        org, _ = await require(uow, cmd.actor_id, cmd.organisation_id, Action.CHANGE_ROLE)
        role = check_role_for_kind(org.kind, cmd.role)
        membership = await _member(uow, org.id, cmd.membership_id)
        if membership.role == Role.ADMIN and role != Role.ADMIN:
            ensure_an_admin_remains(await _admins_left(uow, org.id, without=membership.id))
        previous = membership.change_role(role, now)
        uow.publish(
            events.MembershipRoleChanged(
                membership_id=membership.id,
                account_id=membership.account_id,
                organisation_id=org.id,
                previous_role=str(previous),
                role=str(role),
                changed_by=cmd.actor_id,
            )
        )
        audit(
            uow,
            now,
            "membership.role_changed",
            cmd.actor_id,
            org.id,
            membership.account_id,
            previous_role=str(previous),
            role=str(role),
            membership_id=membership.id,
        )
        await uow.commit()
    return membership


async def revoke_membership(cmd: commands.RevokeMembership, uow: UnitOfWork, ports: Ports) -> None:
    """An administrator removes a member, or a member leaves (revokes their own membership)."""
    now = ports.clock()
    async with uow:
        await active_account(uow, cmd.actor_id)
        org = await organisation(uow, cmd.organisation_id)
        own = await uow.memberships.active(cmd.actor_id, org.id)
        if own is None:
            raise NotAllowed("Vous n'êtes pas membre de cette organisation.", "not_member")
        leaving = own.id == cmd.membership_id
        if not leaving and not may(own.role, Action.REVOKE_MEMBER):
            raise NotAllowed("Vous n'administrez pas cette organisation.", "not_administrator")
        membership = await _member(uow, org.id, cmd.membership_id)
        if membership.role == Role.ADMIN:
            ensure_an_admin_remains(await _admins_left(uow, org.id, without=membership.id))
        membership.revoke(now, cmd.actor_id)
        uow.publish(
            events.MembershipRevoked(
                membership_id=membership.id,
                account_id=membership.account_id,
                organisation_id=org.id,
                revoked_by=cmd.actor_id,
            )
        )
        audit(
            uow,
            now,
            "membership.left" if leaving else "membership.revoked",
            cmd.actor_id,
            org.id,
            membership.account_id,
            role=str(membership.role),
            membership_id=membership.id,
        )
        await uow.commit()
