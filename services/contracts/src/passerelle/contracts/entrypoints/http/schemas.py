"""Request and response bodies of the contracts API (the form itself is the domain's `ContractForm`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from passerelle.contracts.domain.codes import ContractStatus, ContractType, KindCode
from passerelle.contracts.domain.form import ContractForm, DeclaredPayPeriod
from passerelle.contracts.domain.remuneration import PayPeriod
from passerelle.contracts.service_layer.access import writable_tabs
from passerelle.contracts.service_layer.records import (
    AttachedDocument,
    ContractRecord,
    ContractSummary,
    HistoryEntry,
    Side,
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- requests -------------------------------------------------------------------------------------------------


class CreateContractBody(Body):
    contract_type: ContractType = Field(description="apprentissage (CERFA 10103) or professionnalisation (12434)")
    employer_siret: str | None = Field(None, max_length=20, description="The employer establishment's SIRET")
    training_uai: str | None = Field(None, max_length=12, description="The training organisation's UAI")
    training_siret: str | None = Field(None, max_length=20, description="The training organisation's SIRET")
    side: Literal["employer", "training"] | None = Field(
        None, description="The side you create it for, when you belong to both organisations"
    )
    form: ContractForm | None = Field(None, description="An initial form (only the tabs of your side)")


class ProposeBody(Body):
    employer_email: EmailStr = Field(description="Where the employer is told about the proposal")
    employer_siret: str | None = Field(
        None,
        max_length=20,
        description=(
            "The employer establishment's SIRET, if known; without it the employer whose account has this e-mail "
            "finds the proposal and chooses the establishment when accepting"
        ),
    )


class AcceptBody(Body):
    employer_siret: str | None = Field(
        None, max_length=20, description="Your establishment the contract is for (a proposal sent to your e-mail)"
    )


class DeclineBody(Body):
    reason: str | None = Field(None, max_length=500, description="Why (told to the training organisation)")


class AmendmentBody(Body):
    kind_code: KindCode = Field(description="Amendment code, 31 to 38")
    effective_date: date = Field(description="The day the amendment takes effect")


class TransferBody(Body):
    to_account_id: UUID = Field(description="The colleague (same SIRET or UAI) who takes the contract over")


# --- responses ------------------------------------------------------------------------------------------------


class FindingOut(BaseModel):
    rule_id: str = Field(description="Stable rule identifier, e.g. APPRENTICE_AGE_MAX")
    severity: Literal["error", "warning"] = Field(description="error blocks transmission; warning is a legal point")
    tab: str = Field(description="The tab of the field")
    tab_label: str = Field(description="The tab's French name")
    field: str = Field(description="Path of the field in the form, e.g. tutors[0].birth_date")
    message: str = Field(description="French explanation")
    reference: str = Field(description="Legal reference")


class TabFindings(BaseModel):
    tab: str
    label: str
    state: Literal["ok", "warning", "error"]
    errors: list[FindingOut]
    warnings: list[FindingOut]


class ValidationReport(BaseModel):
    valid: bool = Field(description="True when nothing blocks transmission")
    error_count: int
    warning_count: int
    tabs_in_error: list[str]
    findings: list[FindingOut]
    tabs: list[TabFindings]


class ContractValidation(ValidationReport):
    contract_id: UUID
    version: int
    for_transmission: bool


class PartiesOut(BaseModel):
    employer_siret: str | None
    employer_siren: str | None
    training_uai: str | None
    training_siret: str | None
    opco_code: str | None


class DocumentOut(BaseModel):
    document_type: str
    document_id: UUID
    version: int
    sha256: str
    filename: str | None
    uploaded_at: datetime


class ContractPublic(BaseModel):
    id: UUID
    contract_type: str
    contract_type_label: str
    status: str
    status_label: str
    revision: int = Field(description="The revision being written or last transmitted")
    transmitted_revision: int = Field(description="The last revision transmitted (0: never)")
    amendment_number: int
    version: int = Field(description="Optimistic-locking version; send it back in If-Match")
    owner_id: str = Field(description="The person in charge on the side that created the contract")
    in_charge: dict[str, str] = Field(
        default_factory=dict, description="The person in charge on each side: employer and training account ids"
    )
    created_by: str = Field(description="employer or training: who started the contract")
    parties: PartiesOut
    editable: bool
    your_sides: list[str]
    writable_tabs: list[str]
    opco_file_number: str | None
    anomalies: list[dict[str, Any]]
    anomaly_letter_document_id: UUID | None
    agreement_letter_document_id: UUID | None
    refusal_reason: str | None
    proposed_to_email: str | None
    archived: bool
    documents: list[DocumentOut]
    form: ContractForm
    created_at: datetime | None
    updated_at: datetime | None
    transmitted_at: datetime | None
    private: bool = Field(
        False,
        description="A draft private to you: drafted while your organisation is not verified, nobody else sees it "
        "and it cannot be proposed nor transmitted until the organisation is verified",
    )


class SaveResponse(BaseModel):
    contract: ContractPublic
    changed: list[str] = Field(description="Paths of the fields this save changed")
    findings: list[FindingOut] = Field(description="Errors and warnings (of the saved tab, for a tab save)")


class TransmitResponse(BaseModel):
    contract: ContractPublic
    warnings: list[FindingOut]


class ContractSummaryOut(BaseModel):
    id: UUID
    contract_type: str
    status: str
    status_label: str
    revision: int
    employer_siret: str | None
    employer_name: str | None
    employee_name: str | None
    training_uai: str | None
    training_siret: str | None
    opco_code: str | None
    opco_file_number: str | None
    owner_id: str
    archived: bool
    created_at: datetime
    updated_at: datetime
    start_date: date | None = Field(None, description="The contract's start date (tab Contrat)")
    transmitted_at: datetime | None = Field(None, description="When it was last transmitted to the OPCO")
    in_charge: dict[str, str] = Field(
        default_factory=dict, description="The person in charge on each side: {employer, training} to account id"
    )
    private: bool = Field(
        False,
        description="A draft private to you: drafted while your organisation is not verified, nobody else sees it "
        "and it cannot be proposed nor transmitted until the organisation is verified",
    )


class ContractPage(BaseModel):
    items: list[ContractSummaryOut]
    total: int
    page: int
    page_size: int


class HistoryOut(BaseModel):
    at: datetime
    actor_id: str | None
    action: str
    revision: int
    details: dict[str, Any]


class ChoiceOut(BaseModel):
    code: str
    label: str


class ReminderOut(BaseModel):
    text: str
    reference: str


class QuestionOut(BaseModel):
    field: str
    label: str
    required: bool
    help: str | None
    choices: list[ChoiceOut]
    reminder: ReminderOut | None


class TabQuestionsOut(BaseModel):
    tab: str
    label: str
    questions: list[QuestionOut]


class QuestionsOut(BaseModel):
    contract_id: UUID
    tabs: list[TabQuestionsOut]
    reminders: list[ReminderOut]


class PayPeriodOut(BaseModel):
    start: date
    end: date
    year: int
    age_bracket: str
    age_bracket_label: str
    rate_percent: Decimal
    minimum_rate_percent: Decimal
    base: str
    base_amount: Decimal
    smic_monthly: Decimal
    minimum_gross_monthly: Decimal
    reference: str


class RemunerationOut(BaseModel):
    contract_id: UUID
    periods: list[PayPeriodOut] = Field(description="The legal minimum, period by period")
    declared: list[DeclaredPayPeriod] = Field(description="The schedule declared on the form")


class EstablishmentOut(BaseModel):
    siret: str
    siren: str
    name: str
    address: dict[str, str | None]
    naf_code: str | None
    idcc: str | None
    headcount: int | None
    employer_type: str | None
    employer_sector: str | None
    uai: str | None
    training_organisation: bool
    supplementary_pension_fund: str | None
    phone: str | None
    email: str | None


class QualificationOut(BaseModel):
    rncp_code: str
    diploma_code: str | None
    title: str
    diploma_type: str | None
    level: str | None


# --- builders -------------------------------------------------------------------------------------------------


def contract_public(
    record: ContractRecord, sides: frozenset[Side], documents: list[AttachedDocument]
) -> ContractPublic:
    contract = record.contract
    siret = contract.employer_siret
    return ContractPublic(
        id=contract.id,
        contract_type=contract.type.value,
        contract_type_label=contract.type.label,
        status=contract.status.value,
        status_label=contract.status.label,
        revision=contract.revision,
        transmitted_revision=contract.transmitted_revision,
        amendment_number=contract.amendment_number,
        version=contract.version,
        owner_id=contract.owner_id,
        in_charge={side.value: account for side, account in record.in_charge.items()},
        created_by=record.created_by_side.value,
        parties=PartiesOut(
            employer_siret=siret,
            employer_siren=siret[:9] if siret else None,
            training_uai=contract.training_uai,
            training_siret=contract.training_siret,
            opco_code=record.opco_code,
        ),
        editable=contract.is_editable,
        your_sides=sorted(side.value for side in sides),
        writable_tabs=[tab.value for tab in writable_tabs(sides, record.created_by_side)]
        if contract.is_editable
        else [],
        opco_file_number=contract.opco_file_number,
        anomalies=record.anomalies,
        anomaly_letter_document_id=record.anomaly_letter_document_id,
        agreement_letter_document_id=record.agreement_letter_document_id,
        refusal_reason=record.refusal_reason,
        proposed_to_email=record.proposed_to_email,
        archived=contract.status == ContractStatus.ARCHIVED,
        documents=[DocumentOut.model_validate(d, from_attributes=True) for d in documents],
        form=contract.form,
        created_at=record.created_at,
        updated_at=record.updated_at,
        transmitted_at=record.transmitted_at,
        private=record.is_private,
    )


def summary_out(summary: ContractSummary) -> ContractSummaryOut:
    return ContractSummaryOut(
        **{k: getattr(summary, k) for k in ContractSummaryOut.model_fields if k != "status_label"},
        status_label=ContractStatus(summary.status).label,
    )


def history_out(entry: HistoryEntry) -> HistoryOut:
    return HistoryOut(
        at=entry.at, actor_id=entry.actor_id, action=entry.action, revision=entry.revision, details=entry.details
    )


def pay_period_out(period: PayPeriod) -> PayPeriodOut:
    return PayPeriodOut(
        start=period.start,
        end=period.end,
        year=period.year,
        age_bracket=period.age_bracket,
        age_bracket_label=period.age_bracket_label,
        rate_percent=period.rate_percent,
        minimum_rate_percent=period.minimum_rate_percent,
        base=period.base.value,
        base_amount=period.base_amount,
        smic_monthly=period.smic_monthly,
        minimum_gross_monthly=period.minimum_gross_monthly,
        reference=period.reference,
    )
