"""The catalogue of the form's questions: for each field, its tab, French label, when it is asked, when it is
required for transmission, the input help, the allowed values and the legal reminder behind it.

`questions.py` shows it to people; `rules/required.py` turns its required entries into blocking findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .codes import (
    DIPLOMA_CHOICES,
    Choice,
    ContractKind,
    ContractType,
    DerogationCode,
    EmployerSector,
    EmployerType,
    EmploymentContractForm,
    KindCode,
    LastClass,
    Nationality,
    PayBase,
    ProfessionalisationPublic,
    ProfessionalisationQualificationKind,
    QualificationLevel,
    Sex,
    SituationBeforeContract,
    SocialBenefit,
    SocialRegime,
    SpecificEmployer,
)
from .facts import Facts
from .tabs import Tab, tab_of

Condition = Callable[[Facts], bool]

APP = frozenset({ContractType.APPRENTICESHIP})
PRO = frozenset({ContractType.PROFESSIONALISATION})
ALL = frozenset(ContractType)


@dataclass(frozen=True, slots=True)
class LegalReminder:
    text: str
    reference: str


@dataclass(frozen=True)
class FieldSpec:
    path: str  # dotted; `tutors[]` stands for every tutor
    label: str
    applies_to: frozenset[ContractType] = ALL
    required: bool | Condition = False
    asked_when: Condition | None = None
    help: str | None = None
    choices: tuple[Choice, ...] = ()
    reminder: LegalReminder | None = None
    enforced_by: str | None = None  # a dedicated rule checks presence (then REQUIRED_* rules skip the field)

    @property
    def tab(self) -> Tab:
        return tab_of(self.path)

    def is_for_type(self, contract_type: ContractType | None) -> bool:
        """Asked for this contract type (before the type is chosen: only the questions common to both)."""
        return self.applies_to == ALL if contract_type is None else contract_type in self.applies_to

    def is_asked(self, facts: Facts) -> bool:
        if not self.is_for_type(facts.contract_type):
            return False
        return self.asked_when is None or self.asked_when(facts)

    def is_required(self, facts: Facts) -> bool:
        if not self.is_asked(facts):
            return False
        return self.required(facts) if callable(self.required) else self.required


@lru_cache(maxsize=4096)
def _steps(path: str) -> tuple[tuple[str, int | None], ...]:
    steps: list[tuple[str, int | None]] = []
    for step in path.split("."):
        if step.endswith("]"):
            name, index = step[:-1].split("[")
            steps.append((name, int(index)))
        else:
            steps.append((step, None))
    return tuple(steps)


def get_value(root: Any, path: str) -> Any:
    """The value at a concrete dotted path (`tutors[1].email`); None when any step is missing."""
    current = root
    for name, index in _steps(path):
        if current is None:
            return None
        current = getattr(current, name, None)
        if index is not None:
            current = current[index] if current is not None and index < len(current) else None
    return current


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)


def concrete_paths(spec: FieldSpec, facts: Facts) -> tuple[str, ...]:
    """The concrete paths of a spec: one per tutor for `tutors[]` (at least the first one)."""
    if not spec.path.startswith("tutors[]"):
        return (spec.path,)
    count = max(1, len(facts.form.tutors))
    return tuple(spec.path.replace("tutors[]", f"tutors[{index}]", 1) for index in range(count))


# --- Conditions ---------------------------------------------------------------------------------------------


def _minor(facts: Facts) -> bool:
    return facts.needs_legal_representative


def _representative_given(facts: Facts) -> bool:
    return facts.needs_legal_representative and facts.form.employee.legal_representative is not None


def _follows_previous(facts: Facts) -> bool:
    return facts.follows_previous_contract


def _amendment(facts: Facts) -> bool:
    return facts.is_amendment


def _under_16(facts: Facts) -> bool:
    age = facts.age_at_start
    return age is not None and age < facts.value("apprentice_age_min")


def _over_max_age(facts: Facts) -> bool:
    age = facts.age_at_start
    return age is not None and age > facts.value("apprentice_age_max")


def _needs_derogation(facts: Facts) -> bool:
    return _under_16(facts) or _over_max_age(facts)


def _successive_exception(facts: Facts) -> bool:
    return _over_max_age(facts) and facts.has_successive_contract_exception and not facts.has_no_age_limit_exception


def _main_site_elsewhere(facts: Facts) -> bool:
    return facts.form.training.main_site_same_as_organisation is False


def _private(facts: Facts) -> bool:
    return facts.form.introduction.employer_sector != EmployerSector.PUBLIC


def _public(facts: Facts) -> bool:
    return facts.form.introduction.employer_sector == EmployerSector.PUBLIC


def _job_seeker(facts: Facts) -> bool:
    return facts.is_job_seeker


def _never(facts: Facts) -> bool:
    return False


def _rncp_qualification(facts: Facts) -> bool:
    kind = facts.form.training.qualification and facts.form.training.qualification.kind
    return facts.is_apprenticeship or kind in (None, ProfessionalisationQualificationKind.RNCP)


# --- Help texts ---------------------------------------------------------------------------------------------

SIRET_HELP = "14 chiffres, sans espace (ex. 73282932000074)"
UAI_HELP = "7 chiffres suivis d'une lettre (ex. 0751234J)"
NIR_HELP = "13 chiffres et la clé de 2 chiffres ; 2A ou 2B pour la Corse"
POSTCODE_HELP = "5 chiffres"
PHONE_HELP = "Numéro français à 10 chiffres (ex. 01 23 45 67 89) ou au format +33"
EMAIL_HELP = "Adresse électronique (ex. nom@domaine.fr)"
DATE_HELP = "Date au format JJ/MM/AAAA"
MONEY_HELP = "Montant brut mensuel en euros"

YES_NO = (Choice("true", "Oui"), Choice("false", "Non"))


def _address(prefix: str, label: str, applies_to=ALL, required: bool | Condition = True, asked_when=None):
    return (
        FieldSpec(f"{prefix}.number", f"{label} : numéro", applies_to, False, asked_when),
        FieldSpec(f"{prefix}.street", f"{label} : voie", applies_to, required, asked_when),
        FieldSpec(f"{prefix}.complement", f"{label} : complément", applies_to, False, asked_when),
        FieldSpec(f"{prefix}.postcode", f"{label} : code postal", applies_to, required, asked_when, POSTCODE_HELP),
        FieldSpec(f"{prefix}.city", f"{label} : commune", applies_to, required, asked_when),
    )


CATALOGUE: tuple[FieldSpec, ...] = (
    # Introduction
    FieldSpec(
        "introduction.contract_type",
        "Type de contrat",
        ALL,
        True,
        choices=(
            Choice("apprentissage", "Contrat d'apprentissage"),
            Choice("professionnalisation", "Contrat de professionnalisation"),
        ),
    ),
    FieldSpec("introduction.employer_sector", "Employeur privé ou public", ALL, True, choices=EmployerSector.choices()),
    FieldSpec(
        "introduction.contract_kind",
        "Premier contrat, contrat successif ou avenant",
        ALL,
        True,
        choices=ContractKind.choices(),
        reminder=LegalReminder(
            "Un avenant modifie un contrat déjà engagé : le numéro du "
            "contrat initial et la date d'effet sont alors demandés.",
            "Notice du CERFA 10103",
        ),
    ),
    # Employeur
    FieldSpec("employer.siret", "SIRET de l'établissement d'exécution du contrat", ALL, True, help=SIRET_HELP),
    FieldSpec("employer.name", "Dénomination de l'employeur", ALL, True),
    *_address("employer.address", "Adresse de l'établissement"),
    FieldSpec("employer.phone", "Téléphone de l'employeur", ALL, True, help=PHONE_HELP),
    FieldSpec("employer.email", "Courriel de l'employeur", ALL, True, help=EMAIL_HELP),
    FieldSpec("employer.employer_type", "Type d'employeur", ALL, True, choices=EmployerType.choices()),
    FieldSpec("employer.specific_employer", "Employeur spécifique", APP, True, choices=SpecificEmployer.choices()),
    FieldSpec("employer.naf_code", "Code activité (NAF)", ALL, True, help="Format 00.00A (ex. 10.71C)"),
    FieldSpec("employer.headcount", "Effectif salarié de l'entreprise", ALL, True, help="Nombre entier"),
    FieldSpec(
        "employer.idcc",
        "Code IDCC de la convention collective",
        ALL,
        _private,
        help="4 chiffres ; 9999 sans convention collective, 9998 convention en cours de négociation",
    ),
    FieldSpec("employer.idcc_label", "Libellé de la convention collective", ALL, False, _private),
    FieldSpec("employer.supplementary_pension_fund", "Caisse de retraite complémentaire", APP, _private),
    FieldSpec("employer.provident_fund", "Organisme de prévoyance", PRO, False),
    FieldSpec(
        "employer.public_unemployment_insurance",
        "Adhésion au régime d'assurance chômage",
        APP,
        False,
        _public,
        choices=YES_NO,
    ),
    # Salarié / Apprenti
    FieldSpec("employee.birth_name", "Nom de naissance", ALL, True),
    FieldSpec("employee.usage_name", "Nom d'usage", ALL, False),
    FieldSpec("employee.first_name", "Prénom", ALL, True),
    FieldSpec(
        "employee.birth_date",
        "Date de naissance",
        ALL,
        True,
        help=DATE_HELP,
        reminder=LegalReminder(
            "L'apprenti doit avoir entre 16 et 29 ans révolus au début du contrat (15 ans s'il a terminé le collège ; "
            "jusqu'à 35 ans ou sans limite d'âge dans les cas prévus par la loi).",
            "Code du travail, art. L6222-1 et L6222-2",
        ),
    ),
    FieldSpec("employee.birth_city", "Commune de naissance", ALL, True),
    FieldSpec(
        "employee.birth_department",
        "Département de naissance",
        ALL,
        True,
        help="Ex. 75, 2A, 971 ; 99 si né à l'étranger",
    ),
    FieldSpec(
        "employee.born_abroad",
        "Né(e) à l'étranger",
        ALL,
        True,
        choices=(Choice("false", "Né(e) en France"), Choice("true", "Né(e) à l'étranger")),
        help="Pour une naissance à l'étranger, le département de naissance est 99",
    ),
    FieldSpec("employee.sex", "Sexe", ALL, True, choices=Sex.choices()),
    FieldSpec("employee.nir", "Numéro de sécurité sociale (NIR)", ALL, True, help=NIR_HELP),
    FieldSpec("employee.nationality", "Nationalité", ALL, True, choices=Nationality.choices()),
    FieldSpec("employee.social_regime", "Régime social", ALL, True, choices=SocialRegime.choices()),
    *_address("employee.address", "Adresse"),
    FieldSpec("employee.phone", "Téléphone", ALL, True, help=PHONE_HELP),
    FieldSpec("employee.email", "Courriel", ALL, True, help=EMAIL_HELP),
    FieldSpec(
        "employee.disabled_worker",
        "Reconnaissance de la qualité de travailleur handicapé (RQTH)",
        ALL,
        True,
        choices=YES_NO,
        reminder=LegalReminder(
            "Un apprenti reconnu travailleur handicapé n'a pas de limite d'âge ; son contrat peut durer jusqu'à 4 ans, "
            "et la rémunération de l'année de prolongation est majorée de 15 points.",
            "Code du travail, art. L6222-2, R6222-46 et R6222-48",
        ),
    ),
    FieldSpec(
        "employee.high_level_athlete",
        "Sportif de haut niveau inscrit sur liste",
        APP,
        False,
        choices=YES_NO,
        reminder=LegalReminder("Pas de limite d'âge pour un sportif de haut niveau.", "Code du travail, art. L6222-2"),
    ),
    FieldSpec(
        "employee.business_project",
        "Projet de création ou de reprise d'entreprise",
        APP,
        False,
        choices=YES_NO,
        reminder=LegalReminder(
            "Pas de limite d'âge lorsque le diplôme est nécessaire à un projet de création ou de reprise d'entreprise.",
            "Code du travail, art. L6222-2",
        ),
    ),
    FieldSpec(
        "employee.failed_exam",
        "Contrat faisant suite à un échec à l'examen",
        APP,
        False,
        choices=YES_NO,
        reminder=LegalReminder(
            "En cas d'échec à l'examen, le contrat peut être prolongé "
            "d'un an au plus, rémunéré au taux de la dernière année.",
            "Code du travail, art. L6222-11",
        ),
    ),
    FieldSpec(
        "employee.completed_middle_school",
        "A terminé le collège (premier cycle du secondaire)",
        APP,
        True,
        _under_16,
        choices=YES_NO,
        reminder=LegalReminder(
            "Avant 16 ans, un contrat d'apprentissage n'est possible qu'à partir de 15 ans et après le collège "
            "(code dérogation 11).",
            "Code du travail, art. L6222-1",
        ),
    ),
    FieldSpec(
        "employee.pursues_higher_diploma",
        "Le contrat suit un précédent contrat et prépare un diplôme supérieur",
        APP,
        False,
        _over_max_age,
        choices=YES_NO,
        reminder=LegalReminder(
            "Au-delà de 29 ans, un contrat est possible jusqu'à 35 "
            "ans s'il suit un précédent contrat d'apprentissage et "
            "conduit à un diplôme supérieur, ou si le précédent contrat a été rompu pour une cause indépendante de la "
            "volonté de l'apprenti, un an au plus après la fin du précédent contrat.",
            "Code du travail, art. L6222-2 et D6222-1-1",
        ),
    ),
    FieldSpec(
        "employee.previous_contract_broken_independently",
        "Le précédent contrat a été rompu pour une cause indépendante de la volonté de l'apprenti",
        APP,
        False,
        _over_max_age,
        choices=YES_NO,
    ),
    FieldSpec(
        "employee.previous_apprenticeship_end_date",
        "Date de fin du précédent contrat d'apprentissage",
        APP,
        # Asked, not required: the CERFA does not carry it (APPRENTICE_AGE_EXCEPTION_DELAY warns when it is missing).
        False,
        _successive_exception,
        help=DATE_HELP,
    ),
    FieldSpec(
        "employee.situation_before_contract",
        "Situation avant ce contrat",
        APP,
        True,
        choices=SituationBeforeContract.choices(),
    ),
    FieldSpec("employee.last_class", "Dernière classe ou année suivie", APP, True, choices=LastClass.choices()),
    FieldSpec(
        "employee.last_diploma_prepared", "Dernier diplôme ou titre préparé", APP, False, choices=DIPLOMA_CHOICES
    ),
    FieldSpec(
        "employee.last_diploma_prepared_title", "Intitulé précis du dernier diplôme ou titre préparé", APP, False
    ),
    FieldSpec(
        "employee.highest_diploma",
        "Diplôme ou titre le plus élevé obtenu",
        ALL,
        True,
        choices=DIPLOMA_CHOICES,
        reminder=LegalReminder(
            "Contrat de professionnalisation : la rémunération minimale est plus élevée pour un titulaire d'une "
            "qualification au moins égale au baccalauréat professionnel.",
            "Code du travail, art. D6325-15",
        ),
    ),
    FieldSpec("employee.emancipated", "Mineur émancipé", ALL, False, _minor, choices=YES_NO),
    FieldSpec(
        "employee.legal_representative.last_name",
        "Représentant légal : nom",
        ALL,
        True,
        _minor,
        enforced_by="LEGAL_REPRESENTATIVE_REQUIRED",
        reminder=LegalReminder(
            "Un mineur non émancipé signe son contrat avec son représentant légal.", "Code du travail, art. L6222-4"
        ),
    ),
    FieldSpec(
        "employee.legal_representative.first_name", "Représentant légal : prénom", ALL, _representative_given, _minor
    ),
    FieldSpec(
        "employee.legal_representative.relationship", "Représentant légal : lien avec le mineur", ALL, False, _minor
    ),
    *_address(
        "employee.legal_representative.address", "Représentant légal : adresse", ALL, _representative_given, _minor
    ),
    FieldSpec(
        "employee.legal_representative.email", "Représentant légal : courriel", ALL, False, _minor, help=EMAIL_HELP
    ),
    FieldSpec(
        "employee.legal_representative.phone", "Représentant légal : téléphone", ALL, False, _minor, help=PHONE_HELP
    ),
    FieldSpec(
        "employee.public_category",
        "Autre situation (sortant d'un CUI, jeune sans qualification...)",
        PRO,
        False,
        choices=ProfessionalisationPublic.choices(),
        reminder=LegalReminder(
            "Le contrat de professionnalisation est ouvert aux jeunes de 16 à 25 ans révolus ; à partir de 26 ans, aux "
            "demandeurs d'emploi et aux bénéficiaires du RSA, de l'ASS, de l'AAH ou sortant d'un CUI.",
            "Code du travail, art. L6325-1",
        ),
    ),
    FieldSpec(
        "employee.job_seeker_registered",
        "Inscrit(e) comme demandeur d'emploi à France Travail",
        PRO,
        True,
        choices=YES_NO,
        reminder=LegalReminder(
            "Un demandeur d'emploi peut conclure un contrat de professionnalisation à tout âge.",
            "Code du travail, art. L6325-1",
        ),
    ),
    FieldSpec(
        "employee.social_benefit",
        "Bénéficiaire d'un minimum social",
        PRO,
        True,
        choices=SocialBenefit.choices(),
        reminder=LegalReminder(
            "Les bénéficiaires du RSA, de l'ASS ou de l'AAH peuvent conclure un contrat de professionnalisation à "
            "tout âge, d'une durée allant jusqu'à 36 mois.",
            "Code du travail, art. L6325-1 et L6325-11",
        ),
    ),
    FieldSpec("employee.job_seeker_id", "Identifiant France Travail", PRO, False, _job_seeker),
    FieldSpec("employee.job_seeker_registration_months", "Durée d'inscription (mois)", PRO, False, _job_seeker),
    # Tuteur / Maître d'apprentissage
    FieldSpec("tutors[].last_name", "Nom", ALL, True, enforced_by="TUTOR_COUNT"),
    FieldSpec("tutors[].first_name", "Prénom", ALL, True),
    FieldSpec(
        "tutors[].birth_date",
        "Date de naissance",
        ALL,
        True,
        help=DATE_HELP,
        reminder=LegalReminder("Le maître d'apprentissage doit être majeur.", "Code du travail, art. R6223-22"),
    ),
    FieldSpec("tutors[].job_title", "Emploi occupé", ALL, True),
    FieldSpec("tutors[].highest_diploma", "Diplôme ou titre le plus élevé obtenu", ALL, True, choices=DIPLOMA_CHOICES),
    FieldSpec("tutors[].diploma_title", "Intitulé du diplôme ou titre le plus élevé obtenu", ALL, True),
    FieldSpec(
        "tutors[].related_diploma",
        "Diplôme en rapport avec la qualification préparée, d'un niveau au moins égal",
        APP,
        True,
        choices=YES_NO,
    ),
    FieldSpec(
        "tutors[].experience_years",
        "Années d'expérience en rapport avec la qualification",
        ALL,
        True,
        help="Nombre d'années entières ; les mois en plus dans le champ suivant",
        reminder=LegalReminder(
            "Maître d'apprentissage : un an d'expérience avec un diplôme en rapport, sinon deux ans. "
            "Tuteur d'un contrat de professionnalisation : deux ans d'expérience.",
            "Code du travail, art. R6223-22 et D6325-6",
        ),
    ),
    FieldSpec("tutors[].experience_months", "Mois d'expérience en plus des années", ALL, False, help="0 à 11"),
    FieldSpec("tutors[].email", "Courriel", ALL, True, help=EMAIL_HELP),
    FieldSpec("tutors[].phone", "Téléphone", ALL, False, help=PHONE_HELP),
    FieldSpec(
        "tutors[].apprentices_supervised",
        "Nombre d'apprentis ou d'alternants déjà suivis",
        ALL,
        True,
        reminder=LegalReminder(
            "Un maître d'apprentissage suit au plus deux apprentis, plus un apprenti redoublant ; un tuteur au plus "
            "trois alternants.",
            "Code du travail, art. R6223-6 et D6325-9",
        ),
    ),
    FieldSpec("tutors[].supervises_repeating_apprentice", "Suit un apprenti redoublant", APP, False, choices=YES_NO),
    FieldSpec(
        "tutors[].eligibility_attested",
        "L'employeur atteste que ce tuteur remplit les conditions légales",
        ALL,
        True,
        choices=YES_NO,
        enforced_by="ATTESTATIONS_REQUIRED",
    ),
    # Deprecated contract-wide attestation: still read for a single tutor, no longer asked.
    FieldSpec(
        "tutor_eligibility_attested",
        "L'employeur atteste que le(s) tuteur(s) remplissent les conditions légales",
        ALL,
        False,
        _never,
        choices=YES_NO,
        enforced_by="ATTESTATIONS_REQUIRED",
    ),
    # Contrat
    FieldSpec("contract.kind_code", "Type de contrat ou d'avenant", ALL, True, choices=KindCode.choices()),
    FieldSpec(
        "contract.derogation_code",
        "Type de dérogation",
        APP,
        _needs_derogation,
        choices=DerogationCode.choices(),
        enforced_by="DEROGATION_CODE_REQUIRED",
        reminder=LegalReminder(
            "Code 11 pour un apprenti de moins de 16 ans, 12 au-delà de 29 ans, 21/22 pour une réduction ou un "
            "allongement de durée.",
            "Code du travail, art. L6222-1, L6222-2 et L6222-7-1",
        ),
    ),
    FieldSpec(
        "contract.previous_contract_number",
        "Numéro du contrat précédent",
        ALL,
        True,
        _follows_previous,
        enforced_by="PREVIOUS_CONTRACT_NUMBER_REQUIRED",
        reminder=LegalReminder(
            "Un contrat successif ou un avenant doit indiquer le numéro du contrat précédent.", "Notice du CERFA 10103"
        ),
    ),
    FieldSpec(
        "contract.employment_form",
        "Nature du contrat (CDD ou CDI)",
        ALL,
        lambda f: f.is_professionalisation,
        choices=EmploymentContractForm.choices(),
    ),
    FieldSpec("contract.signature_date", "Date de conclusion (signature)", ALL, True, help=DATE_HELP),
    FieldSpec(
        "contract.start_date",
        "Date de début d'exécution du contrat",
        ALL,
        True,
        help=DATE_HELP,
        reminder=LegalReminder(
            "Le contrat est transmis à l'OPCO au plus tard dans les 5 jours ouvrables qui suivent son début.",
            "Code du travail, art. D6224-1 et D6325-1",
        ),
    ),
    FieldSpec(
        "contract.practical_training_start_date",
        "Date de début de la formation pratique chez l'employeur",
        APP,
        True,
        help=DATE_HELP,
        reminder=LegalReminder(
            "La formation pratique commence au plus tard trois mois après le début du contrat ; les 45 premiers jours "
            "de formation pratique en entreprise sont une période "
            "pendant laquelle le contrat peut être rompu librement.",
            "Code du travail, art. L6222-12 et L6222-18",
        ),
    ),
    FieldSpec(
        "contract.end_date", "Date de fin du contrat ou de la période d'apprentissage", ALL, True, help=DATE_HELP
    ),
    FieldSpec(
        "contract.amendment_effective_date",
        "Date d'effet de l'avenant",
        ALL,
        True,
        _amendment,
        help=DATE_HELP,
        enforced_by="AMENDMENT_EFFECTIVE_DATE_REQUIRED",
    ),
    FieldSpec("contract.weekly_hours", "Durée hebdomadaire du travail (heures)", ALL, True, help="Ex. 35"),
    FieldSpec(
        "contract.dangerous_work",
        "Travail sur machines dangereuses ou exposition à des risques particuliers",
        APP,
        True,
        choices=YES_NO,
        reminder=LegalReminder(
            "Un mineur ne peut être affecté aux travaux réglementés "
            "qu'après la déclaration de dérogation de l'employeur.",
            "Code du travail, art. R4153-40 et D4153-15",
        ),
    ),
    FieldSpec("contract.job_title", "Emploi occupé", PRO, True),
    FieldSpec("contract.classification", "Classification (niveau, coefficient)", PRO, False),
    FieldSpec(
        "contract.branch_minimum_salary",
        "Salaire minimum conventionnel (SMC) de l'emploi",
        ALL,
        False,
        help=MONEY_HELP,
        reminder=LegalReminder(
            "À partir de 21 ans, la rémunération de l'apprenti est calculée sur le plus élevé du SMIC et du "
            "salaire minimum conventionnel.",
            "Code du travail, art. D6222-26",
        ),
    ),
    FieldSpec("contract.hiring_salary", "Salaire brut mensuel à l'embauche", ALL, True, help=MONEY_HELP),
    FieldSpec("contract.starting_year_of_execution", "Année d'exécution au début du contrat", APP, False, help="1 à 4"),
    FieldSpec(
        "contract.pay_schedule",
        "Rémunération par période",
        APP,
        True,
        choices=PayBase.choices(),
        reminder=LegalReminder(
            "Le salaire minimum dépend de l'âge et de l'année d'exécution ; il change le premier jour du mois qui "
            "suit l'anniversaire.",
            "Code du travail, art. D6222-26 et D6222-34",
        ),
    ),
    FieldSpec("contract.benefits_in_kind", "Avantages en nature", ALL, False),
    FieldSpec("contract.international_mobility", "Mobilité à l'étranger", ALL, False, choices=YES_NO),
    FieldSpec("contract.signature_place", "Lieu de signature", ALL, False),
    # Formation
    FieldSpec(
        "training.organisation.siret", "SIRET de l'organisme de formation responsable", ALL, True, help=SIRET_HELP
    ),
    FieldSpec("training.organisation.uai", "UAI du CFA", APP, True, help=UAI_HELP),
    FieldSpec(
        "training.organisation.activity_declaration_number",
        "Numéro de déclaration d'activité de l'organisme de formation",
        PRO,
        True,
        help="11 chiffres (ex. 11 75 12345 75)",
    ),
    FieldSpec("training.organisation.name", "Dénomination de l'organisme de formation", ALL, True),
    *_address("training.organisation.address", "Adresse de l'organisme de formation"),
    FieldSpec("training.organisation.internal_cfa", "CFA d'entreprise", APP, True, choices=YES_NO),
    FieldSpec(
        "training.qualification.kind",
        "Qualification visée",
        PRO,
        True,
        choices=ProfessionalisationQualificationKind.choices(),
    ),
    FieldSpec(
        "training.qualification.rncp_code", "Code RNCP", ALL, True, _rncp_qualification, help="RNCP suivi de chiffres"
    ),
    FieldSpec("training.qualification.diploma_code", "Code diplôme (CFD)", APP, True, help="8 caractères"),
    FieldSpec("training.qualification.title", "Intitulé précis du diplôme ou titre", ALL, True),
    FieldSpec("training.qualification.diploma_type", "Diplôme ou titre visé", APP, True, choices=DIPLOMA_CHOICES),
    FieldSpec(
        "training.qualification.level", "Niveau de la qualification", ALL, False, choices=QualificationLevel.choices()
    ),
    FieldSpec(
        "training.start_date",
        "Date de début du cycle de formation",
        ALL,
        True,
        help=DATE_HELP,
        reminder=LegalReminder(
            "La formation en CFA commence au plus tôt trois mois avant "
            "et au plus tard trois mois après le début du contrat.",
            "Code du travail, art. L6222-12 et L6222-12-1",
        ),
    ),
    FieldSpec("training.end_date", "Date prévue de fin des épreuves", ALL, True, help=DATE_HELP),
    FieldSpec(
        "training.hours",
        "Durée totale de la formation (heures)",
        ALL,
        True,
        reminder=LegalReminder(
            "Apprentissage : au moins 25 % de la durée du contrat. "
            "Professionnalisation : entre 15 % et 25 % de la durée, "
            "et au moins 150 heures.",
            "Code du travail, art. L6211-2, L6325-13 et L6325-14",
        ),
    ),
    FieldSpec("training.hours_in_organisation", "Dont heures en organisme de formation", PRO, True),
    FieldSpec("training.hours_internal_service", "Dont heures par le service de formation interne", PRO, False),
    FieldSpec(
        "training.main_site_same_as_organisation",
        "Le lieu principal de formation est l'organisme responsable",
        ALL,
        True,
        choices=YES_NO,
    ),
    FieldSpec("training.main_site.name", "Lieu principal de formation : dénomination", ALL, True, _main_site_elsewhere),
    FieldSpec(
        "training.main_site.siret",
        "Lieu principal de formation : SIRET",
        ALL,
        False,
        _main_site_elsewhere,
        help=SIRET_HELP,
    ),
    FieldSpec(
        "training.main_site.uai", "Lieu principal de formation : UAI", APP, False, _main_site_elsewhere, help=UAI_HELP
    ),
    *_address("training.main_site.address", "Lieu principal de formation : adresse", ALL, True, _main_site_elsewhere),
    # Synthèse
    FieldSpec(
        "synthesis.employer_attests_accuracy",
        "L'employeur atteste l'exactitude des informations",
        ALL,
        True,
        choices=YES_NO,
        enforced_by="ATTESTATIONS_REQUIRED",
    ),
    FieldSpec(
        "synthesis.employer_attests_supporting_documents",
        "L'employeur atteste disposer des pièces justificatives",
        ALL,
        True,
        choices=YES_NO,
        enforced_by="ATTESTATIONS_REQUIRED",
    ),
)

CATALOGUE_BY_PATH = {spec.path: spec for spec in CATALOGUE}
