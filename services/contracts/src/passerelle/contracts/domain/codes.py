"""Enumerations and code lists of the two CERFA forms, each value with its French label.

Codes are those printed on the CERFA 10103 (apprentissage) and 12434 (professionnalisation) notices; the
labels are what a person sees on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a French label."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> tuple[Choice, ...]:
        return tuple(Choice(member.value, member.label) for member in cls)


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a field and its French label."""

    code: str
    label: str


class ContractType(LabelledEnum):
    APPRENTICESHIP = "apprentissage", "Contrat d'apprentissage (CERFA 10103)"
    PROFESSIONALISATION = "professionnalisation", "Contrat de professionnalisation (CERFA 12434)"


class EmployerSector(LabelledEnum):
    PRIVATE = "private", "Employeur privé"
    PUBLIC = "public", "Employeur public"


class ContractKind(LabelledEnum):
    FIRST = "first", "Premier contrat"
    SUCCESSION = "succession", "Contrat faisant suite à un précédent contrat"
    AMENDMENT = "amendment", "Avenant (modification d'un contrat engagé)"


class ContractStatus(LabelledEnum):
    DRAFT = "draft", "En cours de saisie"
    PROPOSED = "proposed", "Envoyé par l'organisme ou le CFA"
    TRANSMITTED = "transmitted", "Transmis à l'OPCO"
    IN_ANOMALY = "in_anomaly", "En anomalie"
    ENGAGED = "engaged", "Engagé"
    REFUSED = "refused", "Refusé"
    ARCHIVED = "archived", "Archivé"
    DELETED = "deleted", "Supprimé"


class Sex(LabelledEnum):
    MALE = "M", "Homme"
    FEMALE = "F", "Femme"


class Nationality(LabelledEnum):
    FRENCH = "1", "Française"
    EUROPEAN_UNION = "2", "Union européenne"
    OTHER = "3", "Étranger hors Union européenne"


class SocialRegime(LabelledEnum):
    MSA = "1", "MSA (régime agricole)"
    URSSAF = "2", "URSSAF (régime général)"


class EmployerType(LabelledEnum):
    CRAFTS_REGISTER = (
        "11",
        "Entreprise inscrite au répertoire des métiers ou au registre des entreprises d'Alsace-Moselle",
    )
    TRADE_REGISTER = "12", "Entreprise inscrite uniquement au registre du commerce et des sociétés"
    AGRICULTURAL = "13", "Entreprise dont les salariés relèvent de la mutualité sociale agricole"
    LIBERAL_PROFESSION = "14", "Profession libérale"
    ASSOCIATION = "15", "Association"
    OTHER_PRIVATE = "16", "Autre employeur privé"
    STATE_SERVICE = "21", "Service de l'État (administrations centrales et leurs services déconcentrés)"
    MUNICIPALITY = "22", "Commune"
    DEPARTMENT = "23", "Département"
    REGION = "24", "Région"
    HOSPITAL = "25", "Établissement public hospitalier"
    SCHOOL = "26", "Établissement public local d'enseignement"
    STATE_ADMINISTRATIVE_BODY = "27", "Établissement public administratif de l'État"
    LOCAL_ADMINISTRATIVE_BODY = "28", "Établissement public administratif local (y compris EPCI)"
    OTHER_PUBLIC = "29", "Autre employeur public"
    INDUSTRIAL_PUBLIC_BODY = "30", "Établissement public industriel et commercial"


PRIVATE_EMPLOYER_TYPES = frozenset(
    {
        EmployerType.CRAFTS_REGISTER,
        EmployerType.TRADE_REGISTER,
        EmployerType.AGRICULTURAL,
        EmployerType.LIBERAL_PROFESSION,
        EmployerType.ASSOCIATION,
        EmployerType.OTHER_PRIVATE,
    }
)


class SpecificEmployer(LabelledEnum):
    NONE = "0", "Aucun de ces cas"
    TEMPORARY_WORK_AGENCY = "1", "Entreprise de travail temporaire"
    EMPLOYERS_GROUP = "2", "Groupement d'employeurs"
    SEASONAL_EMPLOYER = "3", "Employeur saisonnier"
    FAMILY_APPRENTICESHIP = "4", "Apprentissage familial : l'employeur est un ascendant de l'apprenti"


