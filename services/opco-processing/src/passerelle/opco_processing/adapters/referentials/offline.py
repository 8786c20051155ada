"""The registers shipped with the service as dated JSON files (no network); a live source replaces them
through the same `Referentials` port."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from passerelle.opco_processing.domain.referentials import (
    Certification,
    FundingLevel,
    OpcoIdentity,
    Routing,
    TrainingOrganisationRecord,
)
from passerelle.schemas.referentials import idcc_opco


@lru_cache(maxsize=8)
def _load(name: str) -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


class OfflineReferentials:
    def __init__(self) -> None:
        # The platform's one IDCC → OPCO table (contracts-schemas), also read by contracts.
        self._routing = idcc_opco()
        self._certs = _load("certifications.json")
        self._orgs = _load("training_organisations.json")
        self.version = "/".join([self._routing.version, self._certs["version"], self._orgs["version"]])
        self.sources = {
            "idcc_opco": {"source": self._routing.source, "date": self._routing.published_on.isoformat()},
            "certifications": {"source": self._certs["_source"], "date": self._certs["_date"]},
            # The shipped NPEC amounts are examples, not the published ones: said wherever the sources are shown.
            "npec": {"source": self._certs["_npec_values"], "date": self._certs["_date"]},
            "training_organisations": {"source": self._orgs["_source"], "date": self._orgs["_date"]},
        }

    def route(self, idcc: str | None, fallback: str | None) -> Routing:
        agreement = self._routing.agreement(idcc)
        if agreement is not None:
            return Routing(agreement.opco_code, agreement.label, idcc, "idcc", self._routing.version)
        return Routing(fallback or "OPCOMMERCE", None, idcc, "fallback", self._routing.version)

    def opco(self, code: str) -> OpcoIdentity:
        known = self._routing.opco(code)
        return OpcoIdentity(code, known.name, known.city) if known else OpcoIdentity(code, code, "")

    def certification(self, rncp_code: str) -> Certification | None:
        raw = self._certs["certifications"].get(rncp_code)
        if raw is None:
            return None
        return Certification(
            rncp_code,
            raw["title"],
            raw["level"],
            date.fromisoformat(raw["registered_from"]),
            date.fromisoformat(raw["registered_until"]),
            bool(raw["apprenticeship"]),
        )

    def training_organisation(self, siret: str) -> TrainingOrganisationRecord | None:
        raw = self._orgs["organisations"].get(siret)
        if raw is None:
            return None
        until = raw.get("qualiopi_until")
        return TrainingOrganisationRecord(
            siret,
            raw["name"],
            date.fromisoformat(until) if until else None,
            bool(raw.get("apprenticeship_actions")),
            frozenset(raw.get("certifications", ())),
        )

    def funding_level(self, rncp_code: str, idcc: str | None, on: date) -> FundingLevel | None:
        rows = [
            r
            for r in self._certs["npec"]
            if r["rncp"] == rncp_code and r["idcc"] in (idcc, None) and date.fromisoformat(r["effective_from"]) <= on
        ]
        if not rows:
            return None
        # The branch's own level wins over the default one; the newest version in force.
        rows.sort(key=lambda r: (r["idcc"] is not None, r["effective_from"]))
        best = rows[-1]
        return FundingLevel(
            rncp_code,
            best["idcc"],
            Decimal(best["yearly_amount"]),
            date.fromisoformat(best["effective_from"]),
            self._certs["_source"],
        )
