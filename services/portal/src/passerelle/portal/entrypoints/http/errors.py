"""Errors as pages a person can act on: never a stack trace, never a JSON blob."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from passerelle.libs.logging import get_logger
from passerelle.portal.adapters.api import ApiError
from passerelle.portal.entrypoints.http.web import CsrfRejected, LoginRequired, Web
from passerelle.portal.service_layer import sessions

log = get_logger(__name__)

# A token refused as revoked is renewed and the page asked again at most once in this time (a cookie says so).
REVOKED_RETRY_SECONDS = 60
RENEWED_COOKIE = "passerelle_renewed"

TITLES = {
    400: "La demande n'a pas pu être traitée",
    403: "Accès refusé",
    404: "Page non trouvée",
    409: "Action impossible",
    412: "Le dossier a changé entre-temps",
    429: "Trop de tentatives",
    500: "Erreur inattendue",
    503: "Service momentanément indisponible",
}

# The machine codes of a real concurrent change (someone else saved in between), whatever their status.
CONCURRENT_CODES = frozenset({"concurrent_change", "precondition_failed", "contract_version_outdated"})


def _web(request: Request) -> Web:
    found = getattr(request.state, "web", None)
    return found if isinstance(found, Web) else Web(request)


async def _signed_in_web(request: Request) -> Web:
    """The request's page helper; for a page that no route served (404), the person's session is read too, so the
    header still shows who is signed in."""
    found = getattr(request.state, "web", None)
    if isinstance(found, Web):
        return found
    web = Web(request)
    try:
        await web.load_session()
    except Exception:  # noqa: BLE001 - an error page must render even when identity does not answer
        web.session, web.me = None, None
    return web


def _api_title(exc: ApiError, status: int) -> str:
    """A 409 is most often a business rule (a transmitted contract cannot be archived...): its title must not
    claim the file changed meanwhile; that title is kept for a real version conflict (412, concurrent change)."""
    if exc.code in CONCURRENT_CODES:
        return TITLES[412]
    return TITLES.get(status, TITLES[400])


async def error_page(request: Request, status: int, message: str | None = None, title: str | None = None) -> Response:
    web = await _signed_in_web(request)
    template = {404: "errors/404.html", 500: "errors/500.html"}.get(status, "errors/error.html")
    return web.render(
        template, status_code=status, status=status, title=title or TITLES.get(status, TITLES[400]), detail=message
    )


def install_page_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        web = _web(request)
        response = web.redirect("/connexion?suite=" + exc.next_url.replace("&", "%26"))
        return response

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, exc: CsrfRejected) -> Response:
        message = "Le formulaire a expiré ou n'a pas été envoyé depuis ce site. Rechargez la page et recommencez."
        return await error_page(request, 400, message)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        if exc.status == 401:
            web = _web(request)
            session = web.session
            renewed = request.cookies.get(RENEWED_COOKIE) == "1"
            if exc.code == "token_revoked" and session is not None and request.method == "GET" and not renewed:
                # The access token predates a change of the person's rights (their organisation was verified by
                # the OPCO, a membership changed): the page is asked again with a renewed token, not a logout. A
                # renewed token refused again within the minute means the session itself is over.
                sessions.forget_memberships(session)
                url = request.url
                response = web.redirect(url.path + (f"?{url.query}" if url.query else ""))
                response.set_cookie(
                    RENEWED_COOKIE,
                    "1",
                    max_age=REVOKED_RETRY_SECONDS,
                    httponly=True,
                    samesite="lax",
                    secure=request.url.scheme == "https",
                )
                return response
            response = web.redirect("/connexion", "Votre session a expiré : reconnectez-vous.")
            response.delete_cookie(RENEWED_COOKIE)
            web.clear_session_cookie(response)
            return response
        if exc.status >= 500:
            log.warning("service call failed", status=exc.status, code=exc.code, path=request.url.path)
        status = exc.status if exc.status in TITLES else (503 if exc.status >= 500 else 400)
        return await error_page(request, status, exc.message, title=_api_title(exc, status))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return await error_page(request, 404)
        if exc.status_code == 405:
            return await error_page(request, 404)
        return await error_page(request, exc.status_code if exc.status_code in TITLES else 400)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return await error_page(request, 404 if request.method == "GET" else 400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("page failed", path=request.url.path)
        return await error_page(request, 500)
