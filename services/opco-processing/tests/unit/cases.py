"""Builders for unit tests (test data never lives in the domain package)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from passerelle.contracts.testing.samples import complete_apprenticeship_form, complete_professionalisation_form
from passerelle.opco_processing.domain.case import Actor, ReviewCase, Revision

REVIEWER = Actor(id=uuid4(), name="Emma Girard", role="reviewer")
T0 = datetime(2025, 9, 3, 9, 0, tzinfo=UTC)


def form(contract_type: str = "apprentissage") -> dict[str, Any]:
    built = complete_apprenticeship_form() if contract_type == "apprentissage" else complete_professionalisation_form()
    return built.model_dump(mode="json", exclude_none=True)


def revision(number: int = 1, at: datetime = T0, contract_type: str = "apprentissage", **kw: Any) -> Revision:
    return Revision(
        number=number,
        transmitted_at=at,
        form=kw.pop("form", None) or form(contract_type),
        documents=kw.pop("documents", [{"document_type": "convention_formation", "document_id": str(uuid4())}]),
        **kw,
    )


def new_case(contract_type: str = "apprentissage", at: datetime = T0) -> ReviewCase:
    return ReviewCase.open(
        contract_id=uuid4(),
        contract_type=contract_type,
        opco_code="OPCOEP",
        routing={"idcc": "0843"},
        parties={},
        revision=revision(at=at, contract_type=contract_type),
        now=at,
    )
