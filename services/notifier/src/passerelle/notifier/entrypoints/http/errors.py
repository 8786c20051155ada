"""Domain errors carry a kind; this maps kinds to HTTP statuses, in the platform's one error shape."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from passerelle.libs.errors import FieldError, PasserelleError
from passerelle.notifier.domain.errors import ErrorKind, NotifierError

STATUS = {ErrorKind.NOT_FOUND: 404, ErrorKind.FORBIDDEN: 403, ErrorKind.INVALID: 422, ErrorKind.CONFLICT: 409}


def as_http(error: NotifierError) -> PasserelleError:
    fields = [FieldError(error.path, error.code, error.message)] if error.path else []
    return PasserelleError(error.message, error.code, STATUS[error.kind], fields)


def install_notifier_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotifierError)
    async def _notifier_error(_: Request, exc: NotifierError) -> JSONResponse:
        http = as_http(exc)
        return JSONResponse(http.as_dict(), status_code=http.status_code)
