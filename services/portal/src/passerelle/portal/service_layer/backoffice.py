"""The back office's page use cases: they compose opco-processing, documents, contracts and identity into the
view models of the queue, a case, the supervisors' and the administrators' pages."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.adapters.documents import DocumentLine
from passerelle.portal.adapters.identity import Member
from passerelle.portal.adapters.opco import CaseSummary, Load, Queue
from passerelle.portal.domain.backoffice import (
    QUEUE_TABS,
    Countdown,
    OpcoStaff,
    SnapshotRow,
    changed_tabs,
    countdown,
    field_label,
    snapshot_rows,
)
from passerelle.portal.domain.forms import TAB_LABELS, TAB_ROOTS
from passerelle.portal.service_layer.context import PortalContext

PER_PAGE = 25
QUEUE_FILTERS = (
    "contract_type",
    "status",
    "assignee_id",
    "employer_siret",
    "training_siret",
    "idcc",
    "received_after",
    "due_before",
)


@dataclass
class QueueView:
    tab: str
    queue: Queue
    filters: dict[str, str]
    sort: str
    page: int
    reviewers: list[Member]

    @property
    def pages(self) -> int:
        return max(1, -(-self.queue.total // PER_PAGE))

    @property
    def tabs(self) -> list[tuple[str, str, int]]:
        return [(code, label, self.queue.counts.get(code, 0)) for code, label in QUEUE_TABS]

    @property
    def tab_label(self) -> str:
        return dict(QUEUE_TABS).get(self.tab, self.tab)

    def countdown(self, case: CaseSummary) -> Countdown:
        return countdown(case.remaining_seconds)


PARIS = ZoneInfo("Europe/Paris")


def _paris_midnight(day: str, days_after: int = 0) -> str | None:
    """The start of a day in Paris (a filter's date), as the API's timestamp."""
    if not day:
        return None
    moment = datetime.combine(date.fromisoformat(day) + timedelta(days=days_after), time.min, PARIS)
    return moment.isoformat()


def queue_params(tab: str, filters: dict[str, str], sort: str, page: int) -> dict[str, Any]:
    params: dict[str, Any] = {k: filters.get(k) for k in QUEUE_FILTERS}
    # "Received since the day" from its first hour; "deadline before the day" up to its last.
    params["received_after"] = _paris_midnight(filters.get("received_after", ""))
    params["due_before"] = _paris_midnight(filters.get("due_before", ""), days_after=1)
    params.update({"tab": tab, "sort": sort, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    return params


async def reviewers(ctx: PortalContext, token: str, staff: OpcoStaff) -> list[Member]:
    """The OPCO's staff, to assign a case to (the identity service says who they are)."""
    try:
        found = await ctx.identity.members(token, UUID(staff.organisation_id))
    except ApiError as error:
        if error.status >= 500:
            raise
        return []
    return sorted((m for m in found if m.account_id), key=lambda m: m.full_name or m.email or "")


async def queue_page(
    ctx: PortalContext, token: str, staff: OpcoStaff, tab: str, filters: dict[str, str], sort: str, page: int
) -> QueueView:
    queue, people = await asyncio.gather(
        ctx.opco.queue(token, queue_params(tab, filters, sort, page)), reviewers(ctx, token, staff)
    )
    return QueueView(tab, queue, filters, sort, page, people)


async def case_names(ctx: PortalContext, token: str, case_ids: list[UUID], shown: list[CaseSummary]) -> dict[UUID, str]:
    """The apprentice's name of each case of a batch: from the rows on screen, else asked of opco-processing (a
    case ticked on a page that has changed since is still named, never shown as a bare id)."""
    names = {c.id: c.employee_name or "Alternant non nommé" for c in shown}
    missing = [case_id for case_id in dict.fromkeys(case_ids) if case_id not in names]

    async def name_of(case_id: UUID) -> str | None:
        try:
            found = await ctx.opco.case(token, case_id)
        except ApiError as error:
            if error.status >= 500:
                raise
            return None  # not this OPCO's case, or gone: its result says so
        return str(found.get("employee_name") or "Alternant non nommé")

    for case_id, name in zip(missing, await asyncio.gather(*(name_of(c) for c in missing)), strict=True):
        if name is not None:
            names[case_id] = name
    return names


@dataclass
class CaseView:
    case: dict[str, Any]
    tab: str
    rows: list[SnapshotRow]
    history: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    documents: list[DocumentLine]
    reviewers: list[Member]
    labels: dict[str, str]
    changed: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.case["id"])

    @property
    def countdown(self) -> Countdown:
        return countdown(self.case.get("remaining_seconds"))

    @property
    def tabs(self) -> list[tuple[str, str, int]]:
        return [(t, TAB_LABELS[t], self.changed.get(t, 0)) for t in TAB_ROOTS]

    @property
    def open_anomalies(self) -> list[dict[str, Any]]:
        return [a for a in self.case.get("anomalies") or [] if not a.get("resolved_at")]

    @property
    def closed_anomalies(self) -> list[dict[str, Any]]:
        return [a for a in self.case.get("anomalies") or [] if a.get("resolved_at")]

    def label(self, path: str | None) -> str:
        return field_label(path, self.labels) if path else ""


