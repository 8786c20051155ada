"""The contract form, tab by tab, for both CERFA models.

Every field is optional: a draft may be incomplete; what transmission requires is said by the rules
(`rules/required.py`) and the questions catalogue (`fields.py`), not by the types. Unknown fields are rejected.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from .codes import (
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

_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_FORMAT_MESSAGE = "Une date valide est attendue au format JJ/MM/AAAA (ex. 14/03/2008)."


def _form_date(value: Any) -> Any:
    """A date as people type it (JJ/MM/AAAA) or as JSON carries it (AAAA-MM-JJ); one French message otherwise."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    french = _FRENCH_DATE.fullmatch(text)
    try:
        if french:
            day, month, year = (int(part) for part in french.groups())
            return date(year, month, day)
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise PydanticCustomError("date_format", "{french}", {"french": DATE_FORMAT_MESSAGE})


FormDate = Annotated[date, BeforeValidator(_form_date)]
"""A date of the form: accepts JJ/MM/AAAA and AAAA-MM-JJ, answers in JJ/MM/AAAA when it cannot read one."""


# Bounds of what a form field can hold at all, far past any real value: they keep absurd numbers (2^63
# employees, 10^999 euros) out of the rules, the pay schedule and the PDF. The legal limits are rules, checked
# with their references; these are not legal values.
INPUT_MAX_COUNT = 10_000_000
INPUT_MAX_MONTHS = 1_200
INPUT_MAX_AMOUNT = Decimal("1000000000")


class FormPart(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, str_strip_whitespace=True)


class Address(FormPart):
    number: str | None = Field(None, description="Street number, with its suffix if any (bis, ter)", max_length=10)
    street: str | None = Field(None, description="Street type and name", max_length=200)
    complement: str | None = Field(None, description="Address complement (building, post box...)", max_length=200)
    postcode: str | None = Field(None, description="French postcode, 5 digits", max_length=10)
    city: str | None = Field(None, description="City", max_length=100)


# --- Introduction -------------------------------------------------------------------------------------------


class Introduction(FormPart):
    contract_type: ContractType | None = Field(
        None, description="Apprenticeship (CERFA 10103) or professionalisation (CERFA 12434)"
    )
    employer_sector: EmployerSector | None = Field(None, description="Private or public employer")
    contract_kind: ContractKind | None = Field(
        None, description="First contract, contract following a previous one, or amendment of an engaged contract"
    )


# --- Employeur ----------------------------------------------------------------------------------------------


class Employer(FormPart):
    siret: str | None = Field(
        None, description="SIRET of the establishment where the contract is performed (14 digits)"
    )
    name: str | None = Field(None, description="Legal name (dénomination) of the employer", max_length=200)
    address: Address | None = Field(None, description="Address of the establishment")
    phone: str | None = Field(None, description="Phone number of the employer (French format)")
    email: str | None = Field(None, description="E-mail address of the employer")
    employer_type: EmployerType | None = Field(None, description="Employer type code of the CERFA")
    specific_employer: SpecificEmployer | None = Field(
        None, description="Specific employer case (temporary work agency, employers' group, seasonal, family)"
    )
    naf_code: str | None = Field(None, description="Main activity code (APE/NAF), format 00.00A")
    headcount: int | None = Field(None, ge=0, le=INPUT_MAX_COUNT, description="Total headcount of the company")
    idcc: str | None = Field(
        None, description="Collective agreement code (IDCC), 4 digits; 9999 none, 9998 under negotiation"
    )
    idcc_label: str | None = Field(
        None, description="Title of the collective agreement (libellé de la convention collective)", max_length=300
    )
    supplementary_pension_fund: str | None = Field(
        None, description="Supplementary pension fund (caisse de retraite complémentaire)", max_length=200
    )
    provident_fund: str | None = Field(
        None, description="Provident fund (organisme de prévoyance), professionalisation only", max_length=200
    )
    public_unemployment_insurance: StrictBool | None = Field(
        None, description="Public employer only: the employer has joined the unemployment insurance scheme"
    )


# --- Salarié / Apprenti -------------------------------------------------------------------------------------


class LegalRepresentative(FormPart):
    last_name: str | None = Field(None, description="Last name of the legal representative", max_length=100)
    first_name: str | None = Field(None, description="First name of the legal representative", max_length=100)
    relationship: str | None = Field(
        None, description="Relationship to the minor (father, mother, guardian...)", max_length=50
    )
    address: Address | None = Field(None, description="Address of the legal representative")
    phone: str | None = Field(None, description="Phone of the legal representative")
    email: str | None = Field(None, description="E-mail of the legal representative")


