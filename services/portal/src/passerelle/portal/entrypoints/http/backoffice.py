"""The OPCO's back office, in the same portal, layout and session: the queue, a case, decisions with their
letters previewed before they are sent, the supervisors' workload and the administrators' settings.

Everything is a plain page or a plain form (no JavaScript needed); portal.js only refreshes the queue and the
case live from the notifier's stream.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response
from starlette.datastructures import FormData

from passerelle.portal.adapters import pdf_pages
from passerelle.portal.adapters.api import ApiError
from passerelle.portal.adapters.opco import Person
from passerelle.portal.domain.backoffice import (
    CHECK_RESULTS,
    CONTRACT_TYPES,
    DECIDABLE,
    HISTORY_LABELS,
    LETTER_LABELS,
    LETTER_STATUSES,
    QUEUE_TABS,
    REQUESTABLE_DOCUMENTS,
    ROLE_LABELS,
    SORTS,
    STATUSES,
    OpcoStaff,
    countdown,
    euros,
    field_label,
    format_datetime,
    opco_staff,
)
from passerelle.portal.domain.errors import FieldProblem, FormErrors
from passerelle.portal.domain.forms import TAB_ROOTS, tab_of
from passerelle.portal.entrypoints.http.web import SignedIn, templates
from passerelle.portal.service_layer import backoffice as pages

router = APIRouter(prefix="/instruction", include_in_schema=False)
templates.env.filters["datetime_fr"] = format_datetime
templates.env.globals["field_label"] = field_label
STAFF_ONLY = "Cet espace est réservé aux équipes des OPCO."
MAX_RENDERED_BYTES = 25 * 1024 * 1024
FIELD_ROWS = 3  # rows for field anomalies the form shows at first; "Ajouter un champ" adds one each time
FIELD_ROW = re.compile(r"(?:motif_)?champ_([1-9][0-9]{0,3})")


class StaffWeb:
    """A signed-in OPCO staff member's request: the page helper and their highest OPCO role."""

    def __init__(self, web: SignedIn) -> None:
        assert web.me is not None
        found = opco_staff(web.me.memberships)
        if found is None:
            raise ApiError(403, "opco_staff_only", STAFF_ONLY)
        self.web = web
        self.staff: OpcoStaff = found

    @property
    def token(self) -> str:
        return self.web.token

    @property
    def me(self) -> Person:
        assert self.web.me is not None
        return Person(id=self.web.me.id, name=self.web.me.full_name)

    def require(self, role: str) -> None:
        if not self.staff.at_least(role):
            needed = ROLE_LABELS[role].lower()
            raise ApiError(403, "role_required", f"Cette page est réservée aux agents de rôle {needed} ou plus.")

    def render(self, template: str, status_code: int = 200, **values: Any) -> Response:
        return self.web.render(
            template,
            status_code,
            staff=self.staff,
            countdown=countdown,
            euros=euros,
            check_results=CHECK_RESULTS,
            history_labels=HISTORY_LABELS,
            letter_labels=LETTER_LABELS,
            letter_statuses=LETTER_STATUSES,
            documents_requestable=REQUESTABLE_DOCUMENTS,
            **values,
        )


async def _staff(web: SignedIn) -> StaffWeb:
    return StaffWeb(web)


