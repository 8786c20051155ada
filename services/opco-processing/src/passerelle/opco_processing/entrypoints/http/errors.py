"""Domain errors (a kind, a code, a French message, a field) as the platform's one JSON error shape."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from passerelle.libs.errors import FieldError, PasserelleError
from passerelle.opco_processing.domain.errors import CaseError

STATUS = {"invalid": 422, "conflict": 409, "not_found": 404, "forbidden": 403}


def as_platform_error(exc: CaseError) -> PasserelleError:
    fields = [FieldError(path=exc.field, code=exc.code, message=exc.message)] if exc.field else []
    return PasserelleError(message=exc.message, code=exc.code, status_code=STATUS.get(exc.kind, 400), fields=fields)


def install(app: FastAPI) -> None:
    @app.exception_handler(CaseError)
    async def _case_error(_: Request, exc: CaseError) -> JSONResponse:
        error = as_platform_error(exc)
        return JSONResponse(error.as_dict(), status_code=error.status_code)


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "En français, pour les personnes"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"path": {"type": "string"}, "code": {"type": "string"},
                                       "message": {"type": "string"}},
                    },
                },
            },
        }
    },
}


def responses(*codes: int) -> dict[int | str, dict[str, object]]:
    labels = {401: "Jeton absent ou invalide", 403: "Rôle insuffisant ou hors OPCO", 404: "Dossier introuvable",
              409: "Action impossible dans l'état du dossier", 422: "Données invalides"}
    return {
        c: {"description": labels[c], "content": {"application/json": {"schema": ERROR_SCHEMA}}} for c in codes
    }
