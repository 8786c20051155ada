"""Page use cases: they call the services' APIs and compose what a page shows (view models)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.adapters.contracts import ContractPage, ContractSummary, Finding, Question, Validation
from passerelle.portal.adapters.documents import DocumentLine
from passerelle.portal.adapters.identity import Me
from passerelle.portal.domain.errors import FormErrors
from passerelle.portal.domain.forms import (
    PAY_SCHEDULE,
    TAB_LABELS,
    TAB_ORDER,
    FieldView,
    display_value,
    get_path,
    input_kind,
)
from passerelle.portal.service_layer.context import PortalContext

STATUSES = (
    ("draft", "En cours de saisie"),
    ("proposed", "Envoyé par l'organisme ou le CFA"),
    ("transmitted", "Transmis à l'OPCO"),
    ("in_anomaly", "En anomalie"),
    ("engaged", "Engagé"),
    ("refused", "Refusé"),
    ("archived", "Archivé"),
)
TYPES = (("apprentissage", "Contrat d'apprentissage"), ("professionnalisation", "Contrat de professionnalisation"))
SORTS = (
    ("-updated_at", "Dernière modification, la plus récente d'abord"),
    ("updated_at", "Dernière modification, la plus ancienne d'abord"),
    ("-created_at", "Création, la plus récente d'abord"),
    ("created_at", "Création, la plus ancienne d'abord"),
    ("start_date", "Début du contrat, le plus proche d'abord"),
    ("-start_date", "Début du contrat, le plus tardif d'abord"),
    ("-transmitted_at", "Transmission, la plus récente d'abord"),
    ("transmitted_at", "Transmission, la plus ancienne d'abord"),
    ("employee_name", "Nom du salarié, de A à Z"),
    ("-employee_name", "Nom du salarié, de Z à A"),
)
DEFAULT_SORT = "-updated_at"
# The periods of the dashboard's search: (filter prefix, what the period is of), each a `_from` and `_to` day.
PERIODS = (("created", "Création"), ("start", "Début du contrat"), ("transmitted", "Transmission"))
DASHBOARD_LABELS = {
    **{f"{prefix}_from": f"{noun} : du" for prefix, noun in PERIODS},
    **{f"{prefix}_to": f"{noun} : au" for prefix, noun in PERIODS},
    "in_charge": "Suivi par",
    "sort": "Trier par",
}
PAGE_SIZE = 20


@dataclass
class DashboardView:
    page: ContractPage
    filters: dict[str, Any]
    received: list[ContractSummary]
    sent: list[ContractSummary]
    employer_orgs: list[tuple[str, str]]
    training_orgs: list[tuple[str, str]]
    people: list[tuple[str, str]] = field(default_factory=list)
    """Who a contract can be followed by: the person first ("Moi"), then the members of their organisations."""
    errors: FormErrors = field(default_factory=FormErrors)
    unverified: list[tuple[UUID, str]] = field(default_factory=list)
    """The person's organisations not verified yet: the contracts addressed to them stay closed."""

    @property
    def pages(self) -> int:
        """The pages known: all of them, or (when the count stopped) up to the one after this full page."""
        if not self.page.total_exact:
            return self.page.page + (1 if len(self.page.items) == self.page.page_size else 0)
        return max(1, -(-self.page.total // self.page.page_size))

    @property
    def found(self) -> str:
        """How many contracts the search found, as the caption says it (« plus de 10 000 » past the count)."""
        count = f"{self.page.total:,}".replace(",", " ")
        return f"{count} contrat(s)" if self.page.total_exact else f"Plus de {count} contrats"

    def person(self, account_id: str | None) -> str:
        return dict(self.people).get(account_id or "", "")

    def url(self, **changes: Any) -> str:
        """This dashboard's address with its filters (the search lives in the URL), some of them changed."""
        return "/tableau-de-bord?" + urlencode(dashboard_params({**self.filters, **changes}))


def dashboard_params(filters: dict[str, Any]) -> list[tuple[str, str]]:
    """The query string of a search: only what differs from the defaults, in a stable order."""
    out: list[tuple[str, str]] = []
    for name in ("q", "status", "contract_type", "siret"):
        if filters.get(name):
            out.append((name, str(filters[name])))
    for prefix, _ in PERIODS:
        for end in ("from", "to"):
            if filters.get(f"{prefix}_{end}"):
                out.append((f"{prefix}_{end}", str(filters[f"{prefix}_{end}"])))
    if filters.get("in_charge"):
        out.append(("in_charge", str(filters["in_charge"])))
    if filters.get("include_archived"):
        out.append(("archives", "oui"))
    if filters.get("sort") and filters["sort"] != DEFAULT_SORT:
        out.append(("sort", str(filters["sort"])))
    if (filters.get("page") or 1) > 1:
        out.append(("page", str(filters["page"])))
    return out


PEOPLE_CACHE_SECONDS = 60.0


async def dashboard(
    ctx: PortalContext,
    token: str,
    me: Me,
    filters: dict[str, Any],
    errors: FormErrors | None = None,
    cache: dict[str, Any] | None = None,
) -> DashboardView:
    """The dashboard. `errors` are the filters the page itself could not read (then nothing is searched);
    `cache` is the session's (the colleagues offered by "Suivi par" are kept there a minute)."""
    in_charge = filters.get("in_charge")
    query = {
        "status": filters.get("status"),
        "contract_type": filters.get("contract_type"),
        "q": filters.get("q"),
        "siret": filters.get("siret"),
        "include_archived": filters.get("include_archived") or filters.get("status") == "archived",
        **{f"{prefix}_{end}": filters.get(f"{prefix}_{end}") for prefix, _ in PERIODS for end in ("from", "to")},
        "in_charge": str(me.id) if in_charge == "moi" else in_charge,
        "sort": filters.get("sort") or DEFAULT_SORT,
        "page": filters.get("page") or 1,
        "page_size": PAGE_SIZE,
    }
    errors = errors or FormErrors()
    empty = ContractPage(items=[], total=0, page=1, page_size=PAGE_SIZE)
    listing_call = _none() if errors else ctx.contracts.dashboard(token, query)
    listing, proposals, people = await asyncio.gather(
        _refused_as_errors(listing_call, errors),
        ctx.contracts.dashboard(token, {"status": "proposed", "page_size": 100}),
        _people(ctx, token, me, cache if cache is not None else {}),
    )
    listing = listing or empty
    errors.labels = DASHBOARD_LABELS
    # A proposal is one I sent when my training organisation is on it; otherwise it was sent to me (to one of my
    # establishments, or to my e-mail without a SIRET yet).
    my_uais = {m.organisation.uai for m in me.memberships if m.organisation.kind == "training" and m.organisation.uai}
    sent = [c for c in proposals.items if c.training_uai in my_uais]
    received = [c for c in proposals.items if c.training_uai not in my_uais]
    # The person's establishments (one entry per SIRET): the new-contract form offers them.
    employer_orgs = list(
        {
            m.organisation.siret: (m.organisation.siret, m.organisation.name)
            for m in me.memberships
            if m.organisation.kind == "employer" and m.organisation.siret
        }.values()
    )
    training_orgs = [
        (m.organisation.uai or "", m.organisation.name)
        for m in me.memberships
        if m.organisation.kind == "training" and m.organisation.uai
    ]
    unverified = [(m.organisation.id, m.organisation.name) for m in me.memberships if not m.organisation.verified]
    return DashboardView(listing, filters, received, sent, employer_orgs, training_orgs, people, errors, unverified)


async def _refused_as_errors(call: Any, errors: FormErrors) -> ContractPage | None:
    """The listing, or None with the service's field errors added to the page's (a reversed period...)."""
    try:
        return await call  # type: ignore[no-any-return]
    except ApiError as error:
        if error.status != 422:
            raise
        for problem in error.fields:
            errors.by_field.setdefault(problem.path, problem.message)
        errors.message = errors.message or (None if error.fields else error.message)
        return None


async def _people(ctx: PortalContext, token: str, me: Me, cache: dict[str, Any]) -> list[tuple[str, str]]:
    """The person, then the members of their employer and training organisations, by name (for "Suivi par").
    Kept in the session's cache for a minute (cleared when the person's organisations change)."""
    kept = cache.get("people")
    if kept is not None and time.monotonic() - kept[1] < PEOPLE_CACHE_SECONDS:
        return kept[0]  # type: ignore[no-any-return]
    people = await _members_by_name(ctx, token, me)
    cache["people"] = (people, time.monotonic())
    return people


async def _members_by_name(ctx: PortalContext, token: str, me: Me) -> list[tuple[str, str]]:
    organisations = {m.organisation.id for m in me.memberships if m.organisation.kind in ("employer", "training")}

    async def members_of(organisation_id: UUID) -> list[Any]:
        try:
            return await ctx.identity.members(token, organisation_id)
        except ApiError:
            return []  # an organisation whose members this person may not list: only its own name then

    listings = await asyncio.gather(*(members_of(organisation_id) for organisation_id in organisations))
    found: dict[str, str] = {}
    for members in listings:
        for member in members or []:
            if member.account_id and member.account_id != me.id:
                found[str(member.account_id)] = member.full_name or member.email or str(member.account_id)
    return [(str(me.id), "Moi"), *sorted(found.items(), key=lambda item: item[1].casefold())]


@dataclass
class TabView:
    tab: str
    label: str
    errors: int = 0
    warnings: int = 0


@dataclass
class ContractView:
    contract: dict[str, Any]
    tab: str
    tabs: list[TabView]
    fields: list[FieldView]
    reminders: list[dict[str, str]]
    errors: FormErrors
    writable: bool
    checked: bool  # the findings shown are those of a transmission attempt
    findings: list[Finding] = field(default_factory=list)
    remuneration: dict[str, Any] | None = None
    pay_rows: list[dict[str, str]] = field(default_factory=list)
    documents: list[DocumentLine] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    anomalies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> UUID:
        return UUID(str(self.contract["id"]))

    @property
    def version(self) -> int:
        return int(self.contract["version"])

    @property
    def error_total(self) -> int:
        return sum(t.errors for t in self.tabs)

    def tab_label(self, tab: str) -> str:
        return TAB_LABELS.get(tab, tab)


def _anomaly_paths(contract: dict[str, Any]) -> dict[str, str]:
    """The OPCO's reasons, by field path (an anomaly names a field, or a document)."""
    found: dict[str, str] = {}
    for anomaly in contract.get("anomalies") or []:
        path = anomaly.get("field") or anomaly.get("path")
        reason = anomaly.get("message") or anomaly.get("reason") or anomaly.get("label") or ""
        if path:
            found[str(path)] = f"Anomalie signalée par l'OPCO : {reason}"
    return found


async def contract_page(
    ctx: PortalContext,
    token: str,
    contract_id: UUID,
    tab: str,
    check: bool = False,
    posted: dict[str, str] | None = None,
    save_errors: FormErrors | None = None,
) -> ContractView:
    """One tab of a contract: its questions, answers, errors (of the last save, of a transmission attempt, or of
    the OPCO's anomalies), the tabs' error counts, and what the tab needs besides (pay schedule, documents)."""
    contract = await ctx.contracts.get(token, contract_id)
    questions_task = ctx.contracts.questions(token, contract_id)
    validation_task = ctx.contracts.validation(token, contract_id) if check else _none()
    extra: list[Any] = []
    if tab == "contrat":
        extra.append(ctx.contracts.remuneration(token, contract_id))
    if tab == "documents":
        extra.append(ctx.documents.of_contract(token, contract_id))
    if tab == "synthese":
        extra.append(ctx.contracts.history(token, contract_id))
    questions, validation, *more = await asyncio.gather(
        _soft(questions_task), validation_task, *(_soft(t) for t in extra)
    )
    writable = tab in contract.get("writable_tabs", [])
    findings: list[Finding] = validation.findings if isinstance(validation, Validation) else []
    counts: dict[str, list[int]] = {}
    for finding in findings:
        pair = counts.setdefault(finding.tab, [0, 0])
        pair[0 if finding.severity == "error" else 1] += 1
    tabs = [TabView(t, TAB_LABELS[t], *counts.get(t, [0, 0])) for t in TAB_ORDER]

    errors = save_errors or FormErrors()
    for path, message in _anomaly_paths(contract).items():
        errors.by_field.setdefault(path, message)
    for finding in findings:
        if finding.severity == "error" and finding.tab == tab:
            errors.by_field.setdefault(finding.field, finding.message)

    form = contract.get("form") or {}
    tab_questions: list[Question] = []
    reminders: list[dict[str, str]] = []
    if questions is not None:
        reminders = list(questions.reminders)
        for group in questions.tabs:
            if group.tab == tab:
                tab_questions = group.questions
    fields: list[FieldView] = []
    for q in tab_questions:
        if q.field == PAY_SCHEDULE:
            continue
        value = (
            posted.get(q.field) if posted is not None and q.field in posted else display_value(get_path(form, q.field))
        )
        choices = tuple((c["code"], c["label"]) for c in q.choices)
        reminder = (q.reminder["text"], q.reminder["reference"]) if q.reminder else None
        errors.labels[q.field] = q.label
        fields.append(
            FieldView(
                path=q.field,
                label=q.label,
                kind=input_kind(q.field, len(choices)),
                value=value or "",
                required=q.required,
                help=q.help,
                choices=choices,
                reminder=reminder,
                error=errors.get(q.field),
                readonly=not writable,
            )
        )
    view = ContractView(
        contract=contract,
        tab=tab,
        tabs=tabs,
        fields=fields,
        reminders=reminders if tab in ("introduction", "synthese", "contrat") else [],
        errors=errors,
        writable=writable,
        checked=check,
        findings=findings,
        anomalies=list(contract.get("anomalies") or []),
    )
    if tab == "contrat":
        view.remuneration = more[0] if more and isinstance(more[0], dict) else None
        view.pay_rows = _pay_rows(form, view.remuneration)
    if tab == "documents":
        view.documents = more[0] if more and isinstance(more[0], list) else []
    if tab == "synthese":
        view.history = more[0] if more and isinstance(more[0], list) else []
    return view


def _pay_rows(form: dict[str, Any], remuneration: dict[str, Any] | None) -> list[dict[str, str]]:
    """The declared schedule; when none is declared yet, the legal minimum as a starting point."""
    declared = (form.get("contract") or {}).get("pay_schedule") or []
    if declared:
        return [{k: display_value(v) for k, v in row.items()} for row in declared]
    rows = []
    for period in (remuneration or {}).get("periods", []):
        rows.append(
            {
                "year": str(period["year"]),
                "start_date": str(period["start"]),
                "end_date": str(period["end"]),
                "rate_percent": str(period["rate_percent"]),
                "base": str(period.get("base", "")),
                "gross_monthly": str(period["minimum_gross_monthly"]),
            }
        )
    return rows


async def _none() -> None:
    return None


async def _soft(task: Any) -> Any:
    """A part of the page that may fail alone (the questions before the dates are known, documents not ready)."""
    from passerelle.portal.adapters.api import ApiError

    try:
        return await task
    except ApiError as error:
        if error.status in (401, 403, 404):
            raise
        return None
