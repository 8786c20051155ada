"""Security headers on every response of every service (ASGI middleware).

- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, a Content-Security-Policy that lets nothing load
  (`frame-ancestors 'none'`), except on the interactive API docs, which load Swagger UI's script and styles;
- `Referrer-Policy: no-referrer`, `Cross-Origin-Resource-Policy: same-origin`, HSTS;
- `Cache-Control: no-store` unless the route chose its own: the APIs answer personal data and tokens, which no
  browser or proxy may keep.
uvicorn's `Server` header is turned off where the services are started (`--no-server-header`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = (
    b"default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# Web pages (the portal): their own styles, scripts, fonts and images, forms posted to themselves, nothing inline.
PAGE_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    b"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
DOCS_PATHS = ("/docs", "/redoc")
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, csp: bytes = API_CSP) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope.get("path", "").startswith(DOCS_PATHS) else self.csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                present = {k.lower() for k, _ in headers}
                for name, value in (*_ALWAYS, (b"content-security-policy", csp), (b"cache-control", b"no-store")):
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
