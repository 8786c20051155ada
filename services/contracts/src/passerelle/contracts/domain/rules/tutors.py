"""The tutor (maître d'apprentissage / tuteur): number, age, experience, and how many people they supervise."""

from __future__ import annotations

from collections.abc import Iterator

from ..codes import DIPLOMAS
from ..dates import age_on
from ..facts import Facts
from ..form import Tutor
from ..tabs import Tab
from .engine import APPRENTICESHIP_ONLY, BOTH_TYPES, PROFESSIONALISATION_ONLY, Hit, Severity, rule


@rule(
    id="TUTOR_COUNT",
    tab=Tab.TUTOR,
    fields=("tutors", "tutors[0].last_name"),
    message="Indiquez un tuteur (maître d'apprentissage) ; un contrat d'apprentissage en admet deux au plus.",
    reference="Code du travail, art. L6223-5 et D6325-6 ; CERFA 10103 et 12434",
    applies_to=BOTH_TYPES,
)
def tutor_count(facts: Facts) -> Iterator[Hit]:
    tutors = facts.form.tutors
    if not tutors or not (tutors[0].last_name or "").strip():
        yield Hit("tutors[0].last_name", "Indiquez au moins un tuteur ou maître d'apprentissage (nom et prénom).")
        return
    name = "apprenticeship_max_tutors" if facts.is_apprenticeship else "professionalisation_max_tutors"
    maximum = facts.value(name)
    if len(tutors) > maximum:
        yield Hit("tutors", f"Ce contrat admet au plus {maximum} tuteur(s) ; vous en avez indiqué {len(tutors)}.")


@rule(
    id="TUTOR_AGE_MIN",
    tab=Tab.TUTOR,
    fields=("tutors[].birth_date",),
    message="Le maître d'apprentissage doit être majeur au début du contrat.",
    reference="Code du travail, art. R6223-22",
    applies_to=APPRENTICESHIP_ONLY,
)
def tutor_age_min(facts: Facts) -> Iterator[Hit]:
    start = facts.start
    if start is None:
        return
    minimum = facts.value("tutor_age_min")
    for index, tutor in enumerate(facts.form.tutors):
        if tutor.birth_date is not None and age_on(tutor.birth_date, start) < minimum:
            yield Hit(f"tutors[{index}].birth_date")


def _related_diploma_counts(facts: Facts, tutor_diploma: str | None, related: bool | None) -> bool:
    """A related diploma of at least the level of the qualification prepared (R6223-22, 1°)."""
    if not related:
        return False
    qualification = facts.form.training.qualification
    target_level = None
    if qualification is not None:
        if qualification.level is not None:
            target_level = int(qualification.level)
        elif qualification.diploma_type in DIPLOMAS:
            target_level = DIPLOMAS[qualification.diploma_type].level
    held = DIPLOMAS.get(tutor_diploma or "")
    if target_level is None or held is None:
        return True  # the employer's answer stands when levels cannot be compared
    return held.level >= target_level


@rule(
    id="TUTOR_EXPERIENCE",
    tab=Tab.TUTOR,
    fields=(
        "tutors[].experience_years",
        "tutors[].experience_months",
        "tutors[].related_diploma",
        "tutors[].highest_diploma",
    ),
    message=(
        "Le maître d'apprentissage doit justifier d'un an d'expérience avec un diplôme en rapport d'un niveau au moins "
        "égal à celui préparé, ou de deux ans d'expérience."
    ),
    reference="Code du travail, art. R6223-22",
    # R6223-22 applies "sous réserve de dispositions conventionnelles": a branch agreement may set other
    # conditions, which the CERFA cannot show. The employer attests eligibility; the platform warns.
    severity=Severity.WARNING,
    applies_to=APPRENTICESHIP_ONLY,
)
def tutor_experience(facts: Facts) -> Iterator[Hit]:
    with_diploma = facts.value("tutor_experience_years_with_related_diploma")
    without = facts.value("tutor_experience_years_without_diploma")
    for index, tutor in enumerate(facts.form.tutors):
        months = experience_months(tutor)
        if months is None:
            continue
        required = (
            with_diploma if _related_diploma_counts(facts, tutor.highest_diploma, tutor.related_diploma) else without
        )
        if months < required * 12:
            yield Hit(
                f"tutors[{index}].experience_years",
                f"Le maître d'apprentissage doit en principe justifier d'au moins {required} an(s) d'expérience en "
                f"rapport avec la qualification préparée ({_duration(months)} déclaré(s)), sauf conditions fixées "
                "par un accord de branche : vérifiez celui de l'employeur.",
            )