class SituationBeforeContract(LabelledEnum):
    SCHOOL = "1", "Scolaire"
    PRE_APPRENTICESHIP = "2", "Prépa apprentissage"
    STUDENT = "3", "Étudiant"
    APPRENTICESHIP_CONTRACT = "4", "Contrat d'apprentissage"
    PROFESSIONALISATION_CONTRACT = "5", "Contrat de professionnalisation"
    SUBSIDISED_CONTRACT = "6", "Contrat aidé"
    CFA_TRAINEE_BEFORE_CONTRACT = "7", "En formation au CFA sous statut de stagiaire, avant la signature d'un contrat"
    CFA_WITHOUT_CONTRACT = "8", "En formation au CFA sans contrat, suite à la rupture d'un contrat"
    OTHER_TRAINEE = "9", "Autre situation sous statut de stagiaire de la formation professionnelle"
    EMPLOYEE = "10", "Salarié"
    JOB_SEEKER = "11", "Personne à la recherche d'un emploi (inscrite ou non à France Travail)"
    INACTIVE = "12", "Inactif"


class LastClass(LabelledEnum):
    CYCLE_COMPLETED_DIPLOMA = "01", "Dernière année du cycle suivie, diplôme ou titre obtenu"
    YEAR1_VALIDATED = "11", "1re année du cycle suivie et validée"
    YEAR1_NOT_VALIDATED = "12", "1re année du cycle suivie, non validée"
    YEAR2_VALIDATED = "21", "2e année du cycle suivie et validée"
    YEAR2_NOT_VALIDATED = "22", "2e année du cycle suivie, non validée"
    YEAR3_VALIDATED = "31", "3e année du cycle suivie et validée"
    YEAR3_NOT_VALIDATED = "32", "3e année du cycle suivie, non validée"
    MIDDLE_SCHOOL_COMPLETED = "40", "Premier cycle de l'enseignement secondaire (collège) achevé"
    LEFT_IN_THIRD_GRADE = "41", "Études interrompues en classe de 3e"
    LEFT_IN_FOURTH_GRADE = "42", "Études interrompues en classe de 4e"


@dataclass(frozen=True, slots=True)
class Diploma:
    """A diploma or title code of the CERFA list, with its European level (3 = CAP ... 8 = doctorat)."""

    code: str
    label: str
    level: int
    # Counts as "at least a bac pro level qualification" for the professionalisation pay rates (D6325-15):
    # a vocational level 4 qualification or any higher one.
    professional_level_4_or_higher: bool


DIPLOMAS: dict[str, Diploma] = {
    d.code: d
    for d in (
        Diploma("80", "Doctorat", 8, True),
        Diploma("71", "Master professionnel / DESS", 7, True),
        Diploma("72", "Master recherche / DEA", 7, True),
        Diploma("73", "Master indifférencié", 7, True),
        Diploma("74", "Diplôme d'ingénieur, diplôme d'école de commerce", 7, True),
        Diploma("79", "Autre diplôme ou titre de niveau bac +5 ou plus", 7, True),
        Diploma("61", "1re année de master", 6, True),
        Diploma("62", "Licence professionnelle", 6, True),
        Diploma("63", "Licence générale", 6, True),
        Diploma("64", "Bachelor universitaire de technologie (BUT)", 6, True),
        Diploma("69", "Autre diplôme ou titre de niveau bac +3 ou 4", 6, True),
        Diploma("54", "Brevet de technicien supérieur (BTS)", 5, True),
        Diploma("55", "Diplôme universitaire de technologie (DUT)", 5, True),
        Diploma("58", "Autre diplôme ou titre de niveau bac +2", 5, True),
        Diploma("41", "Baccalauréat professionnel", 4, True),
        Diploma("42", "Baccalauréat général", 4, False),
        Diploma("43", "Baccalauréat technologique", 4, False),
        Diploma("49", "Autre diplôme ou titre professionnel de niveau bac", 4, True),
        Diploma("33", "CAP", 3, False),
        Diploma("34", "BEP", 3, False),
        Diploma("35", "Mention complémentaire", 3, False),
        Diploma("38", "Autre diplôme ou titre de niveau CAP/BEP", 3, False),
        Diploma("25", "Diplôme national du brevet (DNB)", 2, False),
        Diploma("26", "Certificat de formation générale", 2, False),
        Diploma("13", "Aucun diplôme ni titre professionnel", 1, False),
    )
}

DIPLOMA_CHOICES = tuple(Choice(d.code, d.label) for d in DIPLOMAS.values())


