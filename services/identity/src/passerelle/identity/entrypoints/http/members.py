"""Members of an organisation: invitations, requests to join, roles, removal."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from passerelle.identity.entrypoints.http.dependencies import CurrentUser, IdentityDep
from passerelle.identity.entrypoints.http.schemas import (
    AccountPublic,
    InvitationCreate,
    InvitationPublic,
    InvitationRegistration,
    JoinDecision,
    JoinRequestCreate,
    JoinRequestPublic,
    LinkToken,
    MemberPublic,
    MembershipOfAccount,
    OrganisationPublic,
    RoleUpdate,
    errors,
)
from passerelle.identity.service_layer import commands, members, queries

router = APIRouter(tags=["membres"])
ORG = "/organisations/{organisation_id}"


@router.get(f"{ORG}/members", summary="Les membres de l'organisme", responses=errors(401, 403, 404))
async def list_members(organisation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> list[MemberPublic]:
    return [MemberPublic.of(m, a) for m, a in await queries.members(ctx.uow(), who.subject, organisation_id)]


@router.patch(
    f"{ORG}/members/{{membership_id}}",
    summary="Changer le rôle d'un membre (administrateur)",
    responses=errors(401, 403, 404, 409, 422),
)
async def change_role(
    organisation_id: UUID, membership_id: UUID, body: RoleUpdate, who: CurrentUser, ctx: IdentityDep
) -> MemberPublic:
    cmd = commands.ChangeRole(who.subject, organisation_id, membership_id, body.role)
    membership = await members.change_role(cmd, ctx.uow(), ctx.ports)
    listed = {m.id: (m, a) for m, a in await queries.members(ctx.uow(), who.subject, organisation_id)}
    return MemberPublic.of(*listed[membership.id])


@router.delete(
    f"{ORG}/members/{{membership_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Retirer un membre (administrateur), ou quitter l'organisme (sa propre adhésion)",
    responses=errors(401, 403, 404, 409),
)
async def revoke(organisation_id: UUID, membership_id: UUID, who: CurrentUser, ctx: IdentityDep) -> None:
    await members.revoke_membership(
        commands.RevokeMembership(who.subject, organisation_id, membership_id), ctx.uow(), ctx.ports
    )


@router.post(
    f"{ORG}/invitations",
    status_code=status.HTTP_201_CREATED,
    summary="Inviter une personne par courriel (administrateur)",
    responses=errors(401, 403, 404, 409, 422),
)
async def invite(organisation_id: UUID, body: InvitationCreate, who: CurrentUser, ctx: IdentityDep) -> InvitationPublic:
    cmd = commands.InviteMember(who.subject, organisation_id, body.email, body.role)
    return InvitationPublic.of(await members.invite_member(cmd, ctx.uow(), ctx.ports))


@router.get(f"{ORG}/invitations", summary="Invitations en attente (administrateur)", responses=errors(401, 403, 404))
async def list_invitations(organisation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> list[InvitationPublic]:
    found = await queries.pending_invitations(ctx.uow(), ctx.ports, who.subject, organisation_id)
    return [InvitationPublic.of(i) for i in found]


@router.delete(
    f"{ORG}/invitations/{{invitation_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Annuler une invitation (administrateur)",
    responses=errors(401, 403, 404, 409),
)
async def cancel_invitation(organisation_id: UUID, invitation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> None:
    await members.cancel_invitation(
        commands.CancelInvitation(who.subject, organisation_id, invitation_id), ctx.uow(), ctx.ports
    )


@router.post(
    "/invitations/accept",
    summary="Accepter une invitation (connecté, avec l'adresse invitée)",
    responses=errors(401, 403, 409, 410),
)
async def accept_invitation(body: LinkToken, who: CurrentUser, ctx: IdentityDep) -> MembershipOfAccount:
    membership = await members.accept_invitation(
        commands.AcceptInvitation(who.subject, body.token), ctx.uow(), ctx.ports
    )
    org, _ = await queries.organisation_of_member(ctx.uow(), who.subject, membership.organisation_id)
    return MembershipOfAccount(
        membership_id=membership.id, role=str(membership.role), organisation=OrganisationPublic.of(org)
    )  # type: ignore[arg-type]


@router.post(
    "/invitations/register",
    status_code=status.HTTP_201_CREATED,
    summary="Créer son compte depuis une invitation (l'adresse est confirmée par le lien)",
    responses=errors(409, 410, 422),
)
async def register_from_invitation(body: InvitationRegistration, ctx: IdentityDep) -> AccountPublic:
    cmd = commands.RegisterFromInvitation(body.token, body.full_name, body.password, body.phone)
    account, _ = await members.register_from_invitation(cmd, ctx.uow(), ctx.ports)
    return AccountPublic.of(account)


@router.post(
    f"{ORG}/join-requests",
    status_code=status.HTTP_201_CREATED,
    summary="Demander à rejoindre un organisme",
    responses=errors(401, 404, 409),
)
async def request_to_join(
    organisation_id: UUID, body: JoinRequestCreate, who: CurrentUser, ctx: IdentityDep
) -> JoinRequestPublic:
    request = await members.request_to_join(
        commands.RequestToJoin(who.subject, organisation_id, body.message), ctx.uow(), ctx.ports
    )
    return JoinRequestPublic.of(request)


@router.get(f"{ORG}/join-requests", summary="Demandes en attente (administrateur)", responses=errors(401, 403, 404))
async def list_join_requests(organisation_id: UUID, who: CurrentUser, ctx: IdentityDep) -> list[JoinRequestPublic]:
    found = await queries.pending_join_requests(ctx.uow(), who.subject, organisation_id)
    return [JoinRequestPublic.of(r, a) for r, a in found]


@router.post(
    f"{ORG}/join-requests/{{request_id}}/accept",
    summary="Accepter une demande (administrateur)",
    responses=errors(401, 403, 404, 409, 422),
)
async def accept_join_request(
    organisation_id: UUID, request_id: UUID, body: JoinDecision, who: CurrentUser, ctx: IdentityDep
) -> MemberPublic:
    cmd = commands.DecideJoinRequest(who.subject, organisation_id, request_id, accept=True, role=body.role)
    membership = await members.decide_join_request(cmd, ctx.uow(), ctx.ports)
    listed = {m.id: (m, a) for m, a in await queries.members(ctx.uow(), who.subject, organisation_id)}
    return MemberPublic.of(*listed[membership.id])  # type: ignore[union-attr]


@router.post(
    f"{ORG}/join-requests/{{request_id}}/refuse",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Refuser une demande (administrateur)",
    responses=errors(401, 403, 404, 409),
)
async def refuse_join_request(organisation_id: UUID, request_id: UUID, who: CurrentUser, ctx: IdentityDep) -> None:
    cmd = commands.DecideJoinRequest(who.subject, organisation_id, request_id, accept=False)
    await members.decide_join_request(cmd, ctx.uow(), ctx.ports)
