"""Directories served by an HTTP referential service, falling back to the offline sample when it fails.

The service answers in the offline files' shape:
    GET {base}/establishments/{siret}          -> one establishment (404 when unknown)
    GET {base}/establishments?uai=...          -> one establishment
    GET {base}/establishments?siren=...        -> {"establishments": [...]}
    GET {base}/qualifications/{rncp}           -> one qualification
    GET {base}/qualifications?diploma_code=... -> one qualification
    GET {base}/qualifications?q=...&limit=...  -> {"qualifications": [...]}
Calls are synchronous (the routes run them in a worker thread) and bounded by a short timeout.
"""

from __future__ import annotations

from typing import Any

import httpx

from passerelle.contracts.domain.codes import QualificationLevel
from passerelle.contracts.domain.identifiers import compact
from passerelle.contracts.domain.referentials import EstablishmentRecord, QualificationRecord
from passerelle.libs.logging import get_logger

from .offline import OfflineEstablishmentDirectory, OfflineQualificationDirectory, _establishment

log = get_logger(__name__)


def _qualification(raw: dict[str, Any]) -> QualificationRecord:
    return QualificationRecord(
        rncp_code=raw["rncp_code"],
        diploma_code=raw.get("diploma_code"),
        title=raw["title"],
        diploma_type=raw.get("diploma_type"),
        level=QualificationLevel(str(raw["level"])) if raw.get("level") else None,
    )


class _Client:
    def __init__(self, base_url: str, timeout: float) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def get(self, path: str, **params: Any) -> dict[str, Any] | None:
        """The JSON answer; None when not found; raises httpx.HTTPError when the service fails."""
        response = self._client.get(path, params=params or None)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()


class HttpEstablishmentDirectory:
    def __init__(self, base_url: str, timeout: float = 3.0, fallback: OfflineEstablishmentDirectory | None = None):
        self._http = _Client(base_url, timeout)
        self._fallback = fallback or OfflineEstablishmentDirectory()

    def _one(self, path: str, **params: Any) -> EstablishmentRecord | None:
        raw = self._http.get(path, **params)
        return _establishment(raw) if raw else None

    def find_by_siret(self, siret: str) -> EstablishmentRecord | None:
        try:
            return self._one(f"/establishments/{compact(siret)}")
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.warning("establishment directory unavailable, offline sample used", error=repr(exc))
            return self._fallback.find_by_siret(siret)

    def find_by_uai(self, uai: str) -> EstablishmentRecord | None:
        try:
            return self._one("/establishments", uai=compact(uai))
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.warning("establishment directory unavailable, offline sample used", error=repr(exc))
            return self._fallback.find_by_uai(uai)

    def establishments_of(self, siren: str) -> list[EstablishmentRecord]:
        try:
            raw = self._http.get("/establishments", siren=compact(siren)) or {"establishments": []}
            return [_establishment(item) for item in raw["establishments"]]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.warning("establishment directory unavailable, offline sample used", error=repr(exc))
            return self._fallback.establishments_of(siren)


class HttpQualificationDirectory:
    def __init__(self, base_url: str, timeout: float = 3.0, fallback: OfflineQualificationDirectory | None = None):
        self._http = _Client(base_url, timeout)
        self._fallback = fallback or OfflineQualificationDirectory()

    def find_by_rncp(self, rncp_code: str) -> QualificationRecord | None:
        try:
            raw = self._http.get(f"/qualifications/{rncp_code.strip().upper().replace(' ', '')}")
            return _qualification(raw) if raw else None
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.warning("qualification directory unavailable, offline sample used", error=repr(exc))
            return self._fallback.find_by_rncp(rncp_code)

    def find_by_diploma_code(self, diploma_code: str) -> QualificationRecord | None:
        try:
            raw = self._http.get("/qualifications", diploma_code=diploma_code.strip().upper())
            return _qualification(raw) if raw else None
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.warning("qualification directory unavailable, offline sample used", error=repr(exc))
            return self._fallback.find_by_diploma_code(diploma_code)

    def search(self, text: str, limit: int = 10) -> list[QualificationRecord]:
        try:
            raw = self._http.get("/qualifications", q=text, limit=limit) or {"qualifications": []}
            return [_qualification(item) for item in raw["qualifications"]][:limit]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.warning("qualification directory unavailable, offline sample used", error=repr(exc))
            return self._fallback.search(text, limit)
