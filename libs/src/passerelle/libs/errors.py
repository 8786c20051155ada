"""One error model for every service: domain errors carry a kind, never an HTTP status.

A use case raises `NotFound`, `Conflict`, `InvalidInput`... (or a subclass with its own machine code and
French message); `install_error_handlers` maps each kind to its status and renders the one JSON shape:

    {"error": {"code": "...", "message": "<French, for people>", "fields": [{"path", "code", "message"}]}}

This module imports no web framework, so a `domain/` package may use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from fastapi import FastAPI


class ErrorKind(StrEnum):
    """What went wrong, as a caller sees it; `STATUS_OF_KIND` gives its HTTP status."""

    INVALID = "invalid"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    PRECONDITION_FAILED = "precondition_failed"  # the If-Match version is not the current one
    PRECONDITION_REQUIRED = "precondition_required"  # a write that needs If-Match came without it
    GONE = "gone"
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"


STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 422,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.PRECONDITION_FAILED: 412,
    ErrorKind.PRECONDITION_REQUIRED: 428,
    ErrorKind.GONE: 410,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED: 415,
    ErrorKind.THROTTLED: 429,
    ErrorKind.UNAVAILABLE: 503,
}
_KIND_OF_STATUS = {status: kind for kind, status in STATUS_OF_KIND.items()}

# FastAPI's own English answer when a body cannot be decoded at all (the input guard catches most first).
FASTAPI_BODY_ERROR = "There was an error parsing the body"


@dataclass(frozen=True)
class FieldError:
    """One wrong field: its path in the request (`tutors[0].birth_date`), a machine code, a French message."""

    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


class DomainError(Exception):
    """Base of every error a use case raises for its caller to see.

    Subclasses set `kind`, `code` and `message` as class attributes (or pass them); `fields` says which
    inputs are wrong, `details` adds machine-readable facts (`{"organisation_id": ...}`), `extra` adds keys
    next to `code` in the JSON body, `retry_after` (seconds) becomes a Retry-After header.
    """

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID
    code: str = "error"
    message: str = "La demande n'a pas pu être traitée."

    def __init__(
        self,
        message: str | None = None,
        code: str | None = None,
        *,
        fields: Sequence[FieldError] = (),
        details: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        self.fields = list(fields)
        self.details = dict(details or {})
        self.extra = dict(extra or {})
        self.retry_after = retry_after
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    @property
    def status_code(self) -> int:
        return STATUS_OF_KIND[self.kind]

    def headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        if self.kind == ErrorKind.UNAUTHENTICATED:
            headers["WWW-Authenticate"] = "Bearer"
        return headers

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "fields": [f.as_dict() for f in self.fields],
        }
        if self.details:
            body["details"] = self.details
        body.update(self.extra)
        return {"error": body}


class InvalidInput(DomainError):
    kind = ErrorKind.INVALID
    code = "invalid_input"
    message = "Certaines informations sont invalides."

    def __init__(self, fields: Sequence[FieldError] = (), message: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code, fields=fields)

    @classmethod
    def one(cls, path: str, code: str, message: str) -> InvalidInput:
        """A single wrong field; the error's message is the field's."""
        return cls([FieldError(path, code, message)], message=message)


class Unauthorized(DomainError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "unauthorized"
    message = "Authentification requise ou jeton invalide."


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = "forbidden"
    message = "Vous n'avez pas accès à cette ressource."


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"
    message = "Ressource introuvable."


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    code = "conflict"
    message = "Cette action entre en conflit avec l'état actuel."


class PreconditionFailed(DomainError):
    kind = ErrorKind.PRECONDITION_FAILED
    code = "precondition_failed"


class PreconditionRequired(DomainError):
    kind = ErrorKind.PRECONDITION_REQUIRED
    code = "precondition_required"


class Gone(DomainError):
    kind = ErrorKind.GONE
    code = "gone"
    message = "Cette ressource n'existe plus."


class TooLarge(DomainError):
    kind = ErrorKind.TOO_LARGE
    code = "too_large"
    message = "La demande est trop volumineuse."


class Unsupported(DomainError):
    kind = ErrorKind.UNSUPPORTED
    code = "unsupported"
    message = "Ce type de contenu n'est pas accepté."


class Throttled(DomainError):
    kind = ErrorKind.THROTTLED
    code = "throttled"
    message = "Trop de demandes. Réessayez plus tard."


class Unavailable(DomainError):
    kind = ErrorKind.UNAVAILABLE
    code = "unavailable"
    message = "Le service est momentanément indisponible, veuillez réessayer."


class PasserelleError(DomainError):
    """The former base, with an explicit HTTP status: kept while services move to kinds. Prefer a kind."""

    def __init__(
        self,
        message: str,
        code: str = "error",
        status_code: int = 400,
        fields: Sequence[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code, fields=fields or (), extra=extra)
        self._status_code = status_code

    @property
    def kind(self) -> ErrorKind:  # type: ignore[override]
        return _KIND_OF_STATUS.get(self._status_code, ErrorKind.INVALID)

    @property
    def status_code(self) -> int:
        return self._status_code


_FRENCH: dict[str, str] = {
    "missing": "Ce champ est obligatoire.",
    "extra_forbidden": "Ce champ n'est pas attendu.",
    "string_type": "Une chaîne de caractères est attendue.",
    "string_too_short": "Le texte est trop court (au moins {min_length} caractères).",
    "string_too_long": "Le texte est trop long (au plus {max_length} caractères).",
    "string_pattern_mismatch": "Le format est invalide.",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "float_type": "Un nombre est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "decimal_parsing": "Un nombre est attendu.",
    "bool_type": "Une valeur oui/non est attendue.",
    "bool_parsing": "Une valeur oui/non est attendue.",
    "date_type": "Une date est attendue (AAAA-MM-JJ).",
    "date_parsing": "Une date valide est attendue (AAAA-MM-JJ).",
    "date_from_datetime_parsing": "Une date valide est attendue (AAAA-MM-JJ).",
    "datetime_parsing": "Une date et heure valides sont attendues.",
    "datetime_type": "Une date et heure sont attendues.",
    "uuid_parsing": "Un identifiant valide est attendu.",
    "uuid_type": "Un identifiant valide est attendu.",
    "enum": "Valeur non autorisée (valeurs possibles : {expected}).",
    "literal_error": "Valeur non autorisée (valeurs possibles : {expected}).",
    "greater_than_equal": "La valeur doit être supérieure ou égale à {ge}.",
    "greater_than": "La valeur doit être supérieure à {gt}.",
    "less_than_equal": "La valeur doit être inférieure ou égale à {le}.",
    "less_than": "La valeur doit être inférieure à {lt}.",
    "value_error": "Valeur invalide : {error}.",
    "list_type": "Une liste est attendue.",
    "dict_type": "Un objet est attendu.",
    "model_type": "Un objet est attendu.",
    "model_attributes_type": "Un objet est attendu.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "too_short": "Il faut au moins {min_length} élément(s).",
    "too_long": "Il faut au plus {max_length} élément(s).",
}


def french_message(error: dict[str, Any]) -> str:
    ctx = {k: v for k, v in (error.get("ctx") or {}).items()}
    if isinstance(ctx.get("french"), str):
        # A service's own check (PydanticCustomError with a `french` context) already says it in French.
        return str(ctx["french"])
    template = _FRENCH.get(error.get("type", ""))
    if template is None:
        return "Valeur invalide."
    if isinstance(ctx.get("expected"), str):
        # Pydantic lists choices in English ("'a', 'b' or 'c'").
        ctx["expected"] = ctx["expected"].replace("' or '", "' ou '")
    if "error" in ctx:
        ctx["error"] = str(ctx["error"]).removeprefix("Value error, ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split(" (")[0].rstrip(".") + "."


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """`('body', 'tutors', 0, 'birth_date')` -> `tutors[0].birth_date`."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "body"


