import pytest

from passerelle.identity.domain.errors import InvalidInput
from passerelle.identity.domain.identifiers import EmailAddress, OpcoCode, Siren, Siret, Uai


@pytest.mark.parametrize("raw", ["81208328500013", "812 083 285 00021", "812.083.285.00013", "43935504100021"])
def test_valid_sirets_are_accepted_and_compacted(raw):
    siret = Siret.parse(raw)
    assert len(siret.value) == 14 and siret.value.isdigit()
    assert siret.siren.value == siret.value[:9]


def test_siret_with_wrong_luhn_key_is_refused_with_a_french_message():
    with pytest.raises(InvalidInput) as caught:
        Siret.parse("81208328500014", path="employer.siret")
    problem = caught.value.problems[0]
    assert problem.path == "employer.siret"
    assert problem.code == "siret_checksum"
    assert "clé de contrôle" in problem.message


@pytest.mark.parametrize("raw", ["8120832850001", "812083285000133", "8120832850001A", ""])
def test_siret_must_be_fourteen_digits(raw):
    with pytest.raises(InvalidInput) as caught:
        Siret.parse(raw)
    assert caught.value.problems[0].code == "siret_format"
    assert "14 chiffres" in caught.value.problems[0].message


def test_la_poste_establishments_use_a_digit_sum_divisible_by_five():
    # 35600000049837 fails Luhn but its digits sum to 45: a valid La Poste establishment.
    assert Siret.parse("35600000049837").siren.value == "356000000"
    # Same SIREN, digit sum 46: refused.
    with pytest.raises(InvalidInput):
        Siret.parse("35600000049838")


def test_la_poste_head_office_follows_luhn():
    assert Siret.parse("35600000000048").value == "35600000000048"


def test_siren_checks():
    assert Siren.parse("812 083 285").value == "812083285"
    assert Siren.parse("356000000").value == "356000000"
    with pytest.raises(InvalidInput) as caught:
        Siren.parse("812083286")
    assert caught.value.problems[0].code == "siren_checksum"


@pytest.mark.parametrize("raw", ["0754321P", "0754321p", "0691234S", " 0751234J "])
def test_valid_uai(raw):
    uai = Uai.parse(raw)
    assert uai.value == raw.strip().upper()


def test_uai_check_letter_is_digits_mod_23():
    assert "ABCDEFGHJKLMNPRSTUVWXYZ"[754321 % 23] == "P"
    with pytest.raises(InvalidInput) as caught:
        Uai.parse("0754321Q")
    assert caught.value.problems[0].code == "uai_checksum"
    assert "lettre de contrôle" in caught.value.problems[0].message


@pytest.mark.parametrize("raw", ["075432P", "07543210", "A754321P", "0754321I"])
def test_uai_format(raw):
    with pytest.raises(InvalidInput) as caught:
        Uai.parse(raw)
    assert caught.value.problems[0].code in ("uai_format", "uai_checksum")


def test_email_is_normalised_and_checked():
    assert EmailAddress.parse("  Camille.Martin@Dupain.Example.FR ").value == "camille.martin@dupain.example.fr"
    with pytest.raises(InvalidInput) as caught:
        EmailAddress.parse("camille.martin@", path="email")
    assert caught.value.problems[0].path == "email"
    assert "adresse électronique" in caught.value.problems[0].message


def test_opco_code():
    assert OpcoCode.parse("opcommerce").value == "OPCOMMERCE"
    with pytest.raises(InvalidInput):
        OpcoCode.parse("x")
