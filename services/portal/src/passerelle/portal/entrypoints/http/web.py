"""What every page shares: the templates, the request's session, CSRF on every form, rendering and redirects."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.adapters.identity import Me
from passerelle.portal.domain.backoffice import opco_staff
from passerelle.portal.domain.errors import FormErrors, field_id
from passerelle.portal.domain.forms import format_date
from passerelle.portal.service_layer import sessions
from passerelle.portal.service_layer.context import PortalContext
from passerelle.portal.service_layer.sessions import ActiveSession

PACKAGE = Path(__file__).resolve().parents[2]
# Autoescape on for every template: whatever a person typed is shown as text, never as markup.
_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(PACKAGE / "templates")), autoescape=True, auto_reload=False
)
templates = Jinja2Templates(env=_environment)
templates.env.filters["date_fr"] = format_date
templates.env.globals["field_id"] = field_id
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class CsrfRejected(Exception):
    pass


DASHBOARD = "/tableau-de-bord"
BACK_OFFICE = "/instruction"


def landing(me: Me | None) -> str:
    """Where a person lands when nothing else was asked: OPCO staff on the back office, everyone else on the
    dashboard of their contracts."""
    if me is not None and opco_staff(me.memberships) is not None:
        return BACK_OFFICE
    return DASHBOARD


def safe_next(url: str | None, default: str = DASHBOARD) -> str:
    """Only a path of this site may follow a login (never another site: no open redirect)."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return default
    return url


class Web:
    """One request seen by a page: its context, its session, its CSRF token, and how to answer."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.ctx: PortalContext = request.app.state.service.context
        self.session: ActiveSession | None = None
        self.me: Me | None = None
        self.unread: int | None = None
        token = request.cookies.get(self.ctx.settings.csrf_cookie, "")
        self.csrf_token = token if len(token) >= 32 else secrets.token_urlsafe(32)
        self.new_csrf = token != self.csrf_token
        request.state.web = self

    async def load_session(self) -> ActiveSession | None:
        cookie = self.request.cookies.get(self.ctx.settings.session_cookie)
        self.session = await sessions.current_session(self.ctx, cookie)
        if self.session is not None:
            try:
                self.me = await sessions.who_am_i(self.ctx, self.session)
                self.unread = await sessions.unread_count(self.ctx, self.session)
            except ApiError as error:
                if error.status != 401:
                    raise
                self.session = None
        return self.session

    def require(self) -> ActiveSession:
        if self.session is None or self.me is None:
            url = self.request.url
            raise LoginRequired(url.path + (f"?{url.query}" if url.query else ""))
        return self.session

    @property
    def token(self) -> str:
        return self.require().token

    async def form(self) -> FormData:
        """The posted form, once its CSRF token is checked (double submit: the cookie and the hidden field)."""
        data = await self.request.form()
        posted = str(data.get(CSRF_FIELD, ""))
        cookie = self.request.cookies.get(self.ctx.settings.csrf_cookie, "")
        if not cookie or not hmac.compare_digest(posted.encode(), cookie.encode()):
            raise CsrfRejected()
        return data

    def render(self, template: str, status_code: int = 200, **values: Any) -> Response:
        settings = self.ctx.settings
        context = {
            "request": self.request,
            "me": self.me,
            "unread": self.unread,
            "csrf_token": self.csrf_token,
            "csrf_field": CSRF_FIELD,
            "theme": settings.theme,
            "site_name": settings.site_name,
            "errors": values.pop("errors", None) or FormErrors(),
            "flash": self.request.query_params.get("message"),
            "current_path": self.request.url.path,
            **values,
        }
        response = templates.TemplateResponse(self.request, template, context, status_code=status_code)
        return self.finish(response)

    def redirect(self, url: str, message: str | None = None) -> Response:
        if message:
            url += ("&" if "?" in url else "?") + "message=" + quote(message)
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, response: Response) -> Response:
        settings = self.ctx.settings
        secure = settings.secure_cookies
        if self.new_csrf:
            response.set_cookie(
                settings.csrf_cookie, self.csrf_token, httponly=True, samesite="strict", secure=secure, path="/"
            )
        if self.session is not None and self.session.rotated:
            self.set_session_cookie(response, self.session.refresh_token, self.session.entry.refresh_expires_in)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def set_session_cookie(self, response: Response, refresh_token: str, max_age: int) -> None:
        settings = self.ctx.settings
        response.set_cookie(
            settings.session_cookie,
            refresh_token,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/",
        )

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(self.ctx.settings.session_cookie, path="/")
        self.session = None


async def _web(request: Request) -> Web:
    web = Web(request)
    await web.load_session()
    return web


async def _signed_in(request: Request) -> Web:
    web = await _web(request)
    web.require()
    return web


AnyVisitor = Annotated[Web, Depends(_web)]
SignedIn = Annotated[Web, Depends(_signed_in)]
