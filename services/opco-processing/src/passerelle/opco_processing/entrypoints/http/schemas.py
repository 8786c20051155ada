"""Request and response bodies of the API (the back office's pages are built on them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from passerelle.opco_processing.domain.case import ReviewCase, value_at
from passerelle.opco_processing.domain.checks import CheckResult


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonRef(BaseModel):
    id: UUID | None
    name: str


class CheckCounts(BaseModel):
    passed: int
    failed: int
    not_applicable: int


class CaseSummary(BaseModel):
    id: UUID
    contract_id: UUID
    contract_type: str
    opco_code: str
    status: str
    status_label: str
    revision: int
    employer: dict[str, Any]
    employee_name: str | None
    training: dict[str, Any]
    qualification: str | None
    idcc: str | None
    branch: str | None
    received_at: datetime
    due_at: datetime | None
    remaining_seconds: int | None = Field(description="Compte à rebours jusqu'à l'échéance légale")
    assignee: PersonRef | None
    checks: CheckCounts
    funding_amount: str | None
    file_number: str | None


class Queue(BaseModel):
    items: list[CaseSummary]
    total: int
    counts: dict[str, int] = Field(description="Nombre de dossiers par onglet")


class CaseDetail(CaseSummary):
    form: dict[str, Any] = Field(description="Le contrat tel que l'employeur l'a transmis, onglet par onglet")
    changed_fields: list[str] = Field(description="Champs modifiés depuis la révision précédente")
    revisions: list[dict[str, Any]]
    checks_detail: list[dict[str, Any]] = Field(description="Chaque contrôle : résultat, raison, référence")
    funding: dict[str, Any] | None
    anomalies: list[dict[str, Any]]
    answer_due_on: date | None
    decisions: list[dict[str, Any]]
    letters: list[dict[str, Any]]
    filing: dict[str, Any] | None
    clock: dict[str, Any]
    deposit: dict[str, Any] | None
    routing: dict[str, Any]


class AnomalyIn(Body):
    kind: Literal["field_error", "missing_document"]
    reason: str = Field(min_length=3, max_length=1000)
    tab: str | None = Field(None, max_length=50)
    field: str | None = Field(None, max_length=200)
    document_type: str | None = Field(None, max_length=50)


class AnomalyRequest(Body):
    anomalies: list[AnomalyIn] = Field(min_length=1, max_length=50)
    answer_due_on: date | None = None


class RefusalRequest(Body):
    reason: str = Field(min_length=10, max_length=4000)


class AssignRequest(Body):
    assignee: PersonRef | None


class OverrideRequest(Body):
    result: CheckResult
    reason: str = Field(min_length=3, max_length=1000)


class NoteRequest(Body):
    text: str = Field(min_length=1, max_length=4000)


class BatchRequest(Body):
    action: Literal["assign", "engage"]
    case_ids: list[UUID] = Field(min_length=1, max_length=200)
    assignee: PersonRef | None = None


class BatchResult(BaseModel):
    case_id: UUID
    ok: bool
    error: dict[str, str] | None = None


class SettingsBody(Body):
    auto_engage: dict[Literal["apprentissage", "professionnalisation"], bool]
    alert_days: list[int] = Field(max_length=5)


class BarredRequest(Body):
    siret: str | None = Field(None, pattern=r"^\d{14}$")
    siren: str | None = Field(None, pattern=r"^\d{9}$")
    reason: str = Field(min_length=3, max_length=1000)
    until: date | None = None


def _name(form: dict[str, Any]) -> str | None:
    parts = [
        value_at(form, "employee.first_name"),
        value_at(form, "employee.usage_name") or value_at(form, "employee.birth_name"),
    ]
    return " ".join(p for p in parts if p) or None


def summary(case: ReviewCase, now: datetime) -> dict[str, Any]:
    form = case.current_revision.form
    due = case.due_at()
    counts = {"passed": 0, "failed": 0, "not_applicable": 0}
    for check in case.checks:
        counts[check.effective.value] += 1
    return {
        "id": case.id,
        "contract_id": case.contract_id,
        "contract_type": case.contract_type,
        "opco_code": case.opco_code,
        "status": case.status.value,
        "status_label": case.status.label,
        "revision": case.revision,
        "employer": {"siret": value_at(form, "employer.siret"), "name": value_at(form, "employer.name")},
        "employee_name": _name(form),
        "training": {
            "siret": value_at(form, "training.organisation.siret"),
            "uai": value_at(form, "training.organisation.uai"),
            "name": value_at(form, "training.organisation.name"),
        },
        "qualification": value_at(form, "training.qualification.title"),
        "idcc": value_at(form, "employer.idcc"),
        "branch": case.routing.get("branch"),
        "received_at": case.received_at,
        "due_at": due,
        "remaining_seconds": int((due - now).total_seconds()) if due else None,
        "assignee": case.assignee.model_dump() if case.assignee else None,
        "checks": counts,
        "funding_amount": (case.funding or {}).get("amount"),
        "file_number": case.file_number,
    }


def _changed(before: Any, after: Any, path: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after)):
            out += _changed(before.get(key), after.get(key), f"{path}.{key}" if path else key)
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            out += _changed(b, a, f"{path}[{i}]")
        return out
    return [] if before == after else [path]


def detail(case: ReviewCase, now: datetime) -> dict[str, Any]:
    clock = case.clock
    data = case.model_dump(mode="json")
    previous = case.revisions[-2].form if len(case.revisions) > 1 else None
    due = case.due_at()
    return {
        **summary(case, now),
        "form": case.current_revision.form,
        "changed_fields": _changed(previous, case.current_revision.form) if previous is not None else [],
        "revisions": [{k: v for k, v in r.items() if k != "form"} for r in data["revisions"]],
        "checks_detail": [
            {**c, "effective_result": case.checks[i].effective.value} for i, c in enumerate(data["checks"])
        ],
        "funding": case.funding,
        "anomalies": data["anomalies"],
        "answer_due_on": case.answer_due_on,
        "decisions": data["decisions"],
        "letters": [{k: v for k, v in x.items() if k != "payload"} for x in data["letters"]],
        "filing": data["filing"],
        "clock": {
            **clock.as_dict(),
            "due_at": due.isoformat() if due else None,
            "remaining_seconds": int((due - now).total_seconds()) if due else None,
            "complete_since": clock.complete_since().isoformat() if clock.complete_since() else None,
        },
        "deposit": data["deposit"],
        "routing": case.routing,
    }
