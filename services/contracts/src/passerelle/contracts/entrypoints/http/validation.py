"""Validation for partner software: POST a whole contract (either type), nothing is saved.

The same engine serves saving, the tabs and transmission, so the answer here is the one transmission gives.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from passerelle.contracts.domain.codes import DocumentType
from passerelle.contracts.domain.facts import ValidationContext
from passerelle.contracts.domain.findings import summary
from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.domain.rules import validate
from passerelle.libs.auth import CurrentPrincipal

from .dependencies import DependenciesDep
from .schemas import ValidationReport

router = APIRouter(tags=["validation"])


@router.post("/validation", response_model=ValidationReport, summary="Valider un contrat sans l'enregistrer")
async def validate_contract(
    form: ContractForm,
    _: CurrentPrincipal,
    deps: DependenciesDep,
    documents: Annotated[
        list[DocumentType], Query(description="Types of the documents attached (e.g. convention_formation)")
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    for_transmission: Annotated[bool, Query(description="Check as transmission does (missing answers block)")] = True,
) -> ValidationReport:
    context = ValidationContext(
        documents=frozenset(d.value for d in documents), for_transmission=for_transmission, today=deps.today()
    )
    return ValidationReport.model_validate(summary(validate(form, context)))
