from datetime import UTC, datetime
from uuid import uuid4

import pytest

from passerelle.documents.domain.access import ContractAccess, may_see, may_upload
from passerelle.libs.auth import principal_from_claims
from passerelle.libs.testing.tokens import employer_claim, opco_claim, org_claim, training_claim


def principal(*orgs, kind="user"):
    return principal_from_claims({"sub": str(uuid4()), "kind": kind, "orgs": list(orgs)})


def contract(transmitted=False, **parties):
    values = {"employer_siret": "73282932000074", "training_uai": "0751234J", "training_siret": "19750001700015"}
    values.update(parties)
    return ContractAccess(
        contract_id=uuid4(),
        opco_code=values.pop("opco_code", "OPCO-EP"),
        transmitted=transmitted,
        updated_at=datetime.now(UTC),
        **values,
    )


@pytest.mark.parametrize(
    "member",
    [
        employer_claim("73282932000074"),
        training_claim("0751234J"),
        training_claim("0999999Z", siret="19750001700015"),
    ],
)
def test_every_party_sees_the_documents(member):
    assert may_see(principal(member), contract())


def test_an_organisation_not_on_the_contract_sees_nothing():
    assert not may_see(principal(employer_claim("55210055400013")), contract())
    assert not may_see(principal(), contract())


def test_an_employer_siret_does_not_count_as_the_training_siret():
    # The same number, but as an employer membership: it is not the training organisation.
    assert not may_see(principal(employer_claim("19750001700015")), contract(employer_siret=None))


def test_opco_staff_see_contracts_transmitted_to_their_opco_only():
    staff = principal(opco_claim("OPCO-EP"))
    assert not may_see(staff, contract(transmitted=False))
    assert may_see(staff, contract(transmitted=True))
    assert not may_see(principal(opco_claim("AKTO")), contract(transmitted=True))
    assert not may_see(staff, contract(transmitted=True, opco_code=None))


def test_an_opco_membership_without_the_opco_kind_grants_nothing():
    fake = principal(org_claim("employer", "contributor", opco="OPCO-EP"))
    assert not may_see(fake, contract(transmitted=True))


def test_the_opco_letters_come_from_the_contracts_opco_only():
    employer = principal(employer_claim("73282932000074"))
    machine = principal(opco_claim("OPCO-EP"), kind="client")
    transmitted = contract(transmitted=True)
    assert may_upload(employer, transmitted, "convention_formation")
    assert not may_upload(employer, transmitted, "courrier_accord")
    assert not may_upload(employer, transmitted, "courrier_anomalie")
    assert may_upload(machine, transmitted, "courrier_anomalie")
    assert may_upload(machine, transmitted, "piece_justificative")
    assert not may_upload(machine, contract(transmitted=False), "courrier_accord")


def test_the_rule_is_the_contracts_one_employer_visibility_and_deletion_included():
    """Issue #10, item 3."""
    employer = principal(employer_claim("73282932000074"))
    cfa = principal(training_claim("0751234J"))
    opco = principal(opco_claim("OPCO-EP"))
    draft = contract(employer_may_see=False)
    assert not may_see(employer, draft) and not may_upload(employer, draft, "convention_formation")
    assert may_see(cfa, draft)
    deleted = contract(deleted=True, transmitted=True)
    for who in (employer, cfa, opco):
        assert not may_see(who, deleted) and not may_upload(who, deleted, "courrier_accord")


def test_the_opco_the_case_was_routed_to_wins_over_the_contracts_guess():
    """opco-processing routes by IDCC (case.opened): that OPCO sees and letters the contract, the guessed one not."""
    access = contract(transmitted=True, opco_code="OPCOMMERCE", routed_opco_code="OPCOEP")
    routed = principal(opco_claim("OPCOEP"), kind="client")
    guessed = principal(opco_claim("OPCOMMERCE"), kind="client")
    assert may_see(routed, access) and may_upload(routed, access, "courrier_accord")
    assert not may_see(guessed, access) and not may_upload(guessed, access, "courrier_accord")


def test_a_private_draft_shows_its_documents_to_its_creator_only():
    """Issue #10.1: the same rule as contracts (libs.access), no second copy."""
    creator_id = uuid4()
    creator = principal_from_claims(
        {"sub": str(creator_id), "kind": "user", "orgs": [], "pending": [employer_claim("73282932000074")]}
    )
    draft = contract(private_to=creator_id)
    assert may_see(creator, draft) and may_upload(creator, draft, "convention_formation")
    for other in (principal(employer_claim("73282932000074")), principal(training_claim("0751234J"))):
        assert not may_see(other, draft) and not may_upload(other, draft, "convention_formation")
