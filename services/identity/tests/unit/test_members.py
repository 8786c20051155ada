import pytest

from passerelle.identity.domain.errors import Conflict, InvalidInput, InvalidLink, NotAllowed, NotFound
from passerelle.identity.domain.model import Invitation, Membership, OutgoingMail
from passerelle.identity.service_layer import commands, members, queries, sessions

ADMIN = "direction@dupain.example.fr"
COLLEAGUE = "compta@dupain.example.fr"


@pytest.fixture
async def dupain(world):
    admin = await world.person(ADMIN, "Claire Dupain")
    org = await world.employer(admin)
    return admin, org


async def invite(world, actor, org, email=COLLEAGUE, role="contributor"):
    return await members.invite_member(commands.InviteMember(actor.id, org.id, email, role), world.uow(), world.ports)


async def token_orgs(world, email):
    tokens = await sessions.log_in(commands.LogIn(email, world.password, "10.0.0.1"), world.uow(), world.ports)
    return world.claims(tokens.access_token)["orgs"]


async def test_invitation_mail_and_acceptance_by_the_invited_account(world, dupain):
    admin, org = dupain
    invitation = await invite(world, admin, org)
    assert invitation.email == COLLEAGUE and invitation.role == "contributor"
    [mail] = world.mails_to(COLLEAGUE)
    assert "Claire Dupain vous invite à rejoindre « Boulangerie Dupain »" in mail.body
    assert "/invitations/accepter?jeton=" in mail.body
    [event] = world.events("invitation.sent")
    assert event.invited_by == admin.id
    colleague = await world.person(COLLEAGUE, "Paul Lefort")
    secret = world.link_secret(COLLEAGUE)
    membership = await members.accept_invitation(
        commands.AcceptInvitation(colleague.id, secret), world.uow(), world.ports
    )
    assert membership.role == "contributor"
    assert [o["id"] for o in await token_orgs(world, COLLEAGUE)] == [str(org.id)]
    # Single use.
    with pytest.raises(InvalidLink):
        await members.accept_invitation(commands.AcceptInvitation(colleague.id, secret), world.uow(), world.ports)


async def test_an_invitation_expires(world, dupain):
    admin, org = dupain
    await invite(world, admin, org)
    colleague = await world.person(COLLEAGUE)
    world.clock.advance(days=8)
    with pytest.raises(InvalidLink):
        await members.accept_invitation(
            commands.AcceptInvitation(colleague.id, world.link_secret(COLLEAGUE)), world.uow(), world.ports
        )


async def test_an_invitation_belongs_to_the_invited_address(world, dupain):
    admin, org = dupain
    await invite(world, admin, org)
    intruder = await world.person("intrus@example.fr")
    with pytest.raises(NotAllowed) as caught:
        await members.accept_invitation(
            commands.AcceptInvitation(intruder.id, world.link_secret(COLLEAGUE)), world.uow(), world.ports
        )
    assert caught.value.code == "invitation_other_email"


async def test_a_newcomer_registers_from_the_invitation(world, dupain):
    admin, org = dupain
    await invite(world, admin, org, role="admin")
    cmd = commands.RegisterFromInvitation(world.link_secret(COLLEAGUE), "Paul Lefort", world.password)
    account, membership = await members.register_from_invitation(cmd, world.uow(), world.ports)
    assert account.is_confirmed and account.email == COLLEAGUE
    assert membership.role == "admin"
    assert {e.topic for e in world.store.events} >= {"account.registered", "account.confirmed", "membership.granted"}
    with pytest.raises(InvalidLink):
        await members.register_from_invitation(cmd, world.uow(), world.ports)


async def test_a_newer_invitation_replaces_the_pending_one(world, dupain):
    admin, org = dupain
    await invite(world, admin, org)
    old = world.link_secret(COLLEAGUE)
    await invite(world, admin, org, role="admin")
    colleague = await world.person(COLLEAGUE)
    with pytest.raises(InvalidLink):
        await members.accept_invitation(commands.AcceptInvitation(colleague.id, old), world.uow(), world.ports)
    membership = await members.accept_invitation(
        commands.AcceptInvitation(colleague.id, world.link_secret(COLLEAGUE)), world.uow(), world.ports
    )
    assert membership.role == "admin"


async def test_inviting_a_member_twice_or_with_a_foreign_role_is_refused(world, dupain):
    admin, org = dupain
    with pytest.raises(Conflict):
        await invite(world, admin, org, email=ADMIN)
    with pytest.raises(InvalidInput) as caught:
        await invite(world, admin, org, role="reviewer")
    assert caught.value.problems[0].path == "role"


async def test_a_non_administrator_cannot_invite_and_nothing_changes(world, dupain):
    admin, org = dupain
    contributor = await world.person(COLLEAGUE)
    await world.member(org, contributor, "contributor")
    outsider = await world.person("dehors@example.fr")
    before = (len(world.store.events), len(world.store.all(OutgoingMail)), world.store.all(Invitation))
    for actor, code in ((contributor, "not_administrator"), (outsider, "not_member")):
        with pytest.raises(NotAllowed) as caught:
            await invite(world, actor, org, email="nouveau@example.fr", role="admin")
        assert caught.value.code == code
    assert (len(world.store.events), len(world.store.all(OutgoingMail)), world.store.all(Invitation)) == before


