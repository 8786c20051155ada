"""The dashboard: the contracts of the person and of their organisations, searched, filtered, paged, with their
actions; the proposals received from a CFA and those sent to employers; starting a new contract."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.domain.errors import FormErrors
from passerelle.portal.entrypoints.http.accounts import form_errors
from passerelle.portal.entrypoints.http.web import SignedIn, safe_next
from passerelle.portal.service_layer import pages

router = APIRouter(include_in_schema=False)

CREATE_LABELS = {
    "contract_type": "Type de contrat",
    "employer_siret": "SIRET de l'employeur",
    "training_uai": "UAI de l'organisme de formation",
}


Day = Annotated[str, Query(max_length=20)]


@router.get("/tableau-de-bord")
async def dashboard(
    web: SignedIn,
    q: Annotated[str, Query(max_length=100)] = "",
    status: str = "",
    contract_type: str = "",
    siret: Annotated[str, Query(max_length=20)] = "",
    archives: str = "",
    created_from: Day = "",
    created_to: Day = "",
    start_from: Day = "",
    start_to: Day = "",
    transmitted_from: Day = "",
    transmitted_to: Day = "",
    in_charge: Annotated[str, Query(max_length=40)] = "",
    sort: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    assert web.me is not None
    errors = FormErrors()
    days = {}
    typed = {
        "created_from": created_from,
        "created_to": created_to,
        "start_from": start_from,
        "start_to": start_to,
        "transmitted_from": transmitted_from,
        "transmitted_to": transmitted_to,
    }
    for name, text in typed.items():
        day = parse_day(text)
        if day is None:
            errors.by_field[name] = DAY_MESSAGE
        days[name] = day if day is not None else text.strip()
    filters = {
        "q": q.strip(),
        "status": status if status in dict(pages.STATUSES) else "",
        "contract_type": contract_type if contract_type in dict(pages.TYPES) else "",
        "siret": siret.strip(),
        "include_archived": archives == "oui",
        **days,
        "in_charge": in_charge if in_charge == "moi" or _is_uuid(in_charge) else "",
        "sort": sort if sort in dict(pages.SORTS) else pages.DEFAULT_SORT,
        "page": page,
    }
    cache = web.session.entry.cached if web.session is not None else None
    view = await pages.dashboard(web.ctx, web.token, web.me, filters, errors, cache)
    return web.render(
        "dashboard.html",
        # A search page that cannot read a filter still answers: the summary says which one and why.
        title="Tableau de bord",
        summary_title="La recherche n'a pas pu être faite",
        view=view,
        statuses=pages.STATUSES,
        types=pages.TYPES,
        sorts=pages.SORTS,
        periods=pages.PERIODS,
        errors=view.errors or None,
    )


DAY_MESSAGE = "Une date valide est attendue au format JJ/MM/AAAA (ex. 01/09/2026)."


def parse_day(text: str) -> str | None:
    """A day typed or picked (AAAA-MM-JJ from a date field, JJ/MM/AAAA by hand) as AAAA-MM-JJ; "" for none;
    None when it is not a date."""
    text = text.strip()
    if not text:
        return ""
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


@router.post("/contrats")
async def create_contract(web: SignedIn) -> Response:
    form = await web.form()
    assert web.me is not None
    body = {
        "contract_type": str(form.get("contract_type", "")),
        "employer_siret": str(form.get("employer_siret", "")).replace(" ", "") or None,
        "training_uai": str(form.get("training_uai", "")).replace(" ", "").upper() or None,
        "side": str(form.get("side", "")) or None,
    }
    try:
        created = await web.ctx.contracts.create(web.token, body)
    except ApiError as error:
        if error.status not in (403, 422):
            raise
        errors = form_errors(error) if error.fields else FormErrors(message=error.message)
        errors.labels = CREATE_LABELS
        view = await pages.dashboard(web.ctx, web.token, web.me, {"page": 1})
        return web.render(
            "dashboard.html",
            422,
            title="Tableau de bord",
            view=view,
            statuses=pages.STATUSES,
            types=pages.TYPES,
            sorts=pages.SORTS,
            periods=pages.PERIODS,
            errors=errors,
            create_values=body,
        )
    return web.redirect(
        f"/contrats/{created['id']}/introduction", "Le contrat est créé : complétez-le onglet par onglet."
    )


ACTIONS = {
    "archiver": ("archive", "Le contrat est archivé."),
    "restaurer": ("restore", "Le contrat est désarchivé."),
}


@router.post("/contrats/{contract_id}/archiver")
@router.post("/contrats/{contract_id}/restaurer")
async def archive_or_restore(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    verb = web.request.url.path.rsplit("/", 1)[-1]
    action, done = ACTIONS[verb]
    version = await _version(web, contract_id, str(form.get("version", "")))
    await web.ctx.contracts.action(web.token, contract_id, action, version)
    return web.redirect(safe_next(str(form.get("retour", ""))), done)


@router.post("/contrats/{contract_id}/supprimer")
async def delete_draft(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    version = await _version(web, contract_id, str(form.get("version", "")))
    await web.ctx.contracts.delete(web.token, contract_id, version)
    return web.redirect("/tableau-de-bord", "Le brouillon est supprimé.")


async def _version(web: SignedIn, contract_id: UUID, posted: str) -> int:
    """The version the person saw (a contract page posts it); from the dashboard, the current one."""
    if posted.isdigit():
        return int(posted)
    return int((await web.ctx.contracts.get(web.token, contract_id))["version"])
