"""Which questions a case needs, tab by tab: what applies, what is required, input help, allowed values, and the
legal reminders behind the person's choices."""

from __future__ import annotations

from dataclasses import dataclass

from .codes import Choice, ContractType
from .facts import Facts, ValidationContext
from .fields import CATALOGUE, LegalReminder, concrete_paths
from .form import ContractForm
from .tabs import TAB_LABELS, Tab


@dataclass(frozen=True, slots=True)
class Question:
    field: str
    label: str
    required: bool
    help: str | None
    choices: tuple[Choice, ...]
    reminder: LegalReminder | None


@dataclass(frozen=True, slots=True)
class TabQuestions:
    tab: Tab
    label: str
    questions: tuple[Question, ...]


def applicable_questions(form: ContractForm, context: ValidationContext | None = None) -> list[TabQuestions]:
    """The questions that apply to this (possibly partial) form, grouped by tab in the form's order."""
    facts = Facts(form, context or ValidationContext())
    by_tab: dict[Tab, list[Question]] = {tab: [] for tab in Tab if tab != Tab.DOCUMENTS}
    for spec in CATALOGUE:
        if not spec.is_asked(facts):
            continue
        required = spec.is_required(facts)
        for path in concrete_paths(spec, facts):
            by_tab[spec.tab].append(Question(path, spec.label, required, spec.help, spec.choices, spec.reminder))
    return [TabQuestions(tab, TAB_LABELS[tab], tuple(questions)) for tab, questions in by_tab.items()]


def case_reminders(form: ContractForm, context: ValidationContext | None = None) -> list[LegalReminder]:
    """The legal points that the person's choices bring up, with the values in force at the contract's start."""
    facts = Facts(form, context or ValidationContext())
    reminders: list[LegalReminder] = []
    employee = form.employee
    age = facts.age_at_start
    if facts.is_apprenticeship:
        trial = facts.parameter("apprenticeship_trial_days")
        reminders.append(
            LegalReminder(
                f"Pendant les {trial.value} premiers jours de formation pratique en entreprise, le contrat peut être "
                "rompu librement par l'employeur ou l'apprenti.",
                trial.reference,
            )
        )
        filing = facts.parameter("filing_delay_working_days")
        reminders.append(
            LegalReminder(
                f"Le contrat est transmis à l'OPCO au plus tard {filing.value} jours ouvrables après son début.",
                filing.reference,
            )
        )
    elif facts.is_professionalisation:
        filing = facts.parameter("professionalisation_filing_delay_days")
        reminders.append(
            LegalReminder(
                f"Le contrat est transmis à l'OPCO dans les {filing.value} jours qui suivent son début.",
                filing.reference,
            )
        )
    if facts.needs_legal_representative:
        hours = facts.parameter("minor_weekly_hours_max")
        reminders.append(
            LegalReminder(
                "Le salarié sera mineur au début du contrat : son représentant légal signe le contrat ; il ne peut "
                f"travailler plus de {hours.value} heures par semaine ni la nuit, et les travaux réglementés "
                "demandent une déclaration de dérogation.",
                "Code du travail, art. L6222-4, L6222-25, L6222-26 et R4153-40",
            )
        )
    if facts.is_apprenticeship and age is not None:
        if age < facts.value("apprentice_age_min"):
            reminders.append(
                LegalReminder(
                    "Avant 16 ans, le contrat n'est possible qu'après le collège, avec le code de dérogation 11.",
                    facts.parameter("apprentice_age_min_after_middle_school").reference,
                )
            )
        elif age > facts.value("apprentice_age_max"):
            reminders.append(
                LegalReminder(
                    "Au-delà de 29 ans, le contrat n'est possible que dans "
                    "les cas prévus par la loi (code de dérogation 12).",
                    facts.parameter("apprentice_age_max_successive_contract").reference,
                )
            )
    if facts.is_apprenticeship and employee.disabled_worker:
        raise_points = facts.parameter("apprenticeship_disabled_extension_raise_points")
        reminders.append(
            LegalReminder(
                "Apprenti reconnu travailleur handicapé : pas de limite d'âge, contrat jusqu'à 4 ans, et la "
                f"rémunération de l'année de prolongation est majorée de {raise_points.value} points.",
                raise_points.reference,
            )
        )
    if (
        facts.is_professionalisation
        and age is not None
        and age > facts.value("professionalisation_age_max_initial_training")
    ):
        reminders.append(
            LegalReminder(
                "À partir de 26 ans, le contrat de professionnalisation est réservé aux demandeurs d'emploi et aux "
                "bénéficiaires du RSA, de l'ASS, de l'AAH ou sortant d'un CUI ; la rémunération est au moins le SMIC "
                "et 85 % du salaire minimum conventionnel.",
                facts.parameter("professionalisation_26_plus_smc_share").reference,
            )
        )
    if facts.follows_previous_contract:
        reminders.append(
            LegalReminder(
                "Un contrat successif ou un avenant indique le numéro du contrat précédent.",
                "Notices des CERFA 10103 et 12434",
            )
        )
    return reminders


def contract_types() -> tuple[Choice, ...]:
    return ContractType.choices()
