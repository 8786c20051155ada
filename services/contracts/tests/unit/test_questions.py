"""Only the questions a case needs are asked, with help, French choices and legal reminders."""

from __future__ import annotations

from datetime import date

from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.domain.questions import applicable_questions, case_reminders
from passerelle.contracts.domain.tabs import Tab
from passerelle.contracts.testing.samples import (
    complete_apprenticeship_form,
    complete_professionalisation_form,
    with_changes,
)


def _questions(form):
    return {q.field: q for tab in applicable_questions(form) for q in tab.questions}


def test_tabs_in_order_with_french_labels():
    tabs = applicable_questions(complete_apprenticeship_form())
    assert [t.label for t in tabs] == [
        "Introduction",
        "Employeur",
        "Salarié / Apprenti",
        "Tuteur / Maître d'apprentissage",
        "Contrat",
        "Formation",
        "Synthèse",
    ]


def test_legal_representative_only_for_a_minor():
    """Code du travail, art. L6222-4: a minor's legal representative signs the contract."""
    minor = _questions(complete_apprenticeship_form())
    assert minor["employee.legal_representative.last_name"].required
    assert minor["employee.legal_representative.last_name"].reminder.reference == "Code du travail, art. L6222-4"
    adult = _questions(with_changes(complete_apprenticeship_form(), {"employee.birth_date": date(2004, 1, 1)}))
    assert "employee.legal_representative.last_name" not in adult


def test_previous_contract_only_for_succession_or_amendment():
    first = _questions(complete_apprenticeship_form())
    assert "contract.previous_contract_number" not in first
    assert "contract.amendment_effective_date" not in first
    succession = _questions(
        with_changes(
            complete_apprenticeship_form(), {"introduction.contract_kind": "succession", "contract.kind_code": "21"}
        )
    )
    assert succession["contract.previous_contract_number"].required
    assert "contract.amendment_effective_date" not in succession
    amendment = _questions(
        with_changes(
            complete_apprenticeship_form(), {"introduction.contract_kind": "amendment", "contract.kind_code": "36"}
        )
    )
    assert amendment["contract.amendment_effective_date"].required


def test_professionalisation_fields_only_for_that_type():
    pro = _questions(complete_professionalisation_form())
    app = _questions(complete_apprenticeship_form())
    assert "employee.public_category" in pro and "employee.public_category" not in app
    assert "training.hours_in_organisation" in pro and "training.hours_in_organisation" not in app
    assert "training.organisation.uai" in app and "training.organisation.uai" not in pro
    assert "contract.practical_training_start_date" in app and "contract.practical_training_start_date" not in pro


def test_choices_have_french_labels():
    questions = _questions(complete_apprenticeship_form())
    assert [(c.code, c.label) for c in questions["employee.sex"].choices] == [("M", "Homme"), ("F", "Femme")]
    kind_codes = {c.code: c.label for c in questions["contract.kind_code"].choices}
    assert kind_codes["11"] == "Premier contrat de l'apprenti" and "33" in kind_codes and "38" in kind_codes
    assert {c.code for c in questions["employee.highest_diploma"].choices} >= {"33", "41", "54", "74"}
    assert len(questions["employer.employer_type"].choices) == 16
    assert questions["employer.siret"].help.startswith("14 chiffres")


def test_under_16_asks_middle_school_and_derogation():
    young = _questions(with_changes(complete_apprenticeship_form(), {"employee.birth_date": date(2010, 5, 1)}))
    assert young["employee.completed_middle_school"].required
    assert young["contract.derogation_code"].required
    assert not _questions(complete_apprenticeship_form())["contract.derogation_code"].required


def test_one_question_per_tutor():
    form = with_changes(complete_apprenticeship_form(), {"tutors[1].last_name": "Second"})
    questions = _questions(form)
    assert "tutors[0].email" in questions and "tutors[1].email" in questions
    tab = next(t for t in applicable_questions(form) if t.tab == Tab.TUTOR)
    assert tab.tab.label == "Tuteur / Maître d'apprentissage"


def test_empty_form_asks_common_questions_only():
    questions = _questions(ContractForm())
    assert questions["introduction.contract_type"].required
    assert "employee.public_category" not in questions and "training.organisation.uai" not in questions


def test_case_reminders_use_parameters_in_force():
    texts = [r.text for r in case_reminders(complete_apprenticeship_form())]
    assert any("45 premiers jours" in t for t in texts)
    assert any("mineur" in t and "35 heures" in t for t in texts)
    rqth = with_changes(complete_apprenticeship_form(), {"employee.disabled_worker": True})
    assert any("15 points" in r.text for r in case_reminders(rqth))
    older = with_changes(
        complete_professionalisation_form(),
        {"employee.birth_date": date(1990, 1, 1), "employee.public_category": "rsa"},
    )
    assert any("85 %" in r.text for r in case_reminders(older))
