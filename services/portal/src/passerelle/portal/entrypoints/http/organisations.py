"""Organisations and their people, for their administrators: the SIRETs of one SIREN, members and roles,
invitations (the e-mailed link lands here), requests to join, registering a new organisation."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.domain.errors import FormErrors
from passerelle.portal.entrypoints.http.accounts import form_errors
from passerelle.portal.entrypoints.http.web import AnyVisitor, SignedIn
from passerelle.portal.service_layer import sessions

router = APIRouter(include_in_schema=False)
ROLES = (("admin", "Administrateur"), ("contributor", "Contributeur"))
KINDS = (("employer", "Établissement employeur (SIRET)"), ("training", "Organisme de formation (UAI et SIRET)"))
LABELS = {"name": "Dénomination", "siret": "SIRET", "uai": "UAI", "email": "Adresse électronique", "kind": "Type"}


@router.get("/organisations")
async def my_organisations(web: SignedIn) -> Response:
    return web.render("organisations/list.html", title="Mes organisations", kinds=KINDS, values={})


@router.post("/organisations")
async def register_organisation(web: SignedIn) -> Response:
    form = await web.form()
    values = {k: str(form.get(k, "")).strip() for k in ("kind", "name", "siret", "uai")}
    try:
        org = await web.ctx.identity.register_organisation(
            web.token, values["kind"], values["name"], values["siret"], values["uai"]
        )
    except ApiError as error:
        if error.status not in (403, 409, 422):
            raise
        errors = form_errors(error) if error.fields else FormErrors(message=error.message)
        errors.labels = LABELS
        return web.render("organisations/list.html", 422, kinds=KINDS, values=values, errors=errors)
    assert web.session is not None
    sessions.forget_memberships(web.session)
    if org.verified:
        return web.redirect(f"/organisations/{org.id}", "L'organisation est inscrite : vous en êtes administrateur.")
    return web.redirect(
        f"/organisations/{org.id}/verification",
        "L'organisation est inscrite : prouvez maintenant que vous la représentez.",
    )


VERIFIED_BY = {
    "postal_code": "par le code reçu par courrier",
    "opco_approval": "par l'OPCO",
    "operator": "par l'équipe Passerelle",
    "platform": "par l'équipe Passerelle",
    "same_company": "par un établissement vérifié de la même entreprise",
}


async def _verification_page(
    web: SignedIn, organisation_id: UUID, errors: FormErrors | None = None, status_code: int = 200
) -> Response:
    assert web.me is not None
    org = await web.ctx.identity.organisation(web.token, organisation_id)
    admin = web.me.admin_of(organisation_id)
    admins = (
        [] if admin else [m for m in await web.ctx.identity.members(web.token, organisation_id) if m.role == "admin"]
    )
    return web.render(
        "organisations/verification.html",
        status_code,
        title=f"Vérification — {org.name}",
        org=org,
        admin=admin,
        admins=admins,
        verified_by=VERIFIED_BY.get(org.verification or "", ""),
        errors=errors,
    )


@router.get("/organisations/{organisation_id}/verification")
async def verification(organisation_id: UUID, web: SignedIn) -> Response:
    return await _verification_page(web, organisation_id)


@router.post("/organisations/{organisation_id}/verification/courrier")
async def send_postal_code(organisation_id: UUID, web: SignedIn) -> Response:
    await web.form()
    page = f"/organisations/{organisation_id}/verification"
    try:
        await web.ctx.identity.send_postal_code(web.token, organisation_id)
    except ApiError as error:
        if error.status not in (403, 409):
            raise
        return web.redirect(page, f"Courrier non envoyé : {error.message}")
    return web.redirect(
        page, "Un courrier part vers l'adresse enregistrée de l'établissement : saisissez ici le code qu'il contient."
    )


@router.post("/organisations/{organisation_id}/verification/code")
async def confirm_postal_code(organisation_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    code = "".join(str(form.get("code", "")).split())
    if not code:
        errors = FormErrors(by_field={"code": "Saisissez le code à 8 chiffres du courrier."}, labels=CODE_LABELS)
        return await _verification_page(web, organisation_id, errors, 422)
    try:
        org = await web.ctx.identity.confirm_postal_code(web.token, organisation_id, code)
    except ApiError as error:
        if error.status not in (403, 409, 422):
            raise
        errors = form_errors(error) if error.fields else FormErrors(message=error.message)
        errors.labels = CODE_LABELS
        return await _verification_page(web, organisation_id, errors, 422)
    assert web.session is not None
    sessions.forget_memberships(web.session)  # the next access token carries the organisation
    return web.redirect(
        f"/organisations/{organisation_id}/verification",
        f"{org.name} est vérifiée : ses contrats vous sont ouverts.",
    )


CODE_LABELS = {"code": "Code reçu par courrier"}


@router.get("/organisations/{organisation_id}")
async def organisation(organisation_id: UUID, web: SignedIn) -> Response:
    assert web.me is not None
    admin = web.me.admin_of(organisation_id)
    identity, token = web.ctx.identity, web.token
    # The page's five answers are independent: asked together, the page waits for the slowest, not their sum.
    org, members, invitations, requests, establishments = await asyncio.gather(
        identity.organisation(token, organisation_id),
        identity.members(token, organisation_id),
        identity.invitations(token, organisation_id) if admin else _nothing(),
        identity.join_requests(token, organisation_id) if admin else _nothing(),
        identity.establishments(token, organisation_id),
    )
    return web.render(
        "organisations/detail.html",
        title=org.name,
        org=org,
        admin=admin,
        members=members,
        invitations=invitations,
        requests=requests,
        establishments=establishments,
        roles=ROLES,
    )


async def _nothing() -> list[Any]:
    return []


async def _org_action(web: SignedIn, organisation_id: UUID, call, done: str) -> Response:  # type: ignore[no-untyped-def]
    try:
        await call
    except ApiError as error:
        if error.status not in (409, 422):
            raise
        message = "; ".join(p.message for p in error.fields) or error.message
        return web.redirect(f"/organisations/{organisation_id}", f"Action impossible : {message}")
    assert web.session is not None
    sessions.forget_memberships(web.session)
    return web.redirect(f"/organisations/{organisation_id}", done)


@router.get("/organisations/{organisation_id}/membres")
async def members_anchor(organisation_id: UUID, web: SignedIn) -> Response:
    return web.redirect(f"/organisations/{organisation_id}#membres")


@router.get("/organisations/{organisation_id}/demandes")
async def requests_anchor(organisation_id: UUID, web: SignedIn) -> Response:
    return web.redirect(f"/organisations/{organisation_id}#demandes")


@router.post("/organisations/{organisation_id}/invitations")
async def invite(organisation_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    email, role = str(form.get("email", "")).strip(), str(form.get("role", "contributor"))
    call = web.ctx.identity.invite(web.token, organisation_id, email, role)
    return await _org_action(web, organisation_id, call, f"Une invitation est envoyée à {email}.")


@router.post("/organisations/{organisation_id}/invitations/{invitation_id}/annuler")
async def cancel_invitation(organisation_id: UUID, invitation_id: UUID, web: SignedIn) -> Response:
    await web.form()
    call = web.ctx.identity.cancel_invitation(web.token, organisation_id, invitation_id)
    return await _org_action(web, organisation_id, call, "L'invitation est annulée.")


@router.post("/organisations/{organisation_id}/membres/{membership_id}/role")
async def change_role(organisation_id: UUID, membership_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    call = web.ctx.identity.change_role(web.token, organisation_id, membership_id, str(form.get("role", "")))
    return await _org_action(web, organisation_id, call, "Le rôle est modifié.")


@router.post("/organisations/{organisation_id}/membres/{membership_id}/retirer")
async def revoke(organisation_id: UUID, membership_id: UUID, web: SignedIn) -> Response:
    await web.form()
    call = web.ctx.identity.revoke(web.token, organisation_id, membership_id)
    return await _org_action(web, organisation_id, call, "Le membre est retiré de l'organisation.")


@router.post("/organisations/{organisation_id}/demandes/{request_id}/{decision}")
async def decide(organisation_id: UUID, request_id: UUID, decision: str, web: SignedIn) -> Response:
    await web.form()
    accept = decision == "accepter"
    call = web.ctx.identity.decide_join_request(web.token, organisation_id, request_id, accept)
    return await _org_action(
        web, organisation_id, call, "La demande est acceptée." if accept else "La demande est refusée."
    )


@router.post("/organisations/{organisation_id}/etablissements")
async def declare_establishment(organisation_id: UUID, web: SignedIn) -> Response:
    form = await web.form()
    call = web.ctx.identity.declare_establishment(
        web.token,
        organisation_id,
        str(form.get("siret", "")).replace(" ", ""),
        str(form.get("name", "")).strip(),
        str(form.get("administrator_email", "")).strip(),
    )
    return await _org_action(web, organisation_id, call, "L'établissement est déclaré.")


@router.post("/organisations/rejoindre")
async def request_to_join(web: SignedIn) -> Response:
    form = await web.form()
    siret, uai = str(form.get("siret", "")).replace(" ", ""), str(form.get("uai", "")).strip().upper()
    try:
        org = await web.ctx.identity.lookup(web.token, siret=siret or None, uai=uai or None)
        await web.ctx.identity.request_to_join(web.token, org.id, str(form.get("message", "")))
    except ApiError as error:
        if error.status not in (404, 409, 422):
            raise
        message = "Aucune organisation inscrite ne porte cet identifiant." if error.status == 404 else error.message
        return web.redirect("/organisations", message)
    return web.redirect("/organisations", f"Votre demande est envoyée aux administrateurs de {org.name}.")


@router.get("/invitations/accepter")
async def invitation_page(web: AnyVisitor, jeton: str = "") -> Response:
    return web.render("organisations/invitation.html", title="Invitation", token=jeton)


@router.post("/invitations/accepter")
async def accept_invitation(web: AnyVisitor) -> Response:
    form = await web.form()
    token = str(form.get("jeton", ""))
    if web.session is None:
        full_name, password = str(form.get("full_name", "")), str(form.get("password", ""))
        try:
            await web.ctx.identity.register_from_invitation(token, full_name, password)
        except ApiError as error:
            if error.status not in (409, 410, 422):
                raise
            errors = form_errors(error) if error.fields else FormErrors(message=error.message)
            return web.render("organisations/invitation.html", 422, token=token, errors=errors)
        return web.redirect("/connexion", "Votre compte est créé et rattaché à l'organisation : connectez-vous.")
    try:
        await web.ctx.identity.accept_invitation(web.session.token, token)
    except ApiError as error:
        if error.status not in (403, 409, 410):
            raise
        return web.render("organisations/invitation.html", 422, token=token, errors=FormErrors(message=error.message))
    sessions.forget_memberships(web.session)
    return web.redirect("/organisations", "Vous avez rejoint l'organisation.")