async def _labels(ctx: PortalContext, token: str, contract_id: UUID | None = None) -> dict[str, str]:
    """Every answer's French label (the contracts service's field registry), when it answers; paths stay as they
    are otherwise. (`contract_id` is kept for the callers: the registry is the same for every contract.)"""
    try:
        return await ctx.contracts.field_labels(token)
    except (ApiError, ValueError, KeyError, TypeError):
        return {}


async def _documents(ctx: PortalContext, token: str, contract_id: UUID) -> list[DocumentLine]:
    try:
        return await ctx.documents.of_contract(token, contract_id)
    except ApiError as error:
        if error.status >= 500:
            return []
        raise


async def case_page(ctx: PortalContext, token: str, staff: OpcoStaff, case_id: UUID, tab: str) -> CaseView:
    case = await ctx.opco.case(token, case_id)
    contract_id = UUID(str(case["contract_id"]))
    history, notes, documents, labels, people = await asyncio.gather(
        ctx.opco.history(token, case_id),
        ctx.opco.notes(token, case_id),
        _documents(ctx, token, contract_id),
        _labels(ctx, token, contract_id),
        reviewers(ctx, token, staff),
    )
    changed = list(case.get("changed_fields") or [])
    rows = snapshot_rows(case.get("form") or {}, tab, labels, changed)
    return CaseView(case, tab, rows, history, notes, documents, people, labels, changed_tabs(changed))


def field_choices(case: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The contract's answered fields, tab by tab, for a reviewer to name the ones to correct."""
    form = case.get("form") or {}
    out = []
    for tab in TAB_ROOTS:
        rows = snapshot_rows(form, tab, labels, [])
        if rows:
            out.append((tab, TAB_LABELS[tab], [(r.path, f"{r.label} ({r.value})") for r in rows]))
    return out


# --- letter drafts: what a reviewer is about to send, kept in the portal until it is sent or dropped


@dataclass
class Draft:
    case_id: UUID
    owner: str  # the account that wrote it: nobody else sees or sends it
    kind: str  # "anomaly" | "refusal"
    body: dict[str, Any]
    pdf: bytes = b""  # the letter as previewed (the one shown is the one confirmed)


_DRAFTS: dict[str, Draft] = {}
MAX_DRAFTS = 2000


def keep_draft(draft: Draft) -> str:
    if len(_DRAFTS) >= MAX_DRAFTS:
        _DRAFTS.pop(next(iter(_DRAFTS)))
    key = secrets.token_urlsafe(16)
    _DRAFTS[key] = draft
    return key


def draft(key: str, case_id: UUID, owner: str) -> Draft | None:
    found = _DRAFTS.get(key)
    return found if found is not None and found.case_id == case_id and found.owner == owner else None


def drop_draft(key: str) -> None:
    _DRAFTS.pop(key, None)


@dataclass
class WorkloadView:
    loads: list[Load]
    expiring: Queue
    reviewers: list[Member]

    def countdown(self, case: CaseSummary) -> Countdown:
        return countdown(case.remaining_seconds)


async def workload_page(ctx: PortalContext, token: str, staff: OpcoStaff) -> WorkloadView:
    loads, expiring, people = await asyncio.gather(
        ctx.opco.workload(token),
        ctx.opco.queue(token, {"tab": "expirant", "sort": "deadline", "limit": 100}),
        reviewers(ctx, token, staff),
    )
    return WorkloadView(loads, expiring, people)