def experience_months(tutor: Tutor) -> int | None:
    """The tutor's experience in months (years and months declared), None when no year is given."""
    if tutor.experience_years is None:
        return None
    return tutor.experience_years * 12 + (tutor.experience_months or 0)


def _duration(months: int) -> str:
    years, rest = divmod(months, 12)
    parts = [f"{years} an{'s' if years > 1 else ''}"] if years else []
    if rest:
        parts.append(f"{rest} mois")
    return " et ".join(parts) or "0 mois"


@rule(
    id="PRO_TUTOR_EXPERIENCE",
    tab=Tab.TUTOR,
    fields=("tutors[].experience_years", "tutors[].experience_months"),
    message=(
        "Le tuteur doit justifier d'au moins deux ans d'expérience professionnelle en rapport avec la qualification."
    ),
    reference="Code du travail, art. D6325-6",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_tutor_experience(facts: Facts) -> Iterator[Hit]:
    required = facts.value("professionalisation_tutor_experience_years")
    for index, tutor in enumerate(facts.form.tutors):
        months = experience_months(tutor)
        if months is not None and months < required * 12:
            yield Hit(
                f"tutors[{index}].experience_years",
                f"Le tuteur doit justifier d'au moins {required} ans d'expérience professionnelle en rapport avec la "
                f"qualification ({_duration(months)} déclaré(s)).",
            )


@rule(
    id="TUTOR_APPRENTICE_LIMIT",
    tab=Tab.TUTOR,
    fields=("tutors[].apprentices_supervised", "tutors[].supervises_repeating_apprentice"),
    message=(
        "Un maître d'apprentissage peut suivre au plus deux apprentis en même temps, plus un apprenti dont la "
        "formation est prolongée après un échec à l'examen."
    ),
    reference="Code du travail, art. R6223-6",
    applies_to=APPRENTICESHIP_ONLY,
)
def tutor_apprentice_limit(facts: Facts) -> Iterator[Hit]:
    maximum = facts.value("tutor_max_apprentices")
    extra = facts.value("tutor_extra_repeating_apprentices")
    this_one_repeats = bool(facts.form.employee.failed_exam)
    for index, tutor in enumerate(facts.form.tutors):
        if tutor.apprentices_supervised is None:
            continue
        total = tutor.apprentices_supervised + 1
        allowed = maximum + (extra if (tutor.supervises_repeating_apprentice or this_one_repeats) else 0)
        if total > allowed:
            yield Hit(
                f"tutors[{index}].apprentices_supervised",
                f"Avec ce contrat, ce maître d'apprentissage suivrait {total} apprentis ; le maximum est {maximum} "
                f"(plus {extra} apprenti redoublant).",
            )


@rule(
    id="PRO_TUTOR_LIMIT",
    tab=Tab.TUTOR,
    fields=("tutors[].apprentices_supervised",),
    message="Un tuteur ne peut suivre plus de trois salariés en contrat de professionnalisation ou d'apprentissage.",
    reference="Code du travail, art. D6325-9",
    applies_to=PROFESSIONALISATION_ONLY,
)
def pro_tutor_limit(facts: Facts) -> Iterator[Hit]:
    maximum = facts.value("professionalisation_tutor_max_trainees")
    for index, tutor in enumerate(facts.form.tutors):
        if tutor.apprentices_supervised is not None and tutor.apprentices_supervised + 1 > maximum:
            yield Hit(f"tutors[{index}].apprentices_supervised")