class QualificationLevel(LabelledEnum):
    LEVEL_3 = "3", "Niveau 3 (CAP, BEP)"
    LEVEL_4 = "4", "Niveau 4 (baccalauréat)"
    LEVEL_5 = "5", "Niveau 5 (bac +2 : BTS, DUT)"
    LEVEL_6 = "6", "Niveau 6 (bac +3 et 4 : licence, BUT)"
    LEVEL_7 = "7", "Niveau 7 (bac +5 : master, ingénieur)"
    LEVEL_8 = "8", "Niveau 8 (doctorat)"


class KindCode(LabelledEnum):
    """Type of contract or amendment (CERFA 10103 "type de contrat ou d'avenant")."""

    FIRST = "11", "Premier contrat de l'apprenti"
    SAME_EMPLOYER_COMPLETED = "21", "Nouveau contrat après un précédent contrat terminé chez le même employeur"
    OTHER_EMPLOYER_COMPLETED = "22", "Nouveau contrat après un précédent contrat terminé chez un autre employeur"
    OTHER_EMPLOYER_BROKEN = "23", "Nouveau contrat après un précédent contrat rompu chez un autre employeur"
    EMPLOYER_LEGAL_CHANGE = "31", "Avenant : modification de la situation juridique de l'employeur"
    SEASONAL_EMPLOYER_CHANGE = "32", "Avenant : changement d'employeur dans le cadre d'un contrat saisonnier"
    FAILED_EXAM_EXTENSION = "33", "Avenant : prolongation suite à un échec à l'examen"
    DISABILITY_EXTENSION = (
        "34",
        "Avenant : prolongation suite à la reconnaissance de la qualité de travailleur handicapé",
    )
    DIPLOMA_CHANGE = "35", "Avenant : modification du diplôme préparé"
    OTHER_CHANGE = (
        "36",
        "Avenant : autres changements (maître d'apprentissage, durée du travail, réduction de durée...)",
    )
    WORKPLACE_CHANGE = "37", "Avenant : modification du lieu d'exécution du contrat"
    TRAINING_SITE_CHANGE = "38", "Avenant : modification du lieu principal de la formation théorique"


FIRST_KIND_CODES = frozenset({KindCode.FIRST})
SUCCESSION_KIND_CODES = frozenset(
    {KindCode.SAME_EMPLOYER_COMPLETED, KindCode.OTHER_EMPLOYER_COMPLETED, KindCode.OTHER_EMPLOYER_BROKEN}
)
AMENDMENT_KIND_CODES = frozenset(
    {
        KindCode.EMPLOYER_LEGAL_CHANGE,
        KindCode.SEASONAL_EMPLOYER_CHANGE,
        KindCode.FAILED_EXAM_EXTENSION,
        KindCode.DISABILITY_EXTENSION,
        KindCode.DIPLOMA_CHANGE,
        KindCode.OTHER_CHANGE,
        KindCode.WORKPLACE_CHANGE,
        KindCode.TRAINING_SITE_CHANGE,
    }
)
KIND_CODES_BY_KIND = {
    ContractKind.FIRST: FIRST_KIND_CODES,
    ContractKind.SUCCESSION: SUCCESSION_KIND_CODES,
    ContractKind.AMENDMENT: AMENDMENT_KIND_CODES,
}


class DerogationCode(LabelledEnum):
    UNDER_16 = "11", "Âge de l'apprenti inférieur à 16 ans"
    OVER_29 = "12", "Âge supérieur à 29 ans : cas spécifiques prévus par le code du travail"
    SHORTENED = "21", "Réduction de la durée du contrat ou de la période d'apprentissage"
    LENGTHENED = "22", "Allongement de la durée du contrat ou de la période d'apprentissage"
    SEVERAL = "50", "Cumul de dérogations"
    OTHER = "60", "Autre dérogation"


class ProfessionalisationPublic(LabelledEnum):
    """Who the person is, for the age limits and maximum durations of a professionalisation contract."""

    INITIAL_TRAINING_16_25 = "young", "Jeune de 16 à 25 ans complétant sa formation initiale"
    JOB_SEEKER_26_PLUS = "job_seeker_26_plus", "Demandeur d'emploi de 26 ans et plus"
    RSA = "rsa", "Bénéficiaire du revenu de solidarité active (RSA)"
    ASS = "ass", "Bénéficiaire de l'allocation de solidarité spécifique (ASS)"
    AAH = "aah", "Bénéficiaire de l'allocation aux adultes handicapés (AAH)"
    FORMER_CUI = "former_cui", "Personne sortant d'un contrat unique d'insertion (CUI)"
    YOUNG_WITHOUT_QUALIFICATION = (
        "young_without_qualification",
        "Jeune de 16 à 25 ans sans qualification (sans second cycle du secondaire validé ni diplôme professionnel)",
    )