class Employee(FormPart):
    """The apprentice (CERFA 10103) or the employee under professionalisation (CERFA 12434)."""

    birth_name: str | None = Field(None, description="Birth last name", max_length=100)
    usage_name: str | None = Field(None, description="Last name in use, if different", max_length=100)
    first_name: str | None = Field(None, description="First name", max_length=100)
    birth_date: FormDate | None = Field(None, description="Date of birth")
    birth_city: str | None = Field(None, description="City of birth", max_length=100)
    birth_department: str | None = Field(
        None, description="Department of birth (2 or 3 characters, 2A/2B for Corsica, 99 born abroad)", max_length=3
    )
    born_abroad: StrictBool | None = Field(
        None, description="Born abroad (true) or in France (false); the department of birth is then 99"
    )
    sex: Sex | None = Field(None, description="Sex: M or F")
    nir: str | None = Field(None, description="Social security number (NIR), 13 characters and 2-digit key")
    nationality: Nationality | None = Field(None, description="Nationality code")
    social_regime: SocialRegime | None = Field(None, description="Social security scheme: MSA or URSSAF")
    address: Address | None = Field(None, description="Home address")
    phone: str | None = Field(None, description="Phone number")
    email: str | None = Field(None, description="E-mail address")
    disabled_worker: StrictBool | None = Field(None, description="Recognised disabled worker (RQTH)")
    high_level_athlete: StrictBool | None = Field(None, description="Listed high-level athlete")
    business_project: StrictBool | None = Field(
        None, description="Has a business creation or take-over project that requires the diploma"
    )
    failed_exam: StrictBool | None = Field(None, description="The contract follows a failed exam (extension, L6222-11)")
    completed_middle_school: StrictBool | None = Field(
        None, description="Has completed the first cycle of secondary education (collège): allows a start at 15"
    )
    pursues_higher_diploma: StrictBool | None = Field(
        None, description="The contract follows a previous apprenticeship and leads to a higher diploma"
    )
    previous_contract_broken_independently: StrictBool | None = Field(
        None, description="The previous apprenticeship was broken for reasons outside the apprentice's control"
    )
    previous_apprenticeship_end_date: FormDate | None = Field(
        None, description="End date of the previous apprenticeship contract (age exception up to 35)"
    )
    situation_before_contract: SituationBeforeContract | None = Field(
        None, description="Situation before this contract"
    )
    last_class: LastClass | None = Field(None, description="Last class or year followed")
    last_diploma_prepared: str | None = Field(
        None, description="Code of the last diploma or title prepared (CERFA list)"
    )
    last_diploma_prepared_title: str | None = Field(
        None, description="Title (intitulé précis) of the last diploma or title prepared", max_length=300
    )
    highest_diploma: str | None = Field(None, description="Code of the highest diploma or title obtained (CERFA list)")
    emancipated: StrictBool | None = Field(None, description="Emancipated minor (no legal representative needed)")
    legal_representative: LegalRepresentative | None = Field(None, description="Legal representative of a minor")
    # Professionalisation only
    public_category: ProfessionalisationPublic | None = Field(
        None,
        description=(
            "Professionalisation: the public the person belongs to (former CUI holder, young person without "
            "qualification...); job-seeker registration and social benefits are stated by their own fields"
        ),
    )
    job_seeker_registered: StrictBool | None = Field(
        None, description="Professionalisation: registered as a job-seeker with France Travail (at any age)"
    )
    social_benefit: SocialBenefit | None = Field(
        None, description="Professionalisation: social minimum received (RSA, ASS, AAH) or none"
    )
    job_seeker_id: str | None = Field(None, description="Professionalisation: job-seeker identifier (France Travail)")
    job_seeker_registration_months: int | None = Field(
        None, ge=0, le=INPUT_MAX_MONTHS, description="Professionalisation: months registered as a job-seeker"
    )


# --- Tuteur / Maître d'apprentissage ------------------------------------------------------------------------


