from passerelle.portal.domain.errors import FieldProblem, FormErrors, field_id
from passerelle.portal.domain.forms import display_value, format_date, get_path, input_kind, tab_content, tab_of


def test_posted_fields_become_the_tabs_content_by_their_paths():
    posted = [
        ("employer.siret", "81208328500013"),
        ("employer.address.postcode", "75011"),
        ("employer.address.complement", "  "),
        ("employer.headcount", "28"),
        ("employee.first_name", "ignored: another tab"),
        ("csrf_token", "x"),
    ]
    assert tab_content("employeur", posted) == {
        "siret": "81208328500013",
        "address": {"postcode": "75011", "complement": None},
        "headcount": "28",
    }


def test_the_tutor_tab_carries_its_two_roots_and_lists():
    posted = [
        ("tutors[0].last_name", "Dupain"),
        ("tutors[1].last_name", "Martin"),
        ("tutor_eligibility_attested", "true"),
    ]
    assert tab_content("tuteur", posted) == {
        "tutors": [{"last_name": "Dupain"}, {"last_name": "Martin"}],
        "tutor_eligibility_attested": True,
    }


def test_blank_pay_schedule_rows_are_dropped():
    posted = [
        ("contract.weekly_hours", "35"),
        ("contract.pay_schedule[0].year", "1"),
        ("contract.pay_schedule[0].rate_percent", "27"),
        ("contract.pay_schedule[1].year", ""),
        ("contract.pay_schedule[1].rate_percent", ""),
    ]
    content = tab_content("contrat", posted)
    assert content["pay_schedule"] == [{"year": "1", "rate_percent": "27"}]
    assert content["weekly_hours"] == "35"


def test_how_each_question_is_typed_in():
    assert input_kind("employee.birth_date", 0) == "date"
    assert input_kind("employee.sex", 2) == "radio"
    assert input_kind("employer.employer_type", 16) == "select"
    assert input_kind("employer.email", 0) == "email"
    assert input_kind("employer.headcount", 0) == "number"
    assert input_kind("employer.name", 0) == "text"


def test_values_read_back_from_the_form_json():
    form = {"tutors": [{"email": "a@b.fr"}], "employee": {"disabled_worker": False}}
    assert get_path(form, "tutors[0].email") == "a@b.fr"
    assert get_path(form, "tutors[3].email") is None
    assert display_value(get_path(form, "employee.disabled_worker")) == "false"
    assert tab_of("tutors[0].email") == "tuteur"
    assert format_date("2025-09-01") == "01/09/2025"


def test_api_field_errors_land_on_the_inputs_of_the_tab_and_in_the_summary():
    problems = [
        FieldProblem("siret", "invalid", "Le SIRET est invalide."),
        FieldProblem("employer.naf_code", "pattern", "Format 00.00A."),
        FieldProblem("siret", "other", "second message ignored"),
    ]
    errors = FormErrors.of(problems, prefix="employer.")
    errors.labels["employer.siret"] = "SIRET"
    assert errors.get("employer.siret") == "Le SIRET est invalide."
    assert errors.get("employer.naf_code") == "Format 00.00A."
    assert errors.summary()[0] == ("f-employer-siret", "SIRET", "Le SIRET est invalide.")
    assert field_id("tutors[0].birth_date") == "f-tutors-0-birth_date"
    assert not FormErrors()
