"""One error base class with its HTTP status and machine code, and one JSON shape for every error.

{"error": {"code": "...", "message": "<French, for people>", "fields": [{"path", "code", "message"}]}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from passerelle.libs.logging import get_logger

log = get_logger(__name__)
FASTAPI_BODY_ERROR = "There was an error parsing the body"


@dataclass(frozen=True)
class FieldError:
    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass
class PasserelleError(Exception):
    """Base of every error a service turns into an HTTP answer."""

    message: str
    code: str = "error"
    status_code: int = 400
    fields: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "fields": [f.as_dict() for f in self.fields],
        }
        body.update(self.extra)
        return {"error": body}


class NotFound(PasserelleError):
    def __init__(self, message: str = "Ressource introuvable.", code: str = "not_found") -> None:
        super().__init__(message=message, code=code, status_code=404)


class Forbidden(PasserelleError):
    def __init__(self, message: str = "Vous n'avez pas accès à cette ressource.", code: str = "forbidden") -> None:
        super().__init__(message=message, code=code, status_code=403)


class Unauthorized(PasserelleError):
    def __init__(
        self, message: str = "Authentification requise ou jeton invalide.", code: str = "unauthorized"
    ) -> None:
        super().__init__(message=message, code=code, status_code=401)


class Conflict(PasserelleError):
    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message=message, code=code, status_code=409)


class InvalidInput(PasserelleError):
    def __init__(self, fields: list[FieldError], message: str = "Certaines informations sont invalides.") -> None:
        super().__init__(message=message, code="invalid_input", status_code=422, fields=fields)


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
    template = _FRENCH.get(error.get("type", ""))
    if template is None:
        return "Valeur invalide."
    ctx = {k: v for k, v in (error.get("ctx") or {}).items()}
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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PasserelleError)
    async def _domain_error(_: Request, exc: PasserelleError) -> JSONResponse:
        return JSONResponse(exc.as_dict(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(InvalidInput(validation_field_errors(list(exc.errors()))).as_dict(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == FASTAPI_BODY_ERROR:
            # FastAPI's own answer when the body cannot be decoded at all (the input guard catches most first).
            unreadable = PasserelleError(
                "La requête n'est pas lisible.",
                "body_unreadable",
                400,
                [FieldError("body", "body_unreadable", "Le corps de la requête n'a pas pu être lu.")],
            )
            return JSONResponse(unreadable.as_dict(), status_code=400)
        messages = {
            400: "Requête invalide.",
            401: "Authentification requise.",
            404: "Ressource introuvable.",
            405: "Méthode non autorisée.",
            413: "La requête est trop volumineuse.",
            415: "Type de contenu non pris en charge.",
        }
        message = (
            exc.detail
            if isinstance(exc.detail, str) and exc.status_code not in messages
            else messages.get(exc.status_code, str(exc.detail))
        )
        return JSONResponse(
            {"error": {"code": f"http_{exc.status_code}", "message": message, "fields": []}},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> JSONResponse:
        # Never a traceback or an English text: the cause goes to the log, the caller gets the shape of every error.
        log.exception("unhandled error", path=request.url.path, method=request.method)
        body = {"error": {"code": "internal_error", "message": "Une erreur interne est survenue.", "fields": []}}
        return JSONResponse(body, status_code=500)