def validation_field_errors(errors: list[dict[str, Any]]) -> list[FieldError]:
    return [
        FieldError(path=field_path(e["loc"]), code=e.get("type", "invalid"), message=french_message(e)) for e in errors
    ]


class ConcurrentChange(Conflict):
    code = "concurrent_change"
    message = "Une autre modification simultanée a eu lieu : réessayez."


_HTTP_MESSAGES = {
    400: "Requête invalide.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée.",
    401: "Authentification requise.",
    413: "La demande est trop volumineuse.",
    415: "Type de contenu non pris en charge.",
}


def install_error_handlers(app: FastAPI) -> None:
    """Every service's one mapping: kind -> status, the one JSON shape, French messages."""
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from sqlalchemy.exc import IntegrityError, OperationalError
    from sqlalchemy.exc import TimeoutError as SqlPoolTimeout
    from starlette.exceptions import HTTPException as StarletteHTTPException

    def render(error: DomainError) -> JSONResponse:
        return JSONResponse(error.as_dict(), status_code=error.status_code, headers=error.headers())

    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return render(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return render(InvalidInput(validation_field_errors(list(exc.errors()))))

    @app.exception_handler(IntegrityError)
    async def _concurrent_change(_: Request, exc: IntegrityError) -> JSONResponse:
        # A uniqueness rule caught two simultaneous changes (the same address registered twice at once...).
        return render(ConcurrentChange())

    @app.exception_handler(OperationalError)
    @app.exception_handler(SqlPoolTimeout)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database is restarting or unreachable: nothing was written (the unit of work rolled back), the caller
        # may try again shortly, as from a load balancer's 503, never a 500.
        from passerelle.libs.logging import get_logger

        get_logger(__name__).warning(
            "database unavailable", path=request.url.path, method=request.method, error=type(exc).__name__
        )
        response = render(Unavailable())
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == FASTAPI_BODY_ERROR:
            unreadable = PasserelleError(
                "La requête n'est pas lisible.",
                "body_unreadable",
                400,
                [FieldError("body", "body_unreadable", "Le corps de la requête n'a pas pu être lu.")],
            )
            return render(unreadable)
        message = (
            exc.detail
            if isinstance(exc.detail, str) and exc.status_code not in _HTTP_MESSAGES
            else _HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
        )
        return JSONResponse(
            {"error": {"code": f"http_{exc.status_code}", "message": message, "fields": []}},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> JSONResponse:
        # Never a traceback or an English text: the cause goes to the log, the caller gets the shape of every error.
        from passerelle.libs.logging import get_logger

        get_logger(__name__).exception("unhandled error", path=request.url.path, method=request.method)
        body = {"error": {"code": "internal_error", "message": "Une erreur interne est survenue.", "fields": []}}
        return JSONResponse(body, status_code=500)
