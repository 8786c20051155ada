import pytest

from passerelle.identity.domain.errors import Conflict, InvalidInput, NotAllowed
from passerelle.identity.domain.model import AuditEntry, Organisation
from passerelle.identity.service_layer import commands, organisations, queries

SIRET = "81208328500013"
SECOND_SIRET = "81208328500021"
OTHER_COMPANY = "43935504100021"


async def test_the_first_account_of_an_organisation_administers_it(world):
    admin = await world.person("direction@dupain.example.fr")
    cmd = commands.RegisterOrganisation(
        actor_id=admin.id, kind="employer", name=" Boulangerie  Dupain ", siret="812 083 285 00013"
    )
    org, membership = await organisations.register_organisation(cmd, world.uow(), world.ports)
    assert (org.siret, org.siren, org.name) == (SIRET, "812083285", "Boulangerie Dupain")
    assert membership.role == "admin"
    [registered] = world.events("organisation.registered")
    assert registered.siret == SIRET and registered.kind == "employer"
    [granted] = world.events("membership.granted")
    assert granted.account_id == admin.id and granted.role == "admin" and granted.siren == "812083285"
    assert [e.action for e in world.store.all(AuditEntry)][-1] == "organisation.registered"


async def test_an_organisation_is_registered_once(world):
    first = await world.person("direction@dupain.example.fr")
    org = await world.employer(first)
    second = await world.person("compta@dupain.example.fr")
    with pytest.raises(Conflict) as caught:
        await world.employer(second)
    assert caught.value.code == "organisation_exists"
    assert caught.value.details == {"organisation_id": str(org.id)}


async def test_training_organisations_need_a_valid_uai_and_siret_and_all_errors_show_together(world):
    admin = await world.person("direction@cfa-alimentation.example.fr")
    cmd = commands.RegisterOrganisation(admin.id, "training", "CFA", siret="19793776650012", uai="0754321Q")
    with pytest.raises(InvalidInput) as caught:
        await organisations.register_organisation(cmd, world.uow(), world.ports)
    assert {(p.path, p.code) for p in caught.value.problems} == {
        ("siret", "siret_checksum"),
        ("uai", "uai_checksum"),
    }
    missing = commands.RegisterOrganisation(admin.id, "training", "CFA", siret="19793776650011")
    with pytest.raises(InvalidInput) as caught:
        await organisations.register_organisation(missing, world.uow(), world.ports)
    assert caught.value.problems[0].path == "uai"
    ok = commands.RegisterOrganisation(admin.id, "training", "CFA", siret="19793776650011", uai="0754321p")
    org, _ = await organisations.register_organisation(ok, world.uow(), world.ports)
    assert org.uai == "0754321P"


async def test_opcos_are_not_registered_from_an_account(world):
    someone = await world.person("quelqu.un@example.fr")
    cmd = commands.RegisterOrganisation(someone.id, "opco", "Mon OPCO")
    with pytest.raises(NotAllowed):
        await organisations.register_organisation(cmd, world.uow(), world.ports)


async def test_an_administrator_declares_another_siret_of_the_same_company(world):
    admin = await world.person("direction@dupain.example.fr")
    org = await world.employer(admin)
    cmd = commands.DeclareEstablishment(
        admin.id,
        org.id,
        SECOND_SIRET,
        "Boulangerie Dupain - Boulogne",
        administrator_email="boulogne@dupain.example.fr",
    )
    second, membership = await organisations.declare_establishment(cmd, world.uow(), world.ports)
    assert second.siren == org.siren and membership.role == "admin"
    # The named person is invited as administrator of the new SIRET.
    [invited] = world.events("invitation.sent")
    assert invited.organisation_id == second.id and invited.role == "admin"
    assert world.mails_to("boulogne@dupain.example.fr")
    found = await queries.establishments(world.uow(), admin.id, org.id)
    assert [o.siret for o in found] == [SIRET, SECOND_SIRET]


async def test_another_company_siret_cannot_be_declared(world):
    admin = await world.person("direction@dupain.example.fr")
    org = await world.employer(admin)
    cmd = commands.DeclareEstablishment(admin.id, org.id, OTHER_COMPANY, "Garage Martin")
    with pytest.raises(InvalidInput) as caught:
        await organisations.declare_establishment(cmd, world.uow(), world.ports)
    assert caught.value.problems[0].code == "siret_other_company"


async def test_a_contributor_cannot_declare_an_establishment_and_nothing_changes(world):
    admin = await world.person("direction@dupain.example.fr")
    org = await world.employer(admin)
    contributor = await world.person("compta@dupain.example.fr", "Paul Lefort")
    await world.member(org, contributor, "contributor")
    before = (len(world.store.events), len(world.store.all(Organisation)))
    cmd = commands.DeclareEstablishment(contributor.id, org.id, SECOND_SIRET, "Boulogne")
    with pytest.raises(NotAllowed) as caught:
        await organisations.declare_establishment(cmd, world.uow(), world.ports)
    assert caught.value.code == "not_administrator"
    assert (len(world.store.events), len(world.store.all(Organisation))) == before


async def test_lookup_by_public_identifier(world):
    admin = await world.person("direction@dupain.example.fr")
    org = await world.employer(admin)
    assert (await queries.find_organisation(world.uow(), siret=SIRET)).id == org.id
    with pytest.raises(InvalidInput):
        await queries.find_organisation(world.uow(), siret="123")
