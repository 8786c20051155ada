"""Issue #11, messages: dates read and refused in the format the help gives; unknown codes refused in French."""

from datetime import date

import pytest
from pydantic import ValidationError

from passerelle.contracts.domain.codes import ContractStatus
from passerelle.contracts.domain.fields import CATALOGUE_BY_PATH, DATE_HELP
from passerelle.contracts.domain.form import DATE_FORMAT_MESSAGE, ContractForm
from passerelle.contracts.entrypoints.http.choices import parse_choice
from passerelle.libs.errors import InvalidInput, french_message, validation_field_errors


def test_a_date_typed_as_the_help_says_is_read():
    assert "JJ/MM/AAAA" in DATE_HELP and CATALOGUE_BY_PATH["employee.birth_date"].help == DATE_HELP
    form = ContractForm.model_validate(
        {"employee": {"birth_date": "14/03/2008"}, "contract": {"start_date": "1/9/2025"}}
    )
    assert form.employee.birth_date == date(2008, 3, 14)
    assert form.contract.start_date == date(2025, 9, 1)
    assert ContractForm.model_validate({"employee": {"birth_date": "2008-03-14"}}).employee.birth_date == date(
        2008, 3, 14
    )


@pytest.mark.parametrize("typed", ["31/02/2025", "2025-13-01", "demain", "14.03.2008"])
def test_a_wrong_date_is_refused_with_the_format_of_the_help(typed):
    with pytest.raises(ValidationError) as caught:
        ContractForm.model_validate({"employee": {"birth_date": typed}})
    [field] = validation_field_errors(caught.value.errors())
    assert field.path == "employee.birth_date"
    assert field.message == DATE_FORMAT_MESSAGE and "JJ/MM/AAAA" in field.message
    assert "AAAA-MM-JJ" not in field.message


def test_an_unknown_status_is_refused_in_french_with_each_status_label():
    with pytest.raises(InvalidInput) as caught:
        parse_choice(ContractStatus, "bogus", "status", "Statut")
    [field] = caught.value.fields
    assert field.path == "status"
    assert "Statut inconnu : « bogus »" in field.message
    assert "draft (En cours de saisie)" in field.message and "transmitted (Transmis à l'OPCO)" in field.message
    assert " or " not in field.message
    assert parse_choice(ContractStatus, "draft", "status", "Statut") is ContractStatus.DRAFT
    assert parse_choice(ContractStatus, None, "status", "Statut") is None


def test_enum_choices_from_pydantic_are_joined_in_french():
    error = {"type": "enum", "ctx": {"expected": "'a', 'b' or 'c'"}}
    assert french_message(error) == "Valeur non autorisée (valeurs possibles : 'a', 'b' ou 'c')."
