"""SIRET (Luhn, La Poste exception), UAI check letter, NIR key and agreement with the declared identity, formats."""

from __future__ import annotations

from datetime import date

import pytest

from passerelle.contracts.domain import identifiers as ids


class TestSiret:
    """INSEE, répertoire SIRENE: 14 digits, Luhn checksum; La Poste (SIREN 356000000): digit sum divisible by 5."""

    @pytest.mark.parametrize("siret", ["81208328500013", "812 083 285 00021", "43935504100021", "19793776650011"])
    def test_valid(self, siret):
        assert ids.siret_problem(siret) is None

    def test_wrong_checksum(self):
        assert ids.siret_problem("81208328500014") == ids.CHECKSUM

    @pytest.mark.parametrize("siret", ["8120832850001", "8120832850001A", ""])
    def test_wrong_format(self, siret):
        assert ids.siret_problem(siret) == ids.FORMAT

    def test_la_poste_establishment_uses_the_digit_sum_rule(self):
        """35600000049837 fails Luhn but its digits sum to a multiple of 5: valid for La Poste."""
        from stdnum import luhn

        assert not luhn.is_valid("35600000049837")
        assert sum(map(int, "35600000049837")) % 5 == 0
        assert ids.siret_problem("35600000049837") is None

    def test_la_poste_head_office_is_valid(self):
        assert ids.siret_problem("35600000000048") is None

    def test_la_poste_digit_sum_not_multiple_of_five_is_refused(self):
        assert sum(map(int, "35600000049838")) % 5 != 0
        assert ids.siret_problem("35600000049838") == ids.CHECKSUM

    def test_siren_of_two_establishments_is_shared(self):
        assert ids.siren_of("81208328500013") == ids.siren_of("81208328500021") == "812083285"
        assert ids.siren_problem("812083285") is None
        assert ids.siren_problem("812083286") == ids.CHECKSUM


class TestUai:
    """UAI: 7 digits and the letter "ABCDEFGHJKLMNPRSTUVWXYZ"[number mod 23]."""

    def test_check_letter(self):
        assert ids.uai_check_letter("0754321") == "ABCDEFGHJKLMNPRSTUVWXYZ"[754321 % 23] == "P"

    @pytest.mark.parametrize("uai", ["0754321P", "0691234S", "0931578k"])
    def test_valid(self, uai):
        assert ids.uai_problem(uai) is None

    def test_wrong_letter(self):
        assert ids.uai_problem("0754321A") == ids.CHECKSUM

    @pytest.mark.parametrize("uai", ["075432P", "07543210", "0754321PP"])
    def test_wrong_format(self, uai):
        assert ids.uai_problem(uai) == ids.FORMAT


class TestNir:
    """NIR: key 97 - (number mod 97), 2A/2B counted as 19/18; sex, birth year and month agree with the declaration."""

    def test_valid_with_spaces(self):
        assert ids.nir_problem("1 08 03 75 111 024 47") is None

    def test_key(self):
        assert ids.nir_key("1080375111024") == "47"

    def test_wrong_key(self):
        assert ids.nir_problem("108037511102448") == ids.CHECKSUM

    @pytest.mark.parametrize("nir", ["10803751110244", "A08037511102447", "1080375111024477", "108032C11102447"])
    def test_wrong_format(self, nir):
        assert ids.nir_problem(nir) == ids.FORMAT

    @pytest.mark.parametrize("nir", ["106022A00401708", "253072B07300470", "253072A07300443"])
    def test_corsica(self, nir):
        assert ids.nir_problem(nir) is None

    def test_corsica_key_uses_19_for_2a(self):
        assert ids.nir_key("106022A004017") == f"{97 - int('1060219004017') % 97:02d}"

    def test_agreement_with_identity(self):
        assert ids.nir_mismatches("108037511102447", "M", date(2008, 3, 14), "75") == ()

    def test_sex_disagrees(self):
        assert ids.nir_mismatches("108037511102447", "F", date(2008, 3, 14), None) == ("sex",)

    def test_year_and_month_disagree(self):
        assert ids.nir_mismatches("108037511102447", "M", date(2007, 4, 14), None) == ("birth_year", "birth_month")

    def test_department_disagrees(self):
        assert ids.nir_mismatches("108037511102447", "M", date(2008, 3, 14), "69") == ("birth_department",)

    def test_department_with_leading_zero_and_corsica(self):
        assert ids.nir_mismatches("108037511102447", None, None, "075") == ()
        assert ids.nir_mismatches("106022A00401708", "M", date(2006, 2, 1), "2A") == ()

    def test_unknown_month_is_not_compared(self):
        body = "1089975111024"
        nir = body + ids.nir_key(body)
        assert ids.nir_problem(nir) is None
        assert ids.nir_mismatches(nir, "M", date(2008, 3, 14), None) == ()


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (ids.naf_problem, ["10.71C", "62.02a"], ["1071C", "10.71", "10-71C"]),
        (ids.idcc_problem, ["0843", "9999", "9998"], ["843", "08430", "ABCD"]),
        (ids.rncp_problem, ["RNCP37680", "rncp123"], ["37680", "RNCP", "RNCP-37680"]),
        (ids.diploma_code_problem, ["50022141", "36T32602"], ["5002214", "500221411", "5002-141"]),
        (ids.postcode_problem, ["75011", "20000", "97100"], ["7501", "00100", "99000", "750011"]),
        (
            ids.phone_problem,
            ["01 43 55 12 34", "0612345678", "+33 6 12 34 56 78", "06.12.34.56.78"],
            ["12 34", "00 12"],
        ),
        (ids.email_problem, ["a.b@example.fr", "x+y@sub.example.com"], ["a@", "@b.fr", "a b@c.fr"]),
    ],
)
def test_formats(check, good, bad):
    """Notices des CERFA 10103 et 12434: NAF 00.00A, IDCC 4 digits, RNCP + digits, CFD 8 chars, postcode, phone,
    e-mail."""
    assert [value for value in good if check(value) is not None] == []
    assert [value for value in bad if check(value) is None] == []