class Tutor(FormPart):
    last_name: str | None = Field(None, description="Last name", max_length=100)
    first_name: str | None = Field(None, description="First name", max_length=100)
    birth_date: FormDate | None = Field(None, description="Date of birth")
    job_title: str | None = Field(None, description="Job held in the company", max_length=200)
    highest_diploma: str | None = Field(None, description="Code of the highest diploma or title obtained (CERFA list)")
    diploma_title: str | None = Field(
        None, description="Title (intitulé) of the highest diploma or title obtained", max_length=300
    )
    related_diploma: StrictBool | None = Field(
        None,
        description="Holds a diploma in the professional field of the qualification prepared, at least of its level",
    )
    experience_years: int | None = Field(
        None, ge=0, le=80, description="Years of professional experience related to the qualification prepared"
    )
    experience_months: int | None = Field(
        None, ge=0, le=11, description="Months of experience beyond the whole years (0 to 11): 1 year 6 months"
    )
    eligibility_attested: StrictBool | None = Field(
        None, description="The employer attests that this tutor meets the legal conditions (one per tutor)"
    )
    email: str | None = Field(None, description="E-mail address")
    phone: str | None = Field(None, description="Phone number")
    nir: str | None = Field(None, description="Social security number (optional)")
    apprentices_supervised: int | None = Field(
        None,
        ge=0,
        le=INPUT_MAX_COUNT,
        description="Number of other apprentices or trainees already supervised at the same time",
    )
    supervises_repeating_apprentice: StrictBool | None = Field(
        None,
        description="One of the people supervised is an apprentice whose training was extended after a failed exam",
    )


# --- Contrat ------------------------------------------------------------------------------------------------


class DeclaredPayPeriod(FormPart):
    """One line of the yearly pay schedule as declared by the employer."""

    year: int | None = Field(None, ge=1, le=4, description="Year of execution of the contract (1 to 4)")
    start_date: FormDate | None = Field(None, description="First day of the period")
    end_date: FormDate | None = Field(None, description="Last day of the period")
    rate_percent: Decimal | None = Field(None, ge=0, le=INPUT_MAX_AMOUNT, description="Rate applied, in % of the base")
    base: PayBase | None = Field(None, description="Base of the rate: SMIC or branch minimum (SMC)")
    gross_monthly: Decimal | None = Field(
        None, ge=0, le=INPUT_MAX_AMOUNT, description="Gross monthly pay of the period, in euros"
    )


class BenefitsInKind(FormPart):
    food_per_meal: Decimal | None = Field(
        None, ge=0, le=INPUT_MAX_AMOUNT, description="Meals: value per meal deducted, in euros"
    )
    housing_per_month: Decimal | None = Field(
        None, ge=0, le=INPUT_MAX_AMOUNT, description="Housing: value per month deducted, in euros"
    )
    other: str | None = Field(None, description="Other benefits in kind", max_length=200)


class ContractTerms(FormPart):
    kind_code: KindCode | None = Field(None, description="Type of contract or amendment code (11, 21-23, 31-38)")
    derogation_code: DerogationCode | None = Field(None, description="Derogation code, if any (11, 12, 21, 22, 50, 60)")
    previous_contract_number: str | None = Field(
        None, description="Number of the previous contract (succession or amendment)", max_length=30
    )
    employment_form: EmploymentContractForm | None = Field(None, description="Fixed-term (CDD) or permanent (CDI)")
    signature_date: FormDate | None = Field(None, description="Date the contract was signed")
    start_date: FormDate | None = Field(None, description="Date the contract starts being performed")
    practical_training_start_date: FormDate | None = Field(
        None, description="Apprenticeship: first day of practical training at the employer"
    )
    end_date: FormDate | None = Field(
        None, description="End of the contract (or of the apprenticeship / professionalisation period for a CDI)"
    )
    amendment_effective_date: FormDate | None = Field(None, description="Amendment: the date it takes effect")
    weekly_hours: Decimal | None = Field(None, ge=0, le=INPUT_MAX_AMOUNT, description="Weekly working hours")
    dangerous_work: StrictBool | None = Field(
        None, description="The work involves regulated dangerous machines or work"
    )
    job_title: str | None = Field(None, description="Job held (professionalisation)", max_length=200)
    classification: str | None = Field(
        None, description="Classification level and coefficient (professionalisation)", max_length=100
    )
    branch_minimum_salary: Decimal | None = Field(
        None, ge=0, le=INPUT_MAX_AMOUNT, description="Branch minimum monthly salary (SMC) of the job, in euros, if any"
    )
    hiring_salary: Decimal | None = Field(
        None, ge=0, le=INPUT_MAX_AMOUNT, description="Gross monthly salary at hiring, in euros"
    )
    starting_year_of_execution: int | None = Field(
        None, ge=1, le=4, description="Year of execution the contract starts in (2 after a shortened cycle, D6222-28-1)"
    )
    pay_schedule: list[DeclaredPayPeriod] | None = Field(None, description="Declared pay schedule, period by period")
    benefits_in_kind: BenefitsInKind | None = Field(None, description="Benefits in kind deducted from pay")
    international_mobility: StrictBool | None = Field(
        None, description="Part of the contract is performed abroad (mobility)"
    )
    signature_place: str | None = Field(None, description="Place of signature", max_length=100)


