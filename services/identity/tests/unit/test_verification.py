"""Claiming an organisation needs proof of control (issue #10, item 1)."""

import re

import pytest

from passerelle.identity.adapters.postal import postal_inbox
from passerelle.identity.domain.errors import Conflict, InvalidInput, NotAllowed
from passerelle.identity.service_layer import api_clients, commands, organisations, sessions, verification

CFA_SIRET, CFA_UAI, OTHER_UAI = "19793776650011", "0754321P", "0753456Z"


async def token_orgs(world, email):
    tokens = await sessions.log_in(commands.LogIn(email, world.password, "10.0.0.1"), world.uow(), world.ports)
    return world.claims(tokens.access_token)["orgs"]


async def training(world, admin, siret=CFA_SIRET, uai=CFA_UAI):
    cmd = commands.RegisterOrganisation(actor_id=admin.id, kind="training", name="CFA", siret=siret, uai=uai)
    org, _ = await organisations.register_organisation(cmd, world.uow(), world.ports)
    return org


def letter_code(world, siret):
    body = world.mails_to(postal_inbox(siret))[-1].body
    return re.search(r"    (\d{4}) (\d{4})", body).group(1, 2)


async def test_a_new_organisation_is_unverified_and_its_token_carries_nothing(world):
    admin = await world.person("claire@dupain.example.fr")
    org = await world.employer(admin, verified=False)
    assert not org.is_verified
    assert await token_orgs(world, admin.email) == []


async def test_an_unverified_membership_travels_as_pending_until_the_organisation_is_verified(world):
    admin = await world.person("claire@dupain.example.fr")
    org = await world.employer(admin, verified=False)
    tokens = await sessions.log_in(commands.LogIn(admin.email, world.password, "10.0.0.1"), world.uow(), world.ports)
    claims = world.claims(tokens.access_token)
    assert claims["orgs"] == []
    assert claims["pending"] == [{"id": str(org.id), "kind": "employer", "role": "admin", "siret": org.siret}]
    opco = await world.opco()
    staff = await world.person("superviseur@opcommerce.example.fr")
    await world.member(opco, staff, "supervisor")
    await verification.approve(staff.id, org.id, world.uow(), world.ports)
    [verified] = world.events("organisation.verified")
    assert (verified.organisation_id, verified.siret, verified.method) == (org.id, org.siret, "opco_approval")
    assert verified.member_account_ids == [admin.id] and verified.verified_by == staff.id
    tokens = await sessions.log_in(commands.LogIn(admin.email, world.password, "10.0.0.1"), world.uow(), world.ports)
    claims = world.claims(tokens.access_token)
    assert [o["siret"] for o in claims["orgs"]] == [org.siret] and "pending" not in claims


async def test_an_existing_cfas_siret_cannot_be_claimed_with_a_fresh_uai(world):
    owner = await world.person("direction@cfa.example.fr")
    await training(world, owner)
    intruder = await world.person("pirate@example.fr")
    with pytest.raises(Conflict) as exists:
        await training(world, intruder, uai=OTHER_UAI)
    assert exists.value.code == "organisation_exists"


async def test_a_code_by_post_to_the_registered_address_verifies_it(world):
    admin = await world.person("claire@dupain.example.fr")
    org = await world.employer(admin, verified=False)
    await verification.send_postal_code(admin.id, org.id, world.uow(), world.ports)
    first, second = letter_code(world, org.siret)
    assert world.mails_to(admin.email)[-1:] == [] or "code" not in world.mails_to(admin.email)[-1].body
    wrong = "0" * 8 if first + second != "0" * 8 else "1" * 8
    with pytest.raises(InvalidInput) as refused:
        await verification.confirm_postal_code(admin.id, org.id, wrong, world.uow(), world.ports)
    assert refused.value.problems[0].code == "postal_code_wrong"
    verified = await verification.confirm_postal_code(admin.id, org.id, first + second, world.uow(), world.ports)
    assert verified.is_verified and verified.verification == "postal_code"
    assert [e.method for e in world.events("organisation.verified")] == ["postal_code"]
    assert [o["siret"] for o in await token_orgs(world, admin.email)] == [org.siret]


async def test_postal_codes_resist_guessing(world):
    admin = await world.person("claire@dupain.example.fr")
    org = await world.employer(admin, verified=False)
    await verification.send_postal_code(admin.id, org.id, world.uow(), world.ports)
    code = "".join(letter_code(world, org.siret))
    for guess in range(5):
        with pytest.raises(InvalidInput):
            await verification.confirm_postal_code(admin.id, org.id, f"{guess:08d}x", world.uow(), world.ports)
    with pytest.raises(InvalidInput) as locked:
        await verification.confirm_postal_code(admin.id, org.id, code, world.uow(), world.ports)
    assert locked.value.problems[0].code == "postal_code_locked"
    with pytest.raises(Conflict):  # a new letter only days later
        await verification.send_postal_code(admin.id, org.id, world.uow(), world.ports)


async def test_only_opco_staff_or_operators_approve(world):
    admin = await world.person("claire@dupain.example.fr")
    org = await world.employer(admin, verified=False)
    other = await world.person("autre@garage.example.fr")
    await world.employer(other, siret="43935504100021")
    with pytest.raises(NotAllowed):
        await verification.approve(other.id, org.id, world.uow(), world.ports)
    opco = await world.opco()
    staff = await world.person("superviseur@opcommerce.example.fr")
    await world.member(opco, staff, "supervisor")
    approved = await verification.approve(staff.id, org.id, world.uow(), world.ports)
    assert approved.is_verified and approved.verification == "opco_approval" and approved.verified_by == staff.id


async def test_machine_clients_of_an_unverified_organisation_get_no_token(world):
    admin = await world.person("claire@dupain.example.fr")
    org = await world.employer(admin, verified=False)
    client, secret = await api_clients.create_api_client(
        commands.CreateApiClient(admin.id, org.id, "Paie"), world.uow(), world.ports
    )
    with pytest.raises(NotAllowed) as refused:
        await sessions.issue_client_token(
            commands.IssueClientToken(client.client_id, secret, "10.0.0.1"), world.uow(), world.ports
        )
    assert refused.value.code == "organisation_not_verified"