class SocialBenefit(LabelledEnum):
    """The social minimum the person receives (CERFA 12434), a fact of its own, independent of age."""

    NONE = "none", "Aucun de ces minima sociaux"
    RSA = "rsa", "Revenu de solidarité active (RSA)"
    ASS = "ass", "Allocation de solidarité spécifique (ASS)"
    AAH = "aah", "Allocation aux adultes handicapés (AAH)"


# Benefits that open a professionalisation contract at any age (L6325-1) and up to 36 months (L6325-11).
PRIORITY_SOCIAL_BENEFITS = frozenset({SocialBenefit.RSA, SocialBenefit.ASS, SocialBenefit.AAH})

# May conclude a professionalisation contract at 26 or older (L6325-1).
PRO_PUBLICS_ALLOWED_26_PLUS = frozenset(
    {
        ProfessionalisationPublic.JOB_SEEKER_26_PLUS,
        ProfessionalisationPublic.RSA,
        ProfessionalisationPublic.ASS,
        ProfessionalisationPublic.AAH,
        ProfessionalisationPublic.FORMER_CUI,
    }
)
# May have a contract of up to 36 months (L6325-11).
PRO_PUBLICS_ALLOWED_36_MONTHS = frozenset(
    {
        ProfessionalisationPublic.YOUNG_WITHOUT_QUALIFICATION,
        ProfessionalisationPublic.RSA,
        ProfessionalisationPublic.ASS,
        ProfessionalisationPublic.AAH,
        ProfessionalisationPublic.FORMER_CUI,
    }
)


class ProfessionalisationQualificationKind(LabelledEnum):
    RNCP = "rncp", "Certification enregistrée au RNCP"
    CQP = "cqp", "Certificat de qualification professionnelle (CQP) de branche ou interbranche"
    BRANCH_CLASSIFICATION = (
        "classification",
        "Qualification reconnue dans les classifications d'une convention collective",
    )


class EmploymentContractForm(LabelledEnum):
    FIXED_TERM = "cdd", "Contrat à durée déterminée (CDD)"
    PERMANENT = "cdi", "Contrat à durée indéterminée (CDI)"


class PayBase(LabelledEnum):
    SMIC = "smic", "SMIC"
    SMC = "smc", "Salaire minimum conventionnel (SMC)"


class DocumentType(LabelledEnum):
    TRAINING_AGREEMENT = "convention_formation", "Convention de formation"
    DURATION_AGREEMENT = "convention_reduction_duree", "Convention de réduction ou d'allongement de durée"
    MOBILITY_AGREEMENT = "convention_mobilite", "Convention de mobilité"
    SIGNED_CERFA = "cerfa_signe", "CERFA signé"
    AGREEMENT_LETTER = "courrier_accord", "Courrier d'accord de l'OPCO"
    ANOMALY_LETTER = "courrier_anomalie", "Courrier d'anomalie de l'OPCO"
    OTHER = "autre", "Autre pièce"


class DashboardSort(LabelledEnum):
    """How the dashboard orders the contracts: a column, a minus sign for the newest (or last) first."""

    UPDATED_DESC = "-updated_at", "Dernière modification, la plus récente d'abord"
    UPDATED_ASC = "updated_at", "Dernière modification, la plus ancienne d'abord"
    CREATED_DESC = "-created_at", "Création, la plus récente d'abord"
    CREATED_ASC = "created_at", "Création, la plus ancienne d'abord"
    START_DESC = "-start_date", "Début du contrat, le plus tardif d'abord"
    START_ASC = "start_date", "Début du contrat, le plus proche d'abord"
    TRANSMITTED_DESC = "-transmitted_at", "Transmission, la plus récente d'abord"
    TRANSMITTED_ASC = "transmitted_at", "Transmission, la plus ancienne d'abord"
    EMPLOYEE_ASC = "employee_name", "Nom du salarié, de A à Z"
    EMPLOYEE_DESC = "-employee_name", "Nom du salarié, de Z à A"