# --- Formation ----------------------------------------------------------------------------------------------


class TrainingOrganisation(FormPart):
    siret: str | None = Field(None, description="SIRET of the responsible training organisation (14 digits)")
    uai: str | None = Field(None, description="UAI of the training establishment (7 digits and a letter)")
    activity_declaration_number: str | None = Field(
        None,
        description="Professionalisation: the organisation's activity declaration number (NDA), 11 digits",
        max_length=20,
    )
    name: str | None = Field(None, description="Name of the training organisation", max_length=200)
    address: Address | None = Field(None, description="Address of the training organisation")
    internal_cfa: StrictBool | None = Field(
        None, description="Apprenticeship: the CFA is an internal CFA of the company"
    )
    email: str | None = Field(None, description="E-mail of the training organisation")
    phone: str | None = Field(None, description="Phone of the training organisation")


class Qualification(FormPart):
    rncp_code: str | None = Field(None, description="RNCP code: RNCP followed by digits")
    diploma_code: str | None = Field(None, description="Diploma code (CFD), 8 characters")
    title: str | None = Field(None, description="Title of the diploma or certification prepared", max_length=300)
    diploma_type: str | None = Field(None, description="Type of diploma or title prepared (CERFA list code)")
    level: QualificationLevel | None = Field(None, description="Level of the qualification (3 to 8)")
    kind: ProfessionalisationQualificationKind | None = Field(
        None, description="Professionalisation: RNCP certification, CQP or branch classification"
    )


class TrainingSite(FormPart):
    name: str | None = Field(None, description="Name of the main training site", max_length=200)
    siret: str | None = Field(None, description="SIRET of the main training site")
    uai: str | None = Field(None, description="UAI of the main training site")
    address: Address | None = Field(None, description="Address of the main training site")


class Training(FormPart):
    organisation: TrainingOrganisation | None = Field(
        None, description="The responsible training organisation (CFA / OF)"
    )
    qualification: Qualification | None = Field(None, description="The qualification prepared")
    start_date: FormDate | None = Field(None, description="Start of the training cycle")
    end_date: FormDate | None = Field(None, description="End of the training (date of the last exam)")
    hours: Decimal | None = Field(None, ge=0, le=INPUT_MAX_AMOUNT, description="Total hours of training")
    hours_in_organisation: Decimal | None = Field(
        None, ge=0, le=INPUT_MAX_AMOUNT, description="Professionalisation: hours given by the training organisation"
    )
    hours_internal_service: Decimal | None = Field(
        None,
        ge=0,
        le=INPUT_MAX_AMOUNT,
        description="Professionalisation: hours given by the company's internal training service",
    )
    main_site_same_as_organisation: StrictBool | None = Field(
        None, description="The main training site is the responsible organisation itself"
    )
    main_site: TrainingSite | None = Field(None, description="The main training site, when different")


# --- Synthèse -----------------------------------------------------------------------------------------------


class Synthesis(FormPart):
    employer_attests_accuracy: StrictBool | None = Field(
        None, description="The employer attests that the information is accurate"
    )
    employer_attests_supporting_documents: StrictBool | None = Field(
        None, description="The employer attests holding every supporting document needed for filing"
    )


# --- The whole form -----------------------------------------------------------------------------------------


class ContractForm(FormPart):
    """The whole contract form (both CERFA models), organised by tabs."""

    introduction: Introduction = Field(default_factory=Introduction, description="Tab Introduction")
    employer: Employer = Field(default_factory=Employer, description="Tab Employeur")
    employee: Employee = Field(default_factory=Employee, description="Tab Salarié / Apprenti")
    tutors: list[Tutor] = Field(default_factory=list, description="Tab Tuteur: one or two tutors", max_length=5)
    tutor_eligibility_attested: StrictBool | None = Field(
        None,
        description=(
            "Deprecated: one attestation for the whole contract. Use each tutor's `eligibility_attested`; this one "
            "still stands for a contract with a single tutor"
        ),
    )
    contract: ContractTerms = Field(default_factory=ContractTerms, description="Tab Contrat")
    training: Training = Field(default_factory=Training, description="Tab Formation")
    synthesis: Synthesis = Field(default_factory=Synthesis, description="Tab Synthèse: attestations")

    @property
    def contract_type(self) -> ContractType | None:
        return self.introduction.contract_type
