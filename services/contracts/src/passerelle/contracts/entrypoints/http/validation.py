"""Stateless endpoints for partner software: nothing is saved.

- `POST /validation`: a whole contract (either type) checked by the same engine as saving and transmission, so
  the answer is the one transmission gives.
- `POST /validation/batch`: up to 200 contracts in one request, each answered as `POST /validation` would (for
  an OPCO's software, or opco-processing, which checks a round of transmitted contracts at once).
- `POST /remuneration`: the legal minimum pay schedule of a contract's facts, so partners show it without a draft.

Both take `as_of`, the day the answer is given for (a future start, or a pinned clock in tests): the filing delay
is counted up to it, and only the SMIC versions known on that day price the pay.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from passerelle.contracts.domain.codes import ContractType, DocumentType
from passerelle.contracts.domain.facts import ValidationContext
from passerelle.contracts.domain.findings import summary
from passerelle.contracts.domain.form import ContractForm, FormDate
from passerelle.contracts.domain.legal import ParameterNotInForce
from passerelle.contracts.domain.remuneration import compute_pay_schedule
from passerelle.contracts.domain.rules import validate
from passerelle.libs.auth import CurrentPrincipal
from passerelle.libs.errors import FieldError, InvalidInput

from .dependencies import DependenciesDep
from .schemas import PayPeriodOut, ValidationReport, pay_period_out

router = APIRouter(tags=["validation"])

AsOf = Annotated[
    date | None,
    Query(
        description=(
            "The day to answer for (AAAA-MM-JJ), e.g. the planned start: the filing delay is counted up to it and only "
            "the SMIC versions in force by that day price the pay. Absent: today, with every known version."
        )
    ),
]


@router.post("/validation", response_model=ValidationReport, summary="Valider un contrat sans l'enregistrer")
async def validate_contract(
    form: ContractForm,
    _: CurrentPrincipal,
    deps: DependenciesDep,
    documents: Annotated[
        list[DocumentType], Query(description="Types of the documents attached (e.g. convention_formation)")
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    for_transmission: Annotated[bool, Query(description="Check as transmission does (missing answers block)")] = True,
    as_of: AsOf = None,
) -> ValidationReport:
    context = ValidationContext(
        documents=frozenset(d.value for d in documents),
        for_transmission=for_transmission,
        today=as_of or deps.today(),
        as_of=as_of,
    )
    return ValidationReport.model_validate(summary(validate(form, context)))


class BatchItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form: ContractForm = Field(description="The contract, tab by tab")
    documents: list[DocumentType] = Field(default_factory=list, description="Types of the documents attached")


class BatchValidationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contracts: list[BatchItem] = Field(min_length=1, max_length=200, description="The contracts to check")


class BatchValidationReport(BaseModel):
    reports: list[ValidationReport] = Field(description="One report per contract, in the request's order")


@router.post(
    "/validation/batch",
    response_model=BatchValidationReport,
    summary="Valider plusieurs contrats sans les enregistrer (jusqu'à 200)",
)
async def validate_contracts(
    body: BatchValidationRequest,
    _: CurrentPrincipal,
    deps: DependenciesDep,
    for_transmission: Annotated[bool, Query(description="Check as transmission does (missing answers block)")] = True,
    as_of: AsOf = None,
) -> BatchValidationReport:
    today = as_of or deps.today()
    reports = []
    for item in body.contracts:
        context = ValidationContext(
            documents=frozenset(d.value for d in item.documents),
            for_transmission=for_transmission,
            today=today,
            as_of=as_of,
        )
        reports.append(ValidationReport.model_validate(summary(validate(item.form, context))))
    return BatchValidationReport(reports=reports)


class PayScheduleRequest(BaseModel):
    """The facts the legal minimum pay depends on: no name, no identifier."""

    model_config = ConfigDict(extra="forbid")

    contract_type: ContractType = Field(description="apprentissage or professionnalisation")
    birth_date: FormDate = Field(description="The apprentice's or employee's date of birth")
    start_date: FormDate = Field(description="Start of the contract")
    end_date: FormDate = Field(description="End of the contract (or of the apprenticeship period)")
    starting_year_of_execution: int | None = Field(
        None, ge=1, le=4, description="Apprenticeship: the year of execution the contract starts in (default 1)"
    )
    branch_minimum_salary: Decimal | None = Field(
        None, ge=0, le=1_000_000, description="Branch minimum monthly salary (SMC) of the job, in euros"
    )
    highest_diploma: str | None = Field(
        None, max_length=4, description="Professionalisation: code of the highest diploma held (higher rates)"
    )
    disabled_worker: bool | None = Field(None, description="Recognised disabled worker (RQTH): a 4th year raised")

    def form(self) -> ContractForm:
        return ContractForm.model_validate(
            {
                "introduction": {"contract_type": self.contract_type},
                "employee": {
                    "birth_date": self.birth_date,
                    "highest_diploma": self.highest_diploma,
                    "disabled_worker": self.disabled_worker,
                },
                "contract": {
                    "start_date": self.start_date,
                    "end_date": self.end_date,
                    "starting_year_of_execution": self.starting_year_of_execution,
                    "branch_minimum_salary": self.branch_minimum_salary,
                },
            }
        )


class PayScheduleOut(BaseModel):
    as_of: date | None = Field(description="The day the legal values were read for (none: every known version)")
    periods: list[PayPeriodOut] = Field(description="The legal minimum, period by period, with rate and reference")


@router.post("/remuneration", response_model=PayScheduleOut, summary="Rémunération minimale, sans enregistrer")
async def pay_schedule(body: PayScheduleRequest, _: CurrentPrincipal, as_of: AsOf = None) -> PayScheduleOut:
    if body.end_date <= body.start_date:
        raise InvalidInput(
            [FieldError("end_date", "end_before_start", "La date de fin doit être postérieure à la date de début.")]
        )
    try:
        periods = compute_pay_schedule(body.form(), known_on=as_of)
    except ParameterNotInForce as exc:
        raise InvalidInput(
            [
                FieldError(
                    "start_date",
                    "legal_parameters_unknown",
                    "Les valeurs légales en vigueur à cette date ne sont pas connues : vérifiez la date de début.",
                )
            ]
        ) from exc
    return PayScheduleOut(as_of=as_of, periods=[pay_period_out(p) for p in periods])
