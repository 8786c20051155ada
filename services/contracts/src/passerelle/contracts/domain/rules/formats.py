"""Formats and checksums of identifiers, codes, postcodes, phones and e-mails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .. import identifiers as ids
from ..codes import DIPLOMAS
from ..facts import Facts
from ..tabs import Tab
from .engine import BOTH_TYPES, Hit, Severity, rule


def _values(facts: Facts, paths: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(path, value) of the non-empty string values at the given paths; `tutors[]` expands to every tutor."""
    form = facts.form
    for path in paths:
        if path.startswith("tutors[]."):
            attribute = path[len("tutors[].") :]
            for index, tutor in enumerate(form.tutors):
                value = getattr(tutor, attribute)
                if value:
                    yield f"tutors[{index}].{attribute}", value
            continue
        current: Any = form
        for step in path.split("."):
            current = getattr(current, step, None)
            if current is None:
                break
        if current:
            yield path, current


SIRET_FIELDS = ("employer.siret", "training.organisation.siret", "training.main_site.siret")
UAI_FIELDS = ("training.organisation.uai", "training.main_site.uai")
NIR_FIELDS = ("employee.nir", "tutors[].nir")
POSTCODE_FIELDS = (
    "employer.address.postcode",
    "employee.address.postcode",
    "employee.legal_representative.address.postcode",
    "training.organisation.address.postcode",
    "training.main_site.address.postcode",
)
PHONE_FIELDS = (
    "employer.phone",
    "employee.phone",
    "employee.legal_representative.phone",
    "tutors[].phone",
    "training.organisation.phone",
)
EMAIL_FIELDS = (
    "employer.email",
    "employee.email",
    "employee.legal_representative.email",
    "tutors[].email",
    "training.organisation.email",
)
DIPLOMA_LIST_FIELDS = (
    "employee.highest_diploma",
    "employee.last_diploma_prepared",
    "tutors[].highest_diploma",
    "training.qualification.diploma_type",
)


def _format_rule(
    rule_id: str,
    tab: Tab,
    fields: tuple[str, ...],
    message: str,
    reference: str,
    problem: Callable[[str], str | None],
    expected: str,
) -> None:
    def check(facts: Facts) -> Iterator[Hit]:
        for path, value in _values(facts, fields):
            if problem(value) == expected:
                yield Hit(path)

    rule(id=rule_id, tab=tab, fields=fields, message=message, reference=reference, applies_to=BOTH_TYPES)(check)


_SIRET_REF = "INSEE, répertoire SIRENE : numéro SIRET (SIREN + NIC), clé de Luhn ; exception La Poste"
_format_rule(
    "SIRET_FORMAT",
    Tab.EMPLOYER,
    SIRET_FIELDS,
    "Le SIRET doit comporter exactement 14 chiffres.",
    _SIRET_REF,
    ids.siret_problem,
    ids.FORMAT,
)
_format_rule(
    "SIRET_CHECKSUM",
    Tab.EMPLOYER,
    SIRET_FIELDS,
    "Ce numéro SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez les 14 chiffres.",
    _SIRET_REF,
    ids.siret_problem,
    ids.CHECKSUM,
)
_UAI_REF = "Ministère de l'Éducation nationale, répertoire des établissements : code UAI (7 chiffres et une lettre clé)"
_format_rule(
    "UAI_FORMAT",
    Tab.TRAINING,
    UAI_FIELDS,
    "Le numéro UAI doit comporter 7 chiffres suivis d'une lettre (ex. 0751234J).",
    _UAI_REF,
    ids.uai_problem,
    ids.FORMAT,
)
_format_rule(
    "UAI_CHECKSUM",
    Tab.TRAINING,
    UAI_FIELDS,
    "La lettre clé du numéro UAI ne correspond pas à ses 7 chiffres. Vérifiez le numéro.",
    _UAI_REF,
    ids.uai_problem,
    ids.CHECKSUM,
)
_NIR_REF = "Décret n° 82-103 du 22 janvier 1982 (répertoire national d'identification des personnes physiques)"
_format_rule(
    "NIR_FORMAT",
    Tab.EMPLOYEE,
    NIR_FIELDS,
    "Le numéro de sécurité sociale doit comporter 13 caractères et une clé de 2 chiffres (2A ou 2B pour la Corse).",
    _NIR_REF,
    ids.nir_problem,
    ids.FORMAT,
)
_format_rule(
    "NIR_CHECKSUM",
    Tab.EMPLOYEE,
    NIR_FIELDS,
    "La clé du numéro de sécurité sociale est fausse. Vérifiez le numéro.",
    _NIR_REF,
    ids.nir_problem,
    ids.CHECKSUM,
)
_format_rule(
    "NAF_FORMAT",
    Tab.EMPLOYER,
    ("employer.naf_code",),
    "Le code NAF doit avoir la forme 00.00A (ex. 10.71C).",
    "Décret n° 2007-1888 du 26 décembre 2007 (nomenclature d'activités française)",
    ids.naf_problem,
    ids.FORMAT,
)
_format_rule(
    "IDCC_FORMAT",
    Tab.EMPLOYER,
    ("employer.idcc",),
    "Le code IDCC doit comporter 4 chiffres (9999 sans convention collective, 9998 en cours de négociation).",
    "Notices des CERFA 10103 et 12434 (identifiant de la convention collective)",
    ids.idcc_problem,
    ids.FORMAT,
)
_format_rule(
    "ACTIVITY_DECLARATION_FORMAT",
    Tab.TRAINING,
    ("training.organisation.activity_declaration_number",),
    "Le numéro de déclaration d'activité de l'organisme de formation comporte 11 chiffres (ex. 11 75 12345 75).",
    "Code du travail, art. L6351-1 et R6351-6 ; notice du CERFA 12434",
    ids.activity_declaration_problem,
    ids.FORMAT,
)
_format_rule(
    "RNCP_FORMAT",
    Tab.TRAINING,
    ("training.qualification.rncp_code",),
    "Le code RNCP doit commencer par RNCP suivi de chiffres (ex. RNCP35316).",
    "Code du travail, art. L6113-1 (répertoire national des certifications professionnelles)",
    ids.rncp_problem,
    ids.FORMAT,
)
_format_rule(
    "DIPLOMA_CODE_FORMAT",
    Tab.TRAINING,
    ("training.qualification.diploma_code",),
    "Le code diplôme (CFD) doit comporter 8 caractères (chiffres ou lettres).",
    "Notice du CERFA 10103 (code du diplôme ou titre visé)",
    ids.diploma_code_problem,
    ids.FORMAT,
)
_format_rule(
    "POSTCODE_FORMAT",
    Tab.EMPLOYER,
    POSTCODE_FIELDS,
    "Le code postal doit comporter 5 chiffres.",
    "Notices des CERFA 10103 et 12434 (adresse)",
    ids.postcode_problem,
    ids.FORMAT,
)
_format_rule(
    "PHONE_FORMAT",
    Tab.EMPLOYER,
    PHONE_FIELDS,
    "Le numéro de téléphone doit être un numéro français à 10 chiffres (ex. 01 23 45 67 89) ou au format +33.",
    "Notices des CERFA 10103 et 12434",
    ids.phone_problem,
    ids.FORMAT,
)
_format_rule(
    "EMAIL_FORMAT",
    Tab.EMPLOYER,
    EMAIL_FIELDS,
    "L'adresse électronique n'est pas valide (ex. nom@domaine.fr).",
    "Notices des CERFA 10103 et 12434",
    ids.email_problem,
    ids.FORMAT,
)