async def test_promote_then_revoke_a_colleague_whose_next_token_loses_the_organisation(world, dupain):
    admin, org = dupain
    colleague = await world.person(COLLEAGUE)
    membership = await world.member(org, colleague, "contributor")
    promoted = await members.change_role(
        commands.ChangeRole(admin.id, org.id, membership.id, "admin"), world.uow(), world.ports
    )
    assert promoted.role == "admin"
    [changed] = world.events("membership.role_changed")
    assert (changed.previous_role, changed.role, changed.changed_by) == ("contributor", "admin", admin.id)
    assert (await token_orgs(world, COLLEAGUE))[0]["role"] == "admin"
    await members.revoke_membership(
        commands.RevokeMembership(admin.id, org.id, membership.id), world.uow(), world.ports
    )
    [revoked] = world.events("membership.revoked")
    assert revoked.account_id == colleague.id and revoked.revoked_by == admin.id
    assert await token_orgs(world, COLLEAGUE) == []
    actions = [e.action for e in await queries.audit_log(world.uow(), admin.id, org.id)]
    assert {"membership.role_changed", "membership.revoked"} <= set(actions)


async def test_the_last_administrator_can_be_neither_demoted_nor_removed(world, dupain):
    admin, org = dupain
    [own] = [m for m in world.store.all(Membership) if m.account_id == admin.id]
    with pytest.raises(Conflict) as caught:
        await members.change_role(
            commands.ChangeRole(admin.id, org.id, own.id, "contributor"), world.uow(), world.ports
        )
    assert caught.value.code == "last_administrator"
    with pytest.raises(Conflict):
        await members.revoke_membership(commands.RevokeMembership(admin.id, org.id, own.id), world.uow(), world.ports)


async def test_a_contributor_may_leave_but_not_remove_others(world, dupain):
    admin, org = dupain
    colleague = await world.person(COLLEAGUE)
    membership = await world.member(org, colleague, "contributor")
    [admin_membership] = [m for m in world.store.all(Membership) if m.account_id == admin.id]
    with pytest.raises(NotAllowed):
        await members.revoke_membership(
            commands.RevokeMembership(colleague.id, org.id, admin_membership.id), world.uow(), world.ports
        )
    await members.revoke_membership(
        commands.RevokeMembership(colleague.id, org.id, membership.id), world.uow(), world.ports
    )
    assert not membership.is_active


async def test_join_request_accepted_or_refused_by_an_administrator(world, dupain):
    admin, org = dupain
    applicant = await world.person(COLLEAGUE, "Paul Lefort")
    request = await members.request_to_join(
        commands.RequestToJoin(applicant.id, org.id, "Je suis le comptable."), world.uow(), world.ports
    )
    [asked] = world.events("membership.requested")
    assert asked.email == COLLEAGUE and asked.message == "Je suis le comptable."
    with pytest.raises(Conflict):
        await members.request_to_join(commands.RequestToJoin(applicant.id, org.id), world.uow(), world.ports)
    with pytest.raises(NotAllowed):
        await members.decide_join_request(
            commands.DecideJoinRequest(applicant.id, org.id, request.id, accept=True), world.uow(), world.ports
        )
    membership = await members.decide_join_request(
        commands.DecideJoinRequest(admin.id, org.id, request.id, accept=True), world.uow(), world.ports
    )
    assert membership.role == "contributor"
    with pytest.raises(Conflict):
        await members.decide_join_request(
            commands.DecideJoinRequest(admin.id, org.id, request.id, accept=False), world.uow(), world.ports
        )
    other = await world.person("autre@example.fr")
    refused = await members.request_to_join(commands.RequestToJoin(other.id, org.id), world.uow(), world.ports)
    assert (
        await members.decide_join_request(
            commands.DecideJoinRequest(admin.id, org.id, refused.id, accept=False), world.uow(), world.ports
        )
        is None
    )
    assert await queries.pending_join_requests(world.uow(), admin.id, org.id) == []


async def test_several_accounts_under_one_siret_and_one_person_in_several_organisations(world, dupain):
    admin, org = dupain
    garage_admin = await world.person("contact@garage-martin.example.fr")
    garage = await world.employer(garage_admin, "43935504100021", "Garage Martin")
    colleague = await world.person(COLLEAGUE)
    await world.member(org, colleague, "contributor")
    await world.member(garage, colleague, "admin")
    listed = await queries.members(world.uow(), admin.id, org.id)
    assert {a.email for _, a in listed} == {ADMIN, COLLEAGUE}
    assert {o["siret"]: o["role"] for o in await token_orgs(world, COLLEAGUE)} == {
        "81208328500013": "contributor",
        "43935504100021": "admin",
    }


async def test_opco_staff_roles_managed_by_the_opco_administrator(world):
    opco = await world.opco()
    opco_admin = await world.person("admin@opcommerce.example.fr")
    await world.member(opco, opco_admin, "admin")
    reviewer = await world.person("instructeur@opcommerce.example.fr")
    membership = await world.member(opco, reviewer, "reviewer")
    changed = await members.change_role(
        commands.ChangeRole(opco_admin.id, opco.id, membership.id, "supervisor"), world.uow(), world.ports
    )
    assert changed.role == "supervisor"
    with pytest.raises(InvalidInput):
        await members.change_role(
            commands.ChangeRole(opco_admin.id, opco.id, membership.id, "contributor"), world.uow(), world.ports
        )
    [claim] = await token_orgs(world, "instructeur@opcommerce.example.fr")
    assert (claim["kind"], claim["role"], claim["opco"]) == ("opco", "supervisor", "OPCOMMERCE")
    # A supervisor supervises cases, not people.
    with pytest.raises(NotAllowed):
        await members.invite_member(
            commands.InviteMember(reviewer.id, opco.id, "nouveau@opcommerce.example.fr", "reviewer"),
            world.uow(),
            world.ports,
        )


async def test_unknown_member(world, dupain):
    admin, org = dupain
    with pytest.raises(NotFound):
        await members.change_role(
            commands.ChangeRole(admin.id, org.id, __import__("uuid").uuid4(), "admin"), world.uow(), world.ports
        )
