"""The contract, tab by tab: show, save, transmit (with every refusal shown per tab and per field), accept a
proposal, propose to an employer, transfer, amendments; its documents (typed upload, versions, downloads) and
the CERFA PDF."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.adapters.documents import UPLOADABLE_TYPES
from passerelle.portal.adapters.notifier import NotificationPage
from passerelle.portal.domain.errors import FieldProblem, FormErrors
from passerelle.portal.domain.forms import TAB_ORDER, TAB_ROOTS, tab_content
from passerelle.portal.entrypoints.http.web import SignedIn
from passerelle.portal.service_layer import pages

router = APIRouter(include_in_schema=False)
REFUSED = "Le Cerfa n'a pas pu être validé"


def _tab(tab: str) -> str:
    if tab not in TAB_ORDER:
        raise ApiError(404, "not_found", "Cet onglet n'existe pas.")
    return tab


def _version(form: object) -> int:
    raw = str(form.get("version", "")) if hasattr(form, "get") else ""
    return int(raw) if raw.isdigit() else 0


async def _colleagues(web: SignedIn, contract: dict) -> list[tuple[str, str]]:
    """The people of my organisations on this contract who could take it over (not the one in charge)."""
    assert web.me is not None
    parties = contract.get("parties") or {}
    ids = [
        m.organisation.id
        for m in web.me.memberships
        if m.organisation.siret in (parties.get("employer_siret"), parties.get("training_siret"))
        or (m.organisation.uai and m.organisation.uai == parties.get("training_uai"))
    ]
    found: dict[str, str] = {}
    for organisation_id in ids:
        try:
            for member in await web.ctx.identity.members(web.token, organisation_id):
                if member.account_id and str(member.account_id) != contract.get("owner_id"):
                    found[str(member.account_id)] = member.full_name or member.email or str(member.account_id)
        except ApiError:
            continue
    return sorted(found.items(), key=lambda item: item[1])


async def _contract_notifications(web: SignedIn, contract_id: UUID) -> NotificationPage | None:
    """What the person was told about this contract; None when the notification centre cannot answer now (the
    contract's page does not depend on it)."""
    try:
        return await web.ctx.notifier.of_contract(web.token, contract_id)
    except ApiError:
        return None


async def _render(
    web: SignedIn,
    contract_id: UUID,
    tab: str,
    check: bool,
    refused: bool = False,
    posted: dict[str, str] | None = None,
    save_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    view = await pages.contract_page(web.ctx, web.token, contract_id, tab, check, posted, save_errors)
    colleagues = await _colleagues(web, view.contract) if tab == "synthese" else []
    told = await _contract_notifications(web, contract_id) if tab == "synthese" else None
    assert web.me is not None
    establishments = [
        (m.organisation.siret, m.organisation.name)
        for m in web.me.memberships
        if m.organisation.kind == "employer" and m.organisation.siret
    ]
    return web.render(
        "contracts/page.html",
        status_code,
        view=view,
        refused=refused,
        uploadable=UPLOADABLE_TYPES,
        colleagues=colleagues,
        told=told,
        establishments=establishments,
        upload_limit=web.ctx.settings.upload_limit_megabytes,
    )


@router.get("/contrats/{contract_id}")
async def contract_home(contract_id: UUID, web: SignedIn) -> Response:
    return web.redirect(f"/contrats/{contract_id}/introduction")


@router.get("/contrats/{contract_id}/cerfa.pdf")
async def cerfa(contract_id: UUID, web: SignedIn) -> Response:
    content = await web.ctx.contracts.cerfa_pdf(web.token, contract_id)
    headers = {"Content-Disposition": f'inline; filename="cerfa-{contract_id}.pdf"', "Cache-Control": "no-store"}
    return Response(content, media_type="application/pdf", headers=headers)


@router.get("/contrats/{contract_id}/{tab}")
async def show_tab(
    contract_id: UUID,
    tab: str,
    web: SignedIn,
    verifier: Annotated[str, Query(max_length=1)] = "",
    refus: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    return await _render(web, contract_id, _tab(tab), check=bool(verifier), refused=bool(refus))


async def _transmit(web: SignedIn, contract_id: UUID, version: int) -> Response:
    try:
        await web.ctx.contracts.action(web.token, contract_id, "transmit", version)
    except ApiError as error:
        if error.status != 422:
            raise
        tabs = [t for t in error.extra.get("tabs_in_error") or [] if t in TAB_ORDER] or ["synthese"]
        return web.redirect(f"/contrats/{contract_id}/{tabs[0]}?verifier=1&refus=1")
    return web.redirect(f"/contrats/{contract_id}/synthese", "Le Cerfa a été transmis à l'OPCO.")


@router.post("/contrats/{contract_id}/transmettre")
async def transmit(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    return await _transmit(web, contract_id, _version(form))


@router.post("/contrats/{contract_id}/accepter")
async def accept(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    siret = str(form.get("employer_siret", "")).strip()
    body = {"employer_siret": siret} if siret else None
    await web.ctx.contracts.action(web.token, contract_id, "accept", _version(form), body)
    message = "Proposition acceptée : relisez et complétez le contrat. Rien n'a été transmis à l'OPCO."
    return web.redirect(f"/contrats/{contract_id}/introduction", message)


@router.post("/contrats/{contract_id}/refuser")
async def decline(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    reason = str(form.get("reason", "")).strip()
    await web.ctx.contracts.action(web.token, contract_id, "decline", _version(form), {"reason": reason or None})
    return web.redirect("/tableau-de-bord", "La proposition est refusée : l'organisme de formation en est informé.")


@router.post("/contrats/{contract_id}/proposer")
async def propose(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    body = {"employer_email": str(form.get("employer_email", "")).strip()}
    try:
        await web.ctx.contracts.action(web.token, contract_id, "propose", _version(form), body)
    except ApiError as error:
        if error.status != 422:
            raise
        problems = [FieldProblem(p.path, p.code, p.message) for p in error.fields]
        errors = FormErrors.of(problems, None if problems else error.message)
        errors.labels["employer_email"] = "Adresse électronique de l'employeur"
        return await _render(web, contract_id, "synthese", False, save_errors=errors, status_code=422)
    return web.redirect(f"/contrats/{contract_id}/synthese", "La proposition est envoyée à l'employeur.")


@router.post("/contrats/{contract_id}/transferer")
async def transfer(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    body = {"to_account_id": str(form.get("to_account_id", ""))}
    await web.ctx.contracts.action(web.token, contract_id, "transfer", _version(form), body)
    return web.redirect("/tableau-de-bord", "Le contrat est transféré à votre collègue.")


@router.post("/contrats/{contract_id}/avenant")
async def amendment(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    body = {"kind_code": str(form.get("kind_code", "")), "effective_date": str(form.get("effective_date", "")) or None}
    try:
        await web.ctx.contracts.action(web.token, contract_id, "amendments", _version(form), body)
    except ApiError as error:
        if error.status != 422:
            raise
        problems = [FieldProblem(p.path, p.code, p.message) for p in error.fields]
        errors = FormErrors.of(problems, None if problems else error.message)
        errors.labels.update({"kind_code": "Type d'avenant", "effective_date": "Date d'effet"})
        return await _render(web, contract_id, "synthese", False, save_errors=errors, status_code=422)
    return web.redirect(f"/contrats/{contract_id}/introduction", "La demande de modification est créée.")


@router.post("/contrats/{contract_id}/documents")
async def upload(contract_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    document_type = str(form.get("document_type", ""))
    file = form.get("file")
    errors = FormErrors()
    if file is None or isinstance(file, str) or not file.filename:
        errors.by_field["file"] = "Choisissez le fichier à déposer."
    else:
        content = await file.read()
        try:
            await web.ctx.documents.upload(
                web.token, contract_id, document_type, file.filename, content, file.content_type or ""
            )
        except ApiError as error:
            if error.status not in (413, 415, 422):
                raise
            problems = [FieldProblem(p.path, p.code, p.message) for p in error.fields]
            errors = FormErrors.of(problems, None if problems else error.message)
            if not problems:
                errors.by_field["file"] = error.message
    if errors:
        errors.labels.update({"file": "Fichier", "document_type": "Type de document"})
        return await _render(web, contract_id, "documents", False, save_errors=errors, status_code=422)
    return web.redirect(f"/contrats/{contract_id}/documents", "Le document est déposé sur le contrat.")


@router.get("/contrats/{contract_id}/documents/{document_id}")
async def contract_document(contract_id: UUID, document_id: UUID, web: SignedIn) -> Response:
    """The address the notifier's mails give for a letter: the file, behind the documents service's access check."""
    return await download(document_id, web)


@router.get("/documents/{document_id}/telecharger")
async def download(document_id: UUID, web: SignedIn) -> Response:
    headers, chunks = await web.ctx.documents.content(web.token, document_id)
    headers["Cache-Control"] = "private, no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    return StreamingResponse(chunks, headers=headers)


@router.post("/contrats/{contract_id}/{tab}")
async def save_tab(contract_id: UUID, tab: str, web: SignedIn, verifier: str = "") -> Response:
    tab = _tab(tab)
    form = await web.form()
    version = _version(form)
    posted = [(k, str(v)) for k, v in form.multi_items() if isinstance(v, str) and k not in ("version", "action")]
    if tab in TAB_ROOTS:
        content = tab_content(tab, posted)
        try:
            saved = await web.ctx.contracts.save_tab(web.token, contract_id, tab, version, content)
        except ApiError as error:
            if error.status != 422:
                raise
            prefix = TAB_ROOTS[tab][0] + "." if len(TAB_ROOTS[tab]) == 1 else ""
            errors = FormErrors.of(error.fields, None if error.fields else error.message, prefix=prefix)
            return await _render(
                web, contract_id, tab, bool(verifier), posted=dict(posted), save_errors=errors, status_code=422
            )
        version = int(saved["contract"]["version"])
    if str(form.get("action", "")) == "transmettre":
        return await _transmit(web, contract_id, version)
    suffix = "?verifier=1" if verifier else ""
    return web.redirect(f"/contrats/{contract_id}/{tab}{suffix}", "Les modifications sont enregistrées.")
