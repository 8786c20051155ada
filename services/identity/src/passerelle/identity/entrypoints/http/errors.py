"""Turns the identity context's errors into the platform's one JSON error shape and their HTTP status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from passerelle.identity.domain.errors import IdentityError, InvalidInput
from passerelle.libs.errors import FieldError, PasserelleError

STATUS = {
    "invalid": 422,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "gone": 410,
    "throttled": 429,
}


def as_passerelle_error(exc: IdentityError) -> PasserelleError:
    fields = []
    if isinstance(exc, InvalidInput):
        fields = [FieldError(p.path, p.code, p.message) for p in exc.problems]
    extra = {"details": exc.details} if exc.details else {}
    return PasserelleError(
        message=exc.message, code=exc.code, status_code=STATUS.get(exc.category, 400), fields=fields, extra=extra
    )


def install_identity_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(IdentityError)
    async def _identity_error(_: Request, exc: IdentityError) -> JSONResponse:
        error = as_passerelle_error(exc)
        headers = {}
        if exc.category == "throttled":
            headers["Retry-After"] = str(getattr(exc, "retry_after_seconds", 60))
        if exc.category == "unauthenticated":
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(error.as_dict(), status_code=error.status_code, headers=headers)

    @app.exception_handler(IntegrityError)
    async def _concurrent_change(_: Request, exc: IntegrityError) -> JSONResponse:
        # A uniqueness rule caught two simultaneous changes (the same address registered twice at once...).
        error = PasserelleError(
            message="Une autre modification simultanée a eu lieu : réessayez.",
            code="concurrent_change",
            status_code=409,
        )
        return JSONResponse(error.as_dict(), status_code=409)