Staff = Annotated[StaffWeb, Depends(_staff)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _person(value: str, s: StaffWeb, people: list[Any]) -> Person | None:
    """An assignee chosen in a form: "moi", one of the OPCO's staff (by account id), or nobody ("")."""
    if value == "moi":
        return s.me
    for m in people:
        if str(m.account_id) == value:
            return Person(id=m.account_id, name=m.full_name or m.email or str(m.account_id))
    return None


# --- the queue


@router.get("")
async def home(s: Staff) -> Response:
    return s.web.redirect("/instruction/dossiers")


@router.get("/dossiers")
async def queue(
    s: Staff,
    onglet: Annotated[str, Query(max_length=20)] = "a_traiter",
    type: Annotated[str, Query(max_length=30)] = "",
    statut: Annotated[str, Query(max_length=30)] = "",
    agent: Annotated[str, Query(max_length=40)] = "",
    employeur: Annotated[str, Query(max_length=14)] = "",
    organisme: Annotated[str, Query(max_length=14)] = "",
    idcc: Annotated[str, Query(max_length=4)] = "",
    recu_depuis: Annotated[str, Query(max_length=10)] = "",
    echeance_avant: Annotated[str, Query(max_length=10)] = "",
    tri: Annotated[str, Query(max_length=20)] = "deadline",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    x_portal_fragment: Annotated[str | None, Header()] = None,
) -> Response:
    choice = _queue_choice(
        {
            "onglet": onglet,
            "type": type,
            "statut": statut,
            "agent": agent,
            "employeur": employeur,
            "organisme": organisme,
            "idcc": idcc,
            "recu_depuis": recu_depuis,
            "echeance_avant": echeance_avant,
            "tri": tri,
            "page": str(page),
        }
    )
    view = await pages.queue_page(s.web.ctx, s.token, s.staff, *choice)
    template = "instruction/queue_table.html" if x_portal_fragment == "file" else "instruction/queue.html"
    return s.render(
        template,
        title="Dossiers à instruire",
        view=view,
        sorts=SORTS,
        types=CONTRACT_TYPES,
        statuses=STATUSES,
        query=_query(view.filters, view.tab, view.sort),
        results=None,
    )


def _queue_choice(values: Mapping[str, str]) -> tuple[str, dict[str, str], str, int]:
    """The tab, filters, sort and page a person asked for (the queue's address, or the view a batch came from),
    each kept only when it is one the queue knows."""

    def get(name: str, longest: int) -> str:
        value = values.get(name, "")
        return value[:longest] if isinstance(value, str) else ""

    onglet, tri = get("onglet", 20), get("tri", 20)
    employeur, organisme, idcc = get("employeur", 14), get("organisme", 14), get("idcc", 4)
    agent, type_, statut = get("agent", 40), get("type", 30), get("statut", 30)
    page = get("page", 5)
    filters = {
        "contract_type": type_ if type_ in dict(CONTRACT_TYPES) else "",
        "status": statut if statut in dict(STATUSES) else "",
        "assignee_id": agent if _is_uuid(agent) else "",
        "employer_siret": employeur if employeur.isdigit() else "",
        "training_siret": organisme if organisme.isdigit() else "",
        "idcc": idcc if idcc.isdigit() else "",
        "received_after": _day(get("recu_depuis", 10)),
        "due_before": _day(get("echeance_avant", 10)),
    }
    return (
        onglet if onglet in dict(QUEUE_TABS) else "a_traiter",
        filters,
        tri if tri in dict(SORTS) else "deadline",
        min(int(page), 10_000) if page.isdigit() and int(page) >= 1 else 1,
    )


def _day(value: str) -> str:
    """A date typed in a filter (AAAA-MM-JJ from the date input), or nothing when it is not one."""
    try:
        return date.fromisoformat(value).isoformat() if value else ""
    except ValueError:
        return ""


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _query(filters: dict[str, str], tab: str, sort: str) -> str:
    names = {
        "contract_type": "type",
        "status": "statut",
        "assignee_id": "agent",
        "employer_siret": "employeur",
        "training_siret": "organisme",
        "idcc": "idcc",
        "received_after": "recu_depuis",
        "due_before": "echeance_avant",
    }
    parts = [f"onglet={tab}", f"tri={sort}"] + [f"{names[k]}={v}" for k, v in filters.items() if v]
    return "&".join(parts)


@router.post("/dossiers/lot")
async def batch(s: Staff) -> Response:
    """An action on the cases ticked in the queue, with one result per case; the person stays on the view (tab,
    filters, sort, page) they ticked them in."""
    form = await s.web.form()
    ids = [UUID(v) for v in form.getlist("dossiers") if isinstance(v, str) and _is_uuid(v)]
    action = _text(form, "action")
    choice = _queue_choice(dict(parse_qsl(_text(form, "vue"))))
    view = await pages.queue_page(s.web.ctx, s.token, s.staff, *choice)
    errors = FormErrors()
    if not ids:
        errors.message = "Cochez au moins un dossier dans la liste."
    elif action not in ("attribuer", "engager"):
        errors.message = "Choisissez l'action à appliquer aux dossiers cochés."
    results: list[tuple[str, bool, str]] = []
    if not errors:
        assignee = None
        if action == "attribuer":
            chosen = _text(form, "agent")
            if chosen != "moi":
                s.require("supervisor")
            assignee = _person(chosen, s, view.reviewers)
            if assignee is None:
                errors.message = "Choisissez l'agent à qui attribuer les dossiers."
        if not errors:
            names = await pages.case_names(s.web.ctx, s.token, ids, view.queue.items)
            outcomes = await s.web.ctx.opco.batch(
                s.token, "assign" if action == "attribuer" else "engage", ids, assignee
            )
            for o in outcomes:
                message = "Fait" if o.ok else (o.error or {}).get("message", "Refusé")
                results.append((names.get(o.case_id, str(o.case_id)), o.ok, message))
            view = await pages.queue_page(s.web.ctx, s.token, s.staff, *choice)
    return s.render(
        "instruction/queue.html",
        422 if errors else 200,
        title="Dossiers à instruire",
        view=view,
        sorts=SORTS,
        types=CONTRACT_TYPES,
        statuses=STATUSES,
        query=_query(view.filters, view.tab, view.sort),
        results=results,
        errors=errors,
    )


# --- the supervisors' and the administrators' pages (before /dossiers/{case_id}: fixed paths first)


@router.get("/charge")
async def workload(s: Staff) -> Response:
    s.require("supervisor")
    view = await pages.workload_page(s.web.ctx, s.token, s.staff)
    return s.render("instruction/workload.html", title="Charge des agents et échéances proches", view=view)


@router.post("/charge/reattribuer")
async def reassign(s: Staff) -> Response:
    s.require("supervisor")
    form = await s.web.form()
    case_id = _text(form, "dossier")
    people = await pages.reviewers(s.web.ctx, s.token, s.staff)
    assignee = _person(_text(form, "agent"), s, people)
    if not _is_uuid(case_id) or assignee is None:
        return s.web.redirect("/instruction/charge", "Choisissez un dossier et l'agent à qui l'attribuer.")
    await s.web.ctx.opco.assign(s.token, UUID(case_id), assignee)
    return s.web.redirect("/instruction/charge", f"Le dossier est attribué à {assignee.name}.")


async def _admin_page(
    s: StaffWeb, errors: FormErrors | None = None, status_code: int = 200, typed: FormData | None = None
) -> Response:
    ctx = s.web.ctx
    settings = await ctx.opco.settings(s.token)
    barred = await ctx.opco.barred(s.token)
    people = await pages.reviewers(ctx, s.token, s.staff)
    return s.render(
        "instruction/admin.html",
        status_code,
        title="Administration de l'instruction",
        settings=settings,
        barred=barred,
        people=people,
        roles=ROLE_LABELS,
        types=CONTRACT_TYPES,
        errors=errors,
        typed=typed or {},
    )


@router.get("/administration")
async def administration(s: Staff) -> Response:
    s.require("admin")
    return await _admin_page(s)


@router.post("/administration/reglages")
async def save_settings(s: Staff) -> Response:
    s.require("admin")
    form = await s.web.form()
    errors = FormErrors()
    raw = [d.strip() for d in _text(form, "alert_days").replace(";", ",").split(",") if d.strip()]
    if not all(d.isdigit() for d in raw):
        errors.by_field["alert_days"] = "Indiquez des nombres de jours séparés par des virgules, par exemple 5, 2."
        errors.labels["alert_days"] = "Alertes avant l'échéance"
        return await _admin_page(s, errors, 422, form)
    body = {
        "auto_engage": {code: form.get(f"auto_engage.{code}") == "oui" for code, _ in CONTRACT_TYPES},
        "alert_days": sorted({int(d) for d in raw}, reverse=True),
    }
    try:
        await s.web.ctx.opco.put_settings(s.token, body)
    except ApiError as error:
        if error.status != 422:
            raise
        errors = FormErrors.of(_problems(error), None if error.fields else error.message)
        errors.labels["alert_days"] = "Alertes avant l'échéance"
        return await _admin_page(s, errors, 422, form)
    return s.web.redirect("/instruction/administration", "Les réglages sont enregistrés.")


def _problems(error: ApiError) -> list[FieldProblem]:
    """The service's field paths (`body.siret` or `siret`) as this page's input names."""
    return [FieldProblem(p.path.removeprefix("body."), p.code, p.message) for p in error.fields]


@router.post("/administration/interdits")
async def bar_employer(s: Staff) -> Response:
    s.require("admin")
    form = await s.web.form()
    identifier = _text(form, "identifiant").replace(" ", "")
    body: dict[str, Any] = {"reason": _text(form, "reason")}
    errors = FormErrors()
    if len(identifier) == 14 and identifier.isdigit():
        body["siret"] = identifier
    elif len(identifier) == 9 and identifier.isdigit():
        body["siren"] = identifier
    else:
        errors.by_field["identifiant"] = "Indiquez un SIRET (14 chiffres) ou un SIREN (9 chiffres)."
    until = _text(form, "until")
    if until:
        try:
            body["until"] = date.fromisoformat(until).isoformat()
        except ValueError:
            errors.by_field["until"] = "Indiquez une date au format JJ/MM/AAAA."
    if len(body["reason"]) < 3:
        errors.by_field["reason"] = "Indiquez le motif de l'interdiction (la décision et sa date)."
    if not errors:
        try:
            await s.web.ctx.opco.bar(s.token, body)
        except ApiError as error:
            if error.status != 422:
                raise
            problems = [
                FieldProblem("identifiant" if p.path in ("siret", "siren") else p.path, p.code, p.message)
                for p in _problems(error)
            ]
            errors = FormErrors.of(problems, None if problems else error.message)
    if errors:
        errors.labels.update({"identifiant": "SIRET ou SIREN", "reason": "Motif", "until": "Interdit jusqu'au"})
        return await _admin_page(s, errors, 422, form)
    return s.web.redirect("/instruction/administration", "L'employeur est inscrit sur la liste des interdits.")


@router.post("/administration/interdits/{barred_id}/retirer")
async def unbar_employer(barred_id: UUID, s: Staff) -> Response:
    s.require("admin")
    await s.web.form()
    await s.web.ctx.opco.unbar(s.token, barred_id)
    return s.web.redirect("/instruction/administration", "L'inscription est retirée de la liste.")


@router.post("/administration/agents/{membership_id}/role")
async def change_role(membership_id: UUID, s: Staff) -> Response:
    s.require("admin")
    form = await s.web.form()
    role = _text(form, "role")
    if role not in ROLE_LABELS:
        return s.web.redirect("/instruction/administration", "Choisissez un rôle de la liste.")
    await s.web.ctx.identity.change_role(s.token, UUID(s.staff.organisation_id), membership_id, role)
    return s.web.redirect("/instruction/administration", f"Le rôle est changé : {ROLE_LABELS[role].lower()}.")


# --- a case


def _onglet(onglet: str) -> str:
    return onglet if onglet in TAB_ROOTS else "employeur"


@router.get("/dossiers/{case_id}")
async def case(
    case_id: UUID,
    s: Staff,
    onglet: Annotated[str, Query(max_length=20)] = "employeur",
    x_portal_fragment: Annotated[str | None, Header()] = None,
) -> Response:
    view = await pages.case_page(s.web.ctx, s.token, s.staff, case_id, _onglet(onglet))
    template = "instruction/case_live.html" if x_portal_fragment == "dossier" else "instruction/case.html"
    return s.render(template, title="Dossier", view=view, decidable=view.case["status"] in DECIDABLE)


@router.post("/dossiers/{case_id}/attribution")
async def assign(case_id: UUID, s: Staff) -> Response:
    form = await s.web.form()
    chosen = _text(form, "agent")
    if chosen not in ("moi", ""):
        s.require("supervisor")
    people = await pages.reviewers(s.web.ctx, s.token, s.staff) if chosen not in ("moi", "") else []
    assignee = _person(chosen, s, people)
    await s.web.ctx.opco.assign(s.token, case_id, assignee)
    message = f"Le dossier est attribué à {assignee.name}." if assignee else "Le dossier n'est plus attribué."
    return s.web.redirect(f"/instruction/dossiers/{case_id}", message)


def _back(s: StaffWeb, case_id: UUID, message: str, anchor: str) -> Response:
    """Back to a part of the case with a message (the query before the anchor, or the message is lost)."""
    return s.web.redirect(f"/instruction/dossiers/{case_id}?message={quote(message)}#{anchor}")


@router.post("/dossiers/{case_id}/notes")
async def add_note(case_id: UUID, s: Staff) -> Response:
    form = await s.web.form()
    text = _text(form, "texte")
    if not text:
        return _back(s, case_id, "Écrivez la note avant de l'enregistrer.", "notes")
    await s.web.ctx.opco.add_note(s.token, case_id, text[:4000])
    return _back(s, case_id, "La note est enregistrée (visible des seuls agents).", "notes")


@router.post("/dossiers/{case_id}/controles/{check_id}")
async def override(case_id: UUID, check_id: str, s: Staff) -> Response:
    s.require("supervisor")
    form = await s.web.form()
    result, reason = _text(form, "result"), _text(form, "reason")
    if result not in CHECK_RESULTS or len(reason) < 3:
        message = "Choisissez le nouveau résultat et écrivez la raison (trois caractères au moins)."
        return _back(s, case_id, message, "controles")
    await s.web.ctx.opco.override(s.token, case_id, check_id, result, reason)
    return _back(s, case_id, "Le résultat du contrôle est modifié.", "controles")


@router.get("/dossiers/{case_id}/courriers/{letter_id}")
async def letter(case_id: UUID, letter_id: UUID, s: Staff) -> Response:
    pdf = await s.web.ctx.opco.letter(s.token, case_id, letter_id)
    return _pdf(pdf, "courrier.pdf")


@router.get("/documents/{document_id}")
async def document(document_id: UUID, s: Staff) -> Response:
    """A document of the case, shown in the browser (inline), behind the documents service's own check."""
    from fastapi.responses import StreamingResponse

    headers, chunks = await s.web.ctx.documents.content(s.token, document_id)
    disposition = headers.get("content-disposition", "")
    headers["content-disposition"] = (
        "inline" + disposition[disposition.index(";") :] if ";" in disposition else "inline"
    )
    headers["Cache-Control"] = "private, no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    return StreamingResponse(chunks, headers=headers)


@router.get("/documents/{document_id}/page-{number}.png")
async def document_page(document_id: UUID, number: int, s: Staff) -> Response:
    """A page of a PDF document as an image, to read it in the case's page."""
    headers, chunks = await s.web.ctx.documents.content(s.token, document_id)
    content = bytearray()
    async for chunk in chunks:
        content += chunk
        if len(content) > MAX_RENDERED_BYTES:
            raise ApiError(413, "too_large", "Ce document est trop volumineux pour être affiché ici : ouvrez-le.")
    if not headers.get("content-type", "").startswith("application/pdf"):
        raise ApiError(404, "not_a_pdf", "Seuls les PDF s'affichent page par page.")
    return await _png(bytes(content), number)


def _pdf(content: bytes, name: str) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"}
    return Response(content, media_type="application/pdf", headers=headers)


# --- decisions: Conforme


@router.get("/dossiers/{case_id}/conforme")
async def engage_form(case_id: UUID, s: Staff) -> Response:
    found = await s.web.ctx.opco.case(s.token, case_id)
    return s.render("instruction/engage.html", title="Conforme : engager le dossier", case=found)


@router.get("/dossiers/{case_id}/apercu/accord")
async def engage_preview(case_id: UUID, s: Staff) -> Response:
    return _pdf(await s.web.ctx.opco.preview(s.token, case_id, "agreement"), "apercu-accord.pdf")


@router.post("/dossiers/{case_id}/conforme")
async def engage(case_id: UUID, s: Staff) -> Response:
    await s.web.form()
    done = await s.web.ctx.opco.engage(s.token, case_id)
    message = f"Le dossier est engagé sous le n° {done.get('file_number')} : le courrier d'accord part à l'employeur."
    return s.web.redirect(f"/instruction/dossiers/{case_id}", message)


# --- decisions: Anomalie


def _anomaly_body(form: FormData, case: dict[str, Any]) -> tuple[dict[str, Any], FormErrors]:
    """The anomalies a reviewer picked: fields of the contract and missing documents, each with its reason."""
    errors = FormErrors()
    items: list[dict[str, Any]] = []
    known = set(_form_paths(case))
    for i in range(1, _field_rows(form, len(known)) + 1):
        path, reason = _text(form, f"champ_{i}"), _text(form, f"motif_champ_{i}")
        if not path and not reason:
            continue
        if path not in known:
            errors.by_field[f"champ_{i}"] = "Choisissez le champ à corriger dans la liste."
        elif len(reason) < 3:
            errors.by_field[f"motif_champ_{i}"] = "Expliquez ce qui est à corriger dans ce champ."
        else:
            items.append({"kind": "field_error", "tab": tab_of(path), "field": path, "reason": reason})
        errors.labels[f"champ_{i}"] = f"Champ à corriger n° {i}"
        errors.labels[f"motif_champ_{i}"] = f"Motif du champ n° {i}"
    for code, label in REQUESTABLE_DOCUMENTS:
        reason = _text(form, f"motif_piece_{code}")
        if form.get(f"piece_{code}") != "oui":
            continue
        errors.labels[f"motif_piece_{code}"] = f"Motif : {label}"
        if len(reason) < 3:
            errors.by_field[f"motif_piece_{code}"] = "Expliquez pourquoi cette pièce est demandée."
        else:
            items.append({"kind": "missing_document", "document_type": code, "reason": reason})
    body: dict[str, Any] = {"anomalies": items}
    due = _text(form, "echeance")
    if due:
        try:
            answer = date.fromisoformat(due)
        except ValueError:
            errors.by_field["echeance"] = "Indiquez la date au format JJ/MM/AAAA."
        else:
            if answer <= date.today():
                errors.by_field["echeance"] = "La date de réponse doit être postérieure à aujourd'hui."
            body["answer_due_on"] = answer.isoformat()
        errors.labels["echeance"] = "Date de réponse attendue"
    if not items and not errors:
        errors.message = "Choisissez au moins un champ à corriger ou une pièce manquante, avec son motif."
    return body, errors


def _field_rows(form: FormData | None, fields: int) -> int:
    """How many field rows the form has: the count it was sent with, and at least every row filled in (a reviewer
    may name as many fields as the contract has, never fewer than the first three rows)."""
    if form is None:
        return FIELD_ROWS
    count = _text(form, "lignes")
    wanted = [int(count) if count.isdigit() else FIELD_ROWS]
    for name in form:
        row = FIELD_ROW.fullmatch(name)
        if row and _text(form, name):
            wanted.append(int(row.group(1)))
    return max(FIELD_ROWS, min(max(wanted), max(fields, FIELD_ROWS)))


def _form_paths(case: dict[str, Any]) -> list[str]:
    return [path for _, _, rows in pages.field_choices(case, {}) for path, _ in rows]


async def _anomaly_page(
    s: StaffWeb,
    case_id: UUID,
    form: FormData | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
    added: bool = False,
) -> Response:
    found = await s.web.ctx.opco.case(s.token, case_id)
    labels = await pages._labels(s.web.ctx, s.token, UUID(str(found["contract_id"])))
    fields = len(_form_paths(found))
    rows = _field_rows(form, fields) + (1 if added else 0)
    return s.render(
        "instruction/anomaly.html",
        status_code,
        title="Anomalie : demander des corrections",
        case=found,
        choices=pages.field_choices(found, labels),
        documents=REQUESTABLE_DOCUMENTS,
        rows=range(1, min(rows, max(fields, FIELD_ROWS)) + 1),
        can_add=rows < fields,
        added=rows if added else None,
        posted=form or {},
        errors=errors,
    )


@router.get("/dossiers/{case_id}/anomalie")
async def anomaly_form(case_id: UUID, s: Staff) -> Response:
    return await _anomaly_page(s, case_id)


@router.post("/dossiers/{case_id}/anomalie")
async def anomaly_preview(case_id: UUID, s: Staff) -> Response:
    """Checks the anomalies, then shows the letter they make before anything is sent; or, asked for one more field
    row (the form's other button), shows the form again with it and everything typed so far."""
    form = await s.web.form()
    if form.get("ajouter") == "champ":
        return await _anomaly_page(s, case_id, form, added=True)
    found = await s.web.ctx.opco.case(s.token, case_id)
    body, errors = _anomaly_body(form, found)
    if errors:
        return await _anomaly_page(s, case_id, form, errors, 422)
    try:
        pdf = await s.web.ctx.opco.preview(s.token, case_id, "anomaly", body)
    except ApiError as error:
        if error.status != 422:
            raise
        return await _anomaly_page(s, case_id, form, FormErrors(message=error.message), 422)
    key = pages.keep_draft(pages.Draft(case_id, str(s.me.id), "anomaly", body, pdf))
    labels = await pages._labels(s.web.ctx, s.token, UUID(str(found["contract_id"])))
    return s.render(
        "instruction/letter_check.html",
        title="Vérifier le courrier d'anomalie avant l'envoi",
        case=found,
        kind="anomaly",
        draft=key,
        body=body,
        labels=labels,
        documents=dict(REQUESTABLE_DOCUMENTS),
        pages=await asyncio.to_thread(pdf_pages.page_count, pdf),
    )


def _kept(s: StaffWeb, case_id: UUID, key: str) -> pages.Draft:
    kept = pages.draft(key, case_id, str(s.me.id))
    if kept is None:
        raise ApiError(404, "draft_not_found", "Cet aperçu n'existe plus : recommencez la décision.")
    return kept


@router.get("/dossiers/{case_id}/apercu/{key}")
async def draft_preview(case_id: UUID, key: str, s: Staff) -> Response:
    kept = _kept(s, case_id, key)
    return _pdf(kept.pdf, f"apercu-{kept.kind}.pdf")


@router.get("/dossiers/{case_id}/apercu/{key}/page-{number}.png")
async def draft_page(case_id: UUID, key: str, number: int, s: Staff) -> Response:
    return await _png(_kept(s, case_id, key).pdf, number)


async def _png(pdf: bytes, number: int) -> Response:
    png = await asyncio.to_thread(pdf_pages.page_png, pdf, number)
    if png is None:
        raise ApiError(404, "page_not_found", "Cette page n'existe pas.")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.post("/dossiers/{case_id}/envoyer/{key}")
async def send(case_id: UUID, key: str, s: Staff) -> Response:
    """Sends the decision whose letter was just previewed (an anomaly or a refusal)."""
    await s.web.form()
    kept = pages.draft(key, case_id, str(s.me.id))
    if kept is None:
        raise ApiError(404, "draft_not_found", "Cet aperçu n'existe plus : recommencez la décision.")
    if kept.kind == "anomaly":
        await s.web.ctx.opco.raise_anomaly(s.token, case_id, kept.body)
        message = "L'anomalie est notifiée : le courrier part à l'employeur et le délai est suspendu."
    else:
        await s.web.ctx.opco.refuse(s.token, case_id, str(kept.body["reason"]))
        message = "Le refus est notifié aux parties avec son courrier motivé."
    pages.drop_draft(key)
    return s.web.redirect(f"/instruction/dossiers/{case_id}", message)


# --- decisions: Refus


async def _refusal_page(
    s: StaffWeb, case_id: UUID, reason: str = "", errors: FormErrors | None = None, status_code: int = 200
) -> Response:
    found = await s.web.ctx.opco.case(s.token, case_id)
    return s.render(
        "instruction/refuse.html", status_code, title="Refus motivé", case=found, reason=reason, errors=errors
    )


@router.get("/dossiers/{case_id}/refus")
async def refusal_form(case_id: UUID, s: Staff) -> Response:
    return await _refusal_page(s, case_id)


@router.post("/dossiers/{case_id}/refus")
async def refusal_preview(case_id: UUID, s: Staff) -> Response:
    form = await s.web.form()
    reason = _text(form, "reason")
    if len(reason) < 10:
        errors = FormErrors(
            by_field={"reason": "Motivez le refus : la décision doit dire pourquoi (10 caractères au moins)."}
        )
        errors.labels["reason"] = "Motivation du refus"
        return await _refusal_page(s, case_id, reason, errors, 422)
    found = await s.web.ctx.opco.case(s.token, case_id)
    pdf = await s.web.ctx.opco.preview(s.token, case_id, "refusal", {"reason": reason})
    key = pages.keep_draft(pages.Draft(case_id, str(s.me.id), "refusal", {"reason": reason}, pdf))
    return s.render(
        "instruction/letter_check.html",
        title="Vérifier le courrier de refus avant l'envoi",
        case=found,
        kind="refusal",
        draft=key,
        body={"reason": reason},
        labels={},
        documents={},
        pages=await asyncio.to_thread(pdf_pages.page_count, pdf),
    )
