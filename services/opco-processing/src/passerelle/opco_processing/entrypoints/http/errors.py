"""The error shape in the OpenAPI document (libs maps each domain error's kind to its status)."""

from __future__ import annotations

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
                        "properties": {
                            "path": {"type": "string"},
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}


def responses(*codes: int) -> dict[int | str, dict[str, object]]:
    labels = {
        401: "Jeton absent ou invalide",
        403: "Rôle insuffisant ou hors OPCO",
        404: "Dossier introuvable",
        409: "Action impossible dans l'état du dossier",
        422: "Données invalides",
    }
    return {c: {"description": labels[c], "content": {"application/json": {"schema": ERROR_SCHEMA}}} for c in codes}
