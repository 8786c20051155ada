"""What every client of a platform service shares: one HTTP client, and the platform's error shape read once.

Every service answers an error as {"error": {"code", "message", "fields": [{"path", "code", "message"}], ...}};
`ApiError` carries it to the pages, which show it to people (never the JSON itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from passerelle.portal.domain.errors import FieldProblem

UNAVAILABLE = "Le service est momentanément indisponible. Réessayez dans quelques instants."


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    fields: list[FieldProblem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    @classmethod
    def of(cls, response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return cls(response.status_code, "http_error", _generic_message(response.status_code))
        problems = [
            FieldProblem(str(f.get("path", "")), str(f.get("code", "")), str(f.get("message", "")))
            for f in error.get("fields") or []
            if isinstance(f, dict)
        ]
        extra = {k: v for k, v in error.items() if k not in ("code", "message", "fields")}
        message = str(error.get("message") or _generic_message(response.status_code))
        return cls(response.status_code, str(error.get("code", "error")), message, problems, extra)


def _generic_message(status: int) -> str:
    if status == 401:
        return "Votre session a expiré : reconnectez-vous."
    if status == 403:
        return "Vous n'avez pas accès à cette page."
    if status == 404:
        return "Cette page ou ce dossier n'existe pas, ou plus."
    if status == 409:
        return "Cette action n'est pas possible dans l'état actuel du dossier."
    if status == 412:
        return "Le dossier a changé entre-temps : rechargez la page et recommencez."
    if status == 429:
        return "Trop de tentatives : patientez quelques minutes avant de réessayer."
    if status >= 500:
        return UNAVAILABLE
    return "La demande n'a pas pu être traitée."


class ServiceClient:
    """A client of one service's API. Calls raise ApiError for any answer that is not a success."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def request(
        self, method: str, path: str, token: str | None = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        try:
            response = await self.http.request(method, path, headers=all_headers, **kw)
        except httpx.HTTPError as exc:
            raise ApiError(503, "unavailable", UNAVAILABLE) from exc
        if response.status_code >= 400:
            raise ApiError.of(response)
        return response

    async def json(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        response = await self.request(method, path, token, **kw)
        return response.json() if response.content else None

    async def aclose(self) -> None:
        await self.http.aclose()
