"""Account pages: register, confirm the address (the e-mailed link lands here), log in and out, forgotten
password and reset, profile and password change."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.domain.errors import FieldProblem, FormErrors
from passerelle.portal.entrypoints.http.web import AnyVisitor, SignedIn, landing, safe_next
from passerelle.portal.service_layer import sessions

router = APIRouter(include_in_schema=False)

LABELS = {
    "full_name": "Prénom et nom",
    "email": "Adresse électronique",
    "phone": "Téléphone",
    "password": "Mot de passe",
    "current_password": "Mot de passe actuel",
    "new_password": "Nouveau mot de passe",
}


def form_errors(error: ApiError, rename: dict[str, str] | None = None) -> FormErrors:
    """An API refusal as the page's errors: renamed paths land on this page's inputs; the message stays."""
    rename = rename or {}
    problems = [FieldProblem(rename.get(p.path, p.path), p.code, p.message) for p in error.fields]
    errors = FormErrors.of(problems, None if problems else error.message)
    errors.labels = LABELS
    return errors


def required(values: dict[str, str], *names: str) -> FormErrors:
    errors = FormErrors(labels=LABELS)
    for name in names:
        if not values.get(name, "").strip():
            errors.by_field[name] = "Ce champ est obligatoire."
    return errors


@router.get("/")
async def home(web: AnyVisitor) -> Response:
    if web.me is not None:
        return web.redirect(landing(web.me))
    return web.render("home.html", title="Accueil")


@router.get("/accessibilite")
async def accessibility(web: AnyVisitor) -> Response:
    return web.render("accessibility.html")


@router.get("/inscription")
async def register_page(web: AnyVisitor, courriel: str = "") -> Response:
    # The notifier's mail to an address without an account links here with the address filled in.
    return web.render("accounts/register.html", values={"email": courriel[:320]})


@router.post("/inscription")
async def register(web: AnyVisitor) -> Response:
    form = await web.form()
    values = {k: str(form.get(k, "")) for k in ("full_name", "email", "phone", "password")}
    errors = required(values, "full_name", "email", "password")
    if errors:
        return web.render("accounts/register.html", 422, values=values, errors=errors)
    try:
        sent = await web.ctx.identity.register(
            values["email"], values["password"], values["full_name"], values["phone"]
        )
    except ApiError as error:
        if error.status != 422:
            raise
        return web.render("accounts/register.html", 422, values=values, errors=form_errors(error))
    return web.render("accounts/register.html", values=values, sent=sent)


@router.get("/compte/confirmer")
async def confirm_page(web: AnyVisitor, jeton: str = "") -> Response:
    # A GET only shows the button: mail scanners that open links must not spend the person's link.
    return web.render("accounts/confirm.html", token=jeton)


@router.post("/compte/confirmer")
async def confirm(web: AnyVisitor) -> Response:
    form = await web.form()
    token = str(form.get("jeton", ""))
    try:
        await web.ctx.identity.confirm(token)
    except ApiError as error:
        if error.status not in (400, 404, 410, 422):
            raise
        message = "Ce lien n'est plus valable (déjà utilisé ou expiré). Demandez-en un nouveau ci-dessous."
        return web.render("accounts/confirm.html", 422, token="", errors=FormErrors(message=message))
    return web.redirect("/connexion", "Votre adresse est confirmée : vous pouvez vous connecter.")


@router.post("/compte/renvoyer-confirmation")
async def resend(web: AnyVisitor) -> Response:
    form = await web.form()
    message = await web.ctx.identity.resend_confirmation(str(form.get("email", "")))
    return web.redirect("/connexion", message)


@router.get("/connexion")
async def login_page(web: AnyVisitor, suite: str = "", suivant: str = "") -> Response:
    asked = suite or suivant  # `suivant` is what the notifier's mails use
    if web.me is not None:
        return web.redirect(safe_next(asked, landing(web.me)))
    # Nothing asked: the form carries nothing, and the person lands where their role does once signed in.
    next_url = safe_next(asked) if asked else ""
    return web.render("accounts/login.html", next_url=next_url, email="")


@router.post("/connexion")
async def login(web: AnyVisitor) -> Response:
    form = await web.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    asked = str(form.get("suite", ""))
    next_url = safe_next(asked) if asked else ""
    errors = required({"email": email, "password": password}, "email", "password")
    if errors:
        return web.render("accounts/login.html", 422, next_url=next_url, email=email, errors=errors)
    try:
        entry = await sessions.log_in(web.ctx, email, password, web.request.headers.get("user-agent"))
    except ApiError as error:
        if error.status not in (401, 403, 422, 429):
            raise
        message = error.message if error.status != 401 else "Adresse électronique ou mot de passe incorrect."
        errors = FormErrors(message=message)
        return web.render("accounts/login.html", error.status, next_url=next_url, email=email, errors=errors)
    if not next_url:
        next_url = landing(await sessions.who_logged_in(web.ctx, entry))
    response = web.redirect(next_url)
    web.set_session_cookie(response, entry.refresh_token, entry.refresh_expires_in)
    return response


@router.post("/deconnexion")
async def logout(web: AnyVisitor) -> Response:
    await web.form()
    await sessions.log_out(web.ctx, web.request.cookies.get(web.ctx.settings.session_cookie))
    web.session = None
    response = web.redirect("/connexion", "Vous êtes déconnecté.")
    web.clear_session_cookie(response)
    return response


@router.post("/deconnexion-partout")
async def logout_everywhere(web: SignedIn) -> Response:
    await web.form()
    await sessions.log_out(web.ctx, web.request.cookies.get(web.ctx.settings.session_cookie), everywhere=True)
    web.session = None
    response = web.redirect("/connexion", "Toutes vos sessions sont fermées.")
    web.clear_session_cookie(response)
    return response


@router.get("/mot-de-passe-oublie")
async def forgot_page(web: AnyVisitor) -> Response:
    return web.render("accounts/forgot.html", email="")


@router.post("/mot-de-passe-oublie")
async def forgot(web: AnyVisitor) -> Response:
    form = await web.form()
    email = str(form.get("email", ""))
    errors = required({"email": email}, "email")
    if errors:
        return web.render("accounts/forgot.html", 422, email=email, errors=errors)
    try:
        sent = await web.ctx.identity.request_password_reset(email)
    except ApiError as error:
        if error.status != 422:
            raise
        return web.render("accounts/forgot.html", 422, email=email, errors=form_errors(error))
    return web.render("accounts/forgot.html", sent=sent)


@router.get("/compte/reinitialiser")
async def reset_page(web: AnyVisitor, jeton: str = "") -> Response:
    return web.render("accounts/reset.html", token=jeton)


@router.post("/compte/reinitialiser")
async def reset(web: AnyVisitor) -> Response:
    form = await web.form()
    token, password = str(form.get("jeton", "")), str(form.get("new_password", ""))
    errors = required({"new_password": password}, "new_password")
    if errors:
        return web.render("accounts/reset.html", 422, token=token, errors=errors)
    try:
        await web.ctx.identity.reset_password(token, password)
    except ApiError as error:
        if error.status not in (400, 404, 410, 422):
            raise
        if error.status == 422 and error.fields:
            return web.render("accounts/reset.html", 422, token=token, errors=form_errors(error))
        message = "Ce lien n'est plus valable (déjà utilisé ou expiré) : demandez-en un nouveau."
        return web.render("accounts/reset.html", 422, token=token, errors=FormErrors(message=message))
    return web.redirect("/connexion", "Votre mot de passe est changé : connectez-vous avec le nouveau.")


@router.get("/profil")
async def profile(web: SignedIn) -> Response:
    return web.render("accounts/profile.html", title="Mon compte")


@router.post("/profil")
async def update_profile(web: SignedIn) -> Response:
    form = await web.form()
    values = {k: str(form.get(k, "")) for k in ("full_name", "phone")}
    errors = required(values, "full_name")
    if not errors:
        try:
            await web.ctx.identity.update_profile(web.token, values["full_name"], values["phone"])
        except ApiError as error:
            if error.status != 422:
                raise
            errors = form_errors(error)
    if errors:
        return web.render("accounts/profile.html", 422, errors=errors)
    assert web.session is not None
    sessions.forget_memberships(web.session)
    return web.redirect("/profil", "Votre profil est enregistré.")


@router.post("/profil/mot-de-passe")
async def change_password(web: SignedIn) -> Response:
    form = await web.form()
    values = {k: str(form.get(k, "")) for k in ("current_password", "new_password")}
    errors = required(values, "current_password", "new_password")
    if not errors:
        try:
            await web.ctx.identity.change_password(web.token, values["current_password"], values["new_password"])
        except ApiError as error:
            if error.status not in (401, 403, 422, 429):
                raise
            errors = form_errors(error) if error.fields else FormErrors(message=error.message, labels=LABELS)
    if errors:
        return web.render("accounts/profile.html", 422, errors=errors)
    assert web.me is not None
    web.ctx.sessions.drop(web.request.cookies.get(web.ctx.settings.session_cookie, ""))
    web.ctx.sessions.drop_account(str(web.me.id))  # identity closed every session: none is kept here either
    response = web.redirect("/connexion", "Votre mot de passe est changé : reconnectez-vous.")
    web.clear_session_cookie(response)
    return response
