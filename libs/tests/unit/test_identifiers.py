import pytest

from passerelle.libs.identifiers import CHECKSUM, FORMAT, compact, siren_problem, siret_problem, uai_problem


@pytest.mark.parametrize(
    "siret, problem",
    [
        ("81208328500013", None),
        ("812 083 285 00013", None),  # as people type it
        ("81208328500014", CHECKSUM),
        ("8120832850001", FORMAT),
        ("8120832850001A", FORMAT),
        # La Poste: not Luhn, but a digit sum divisible by 5.
        ("35600000049837", None),
        ("35600000049838", CHECKSUM),
        ("35600000000048", None),  # La Poste's head office, which passes Luhn too
    ],
)
def test_siret(siret, problem):
    assert siret_problem(siret) == problem


def test_siren():
    assert siren_problem("812083285") is None
    assert siren_problem("812083286") == CHECKSUM
    assert siren_problem("356000000") is None
    assert siren_problem("81208328") == FORMAT


@pytest.mark.parametrize(
    "uai, problem", [("0754321P", None), ("0754321p", None), ("0754321A", CHECKSUM), ("754321P", FORMAT)]
)
def test_uai_check_letter(uai, problem):
    assert uai_problem(uai) == problem


def test_compact():
    assert compact(" 0754321p ") == "0754321P"