@rule(
    id="NIR_IDENTITY_MISMATCH",
    tab=Tab.EMPLOYEE,
    fields=("employee.nir",),
    message=(
        "Le numéro de sécurité sociale ne correspond pas au sexe, à l'année, au mois ou au département de naissance."
    ),
    reference=_NIR_REF,
)
def nir_identity(facts: Facts) -> Iterator[Hit]:
    employee = facts.form.employee
    if not employee.nir:
        return
    mismatches = ids.nir_mismatches(employee.nir, employee.sex, employee.birth_date, employee.birth_department)
    if mismatches:
        labels = {
            "sex": "le sexe",
            "birth_year": "l'année de naissance",
            "birth_month": "le mois de naissance",
            "birth_department": "le département de naissance",
        }
        detail = ", ".join(labels[item] for item in mismatches)
        yield Hit("employee.nir", f"Le numéro de sécurité sociale ne correspond pas à {detail} déclaré(s).")


@rule(
    id="DIPLOMA_LIST_CODE",
    tab=Tab.EMPLOYEE,
    fields=DIPLOMA_LIST_FIELDS,
    message="Ce code de diplôme ne fait pas partie de la liste du CERFA.",
    reference="Notices des CERFA 10103 et 12434 (liste des diplômes et titres)",
)
def diploma_list_code(facts: Facts) -> Iterator[Hit]:
    for path, value in _values(facts, DIPLOMA_LIST_FIELDS):
        if value not in DIPLOMAS:
            yield Hit(path)


@rule(
    id="EMPLOYER_HEADCOUNT_POSITIVE",
    tab=Tab.EMPLOYER,
    fields=("employer.headcount",),
    message="L'effectif de l'entreprise doit compter au moins un salarié (l'apprenti ou le salarié embauché).",
    reference="Notices des CERFA 10103 et 12434 (effectif salarié de l'entreprise)",
    severity=Severity.WARNING,
)
def headcount_positive(facts: Facts) -> Iterator[Hit]:
    if facts.form.employer.headcount == 0:
        yield Hit("employer.headcount")


_BORN_ABROAD_DEPARTMENT = "99"


@rule(
    id="BIRTH_PLACE_CONSISTENT",
    tab=Tab.EMPLOYEE,
    fields=("employee.born_abroad", "employee.birth_department"),
    message="Le lieu de naissance est incohérent : le département 99 désigne une naissance à l'étranger.",
    reference="Notices des CERFA 10103 et 12434 (lieu de naissance)",
)
def birth_place_consistent(facts: Facts) -> Iterator[Hit]:
    employee = facts.form.employee
    department = (employee.birth_department or "").strip()
    if employee.born_abroad is None or not department:
        return
    if employee.born_abroad and department != _BORN_ABROAD_DEPARTMENT:
        yield Hit(
            "employee.birth_department",
            "Né(e) à l'étranger : le département de naissance est 99 (indiquez la commune et le pays dans la commune "
            "de naissance).",
        )
    elif not employee.born_abroad and department == _BORN_ABROAD_DEPARTMENT:
        yield Hit(
            "employee.born_abroad",
            "Le département 99 désigne une naissance à l'étranger : indiquez « né(e) à l'étranger » ou corrigez le "
            "département.",
        )
