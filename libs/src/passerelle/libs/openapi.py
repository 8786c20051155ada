"""Every service's OpenAPI document says what its routes answer when they refuse.

Each operation lists 401, 403, 404, 409 and 422 (the input guard and the kit's handlers can give any of
them on any route but the probes) with the platform's one error shape, `ErrorResponse`; FastAPI's own
`HTTPValidationError` (which the services never send) is replaced by it. A route that documents one of
these statuses itself keeps its own description, with the error shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_REF = "#/components/schemas/ErrorResponse"
ERROR_STATUSES: dict[str, str] = {
    "401": "Authentification requise : jeton absent, expiré, révoqué ou invalide.",
    "403": "Action non permise à votre rôle ou à votre organisation.",
    "404": "Ressource introuvable, ou que vous n'avez pas le droit de voir.",
    "409": "Conflit : la ressource a changé entre-temps, ou existe déjà.",
    "422": "Données invalides : chaque champ fautif est nommé, avec la raison en français.",
}
PUBLIC_PATHS = frozenset({"/health", "/ready"})

ERROR_SCHEMAS: dict[str, Any] = {
    "ErrorField": {
        "type": "object",
        "required": ["path", "code", "message"],
        "properties": {
            "path": {"type": "string", "description": "Chemin du champ fautif, par exemple `tutors[0].email`"},
            "code": {"type": "string", "description": "Code machine de l'erreur"},
            "message": {"type": "string", "description": "Message en français"},
        },
    },
    "ErrorBody": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "additionalProperties": True,
        "properties": {
            "code": {"type": "string", "description": "Code machine, stable"},
            "message": {"type": "string", "description": "Message en français, pour les personnes"},
            "fields": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorField"}},
            "details": {"type": ["object", "null"], "description": "Faits utiles aux programmes"},
        },
    },
    "ErrorResponse": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"$ref": "#/components/schemas/ErrorBody"}},
    },
}


def with_error_responses(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    components.update(ERROR_SCHEMAS)
    error_content = {"application/json": {"schema": {"$ref": ERROR_REF}}}
    for path, operations in spec.get("paths", {}).items():
        if path in PUBLIC_PATHS:
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                existing = responses.get(status)
                if existing is None:
                    responses[status] = {"description": description, "content": error_content}
                else:
                    existing["content"] = error_content
                    if existing.get("description") in (None, "", "Validation Error"):
                        existing["description"] = description
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return spec


def install_error_responses(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                openapi_version=app.openapi_version,
            )
            app.openapi_schema = with_error_responses(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
