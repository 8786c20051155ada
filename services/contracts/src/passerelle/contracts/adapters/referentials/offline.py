"""Directories read from the JSON files next to this module (no network): for development, demos and tests."""

from __future__ import annotations

import json
import unicodedata
from importlib import resources
from typing import Any

from passerelle.contracts.domain.codes import EmployerSector, EmployerType, QualificationLevel
from passerelle.contracts.domain.identifiers import compact
from passerelle.contracts.domain.referentials import EstablishmentAddress, EstablishmentRecord, QualificationRecord
from passerelle.schemas.referentials import idcc_opco


def _load(name: str) -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _establishment(raw: dict[str, Any]) -> EstablishmentRecord:
    address = raw.get("address") or {}
    return EstablishmentRecord(
        siret=raw["siret"],
        name=raw["name"],
        address=EstablishmentAddress(
            number=address.get("number"),
            street=address.get("street"),
            postcode=address.get("postcode"),
            city=address.get("city"),
            complement=address.get("complement"),
        ),
        naf_code=raw.get("naf_code"),
        idcc=raw.get("idcc"),
        headcount=raw.get("headcount"),
        employer_type=EmployerType(raw["employer_type"]) if raw.get("employer_type") else None,
        employer_sector=EmployerSector(raw["employer_sector"]) if raw.get("employer_sector") else None,
        uai=raw.get("uai"),
        training_organisation=bool(raw.get("training_organisation")),
        supplementary_pension_fund=raw.get("supplementary_pension_fund"),
        phone=raw.get("phone"),
        email=raw.get("email"),
    )


class OfflineEstablishmentDirectory:
    """`EstablishmentDirectory` over `establishments.json`."""

    def __init__(self, records: list[EstablishmentRecord] | None = None) -> None:
        if records is None:
            records = [_establishment(item) for item in _load("establishments.json")["establishments"]]
        self._by_siret = {record.siret: record for record in records}
        self._by_uai = {record.uai: record for record in records if record.uai}

    def find_by_siret(self, siret: str) -> EstablishmentRecord | None:
        return self._by_siret.get(compact(siret))

    def find_by_uai(self, uai: str) -> EstablishmentRecord | None:
        return self._by_uai.get(compact(uai))

    def establishments_of(self, siren: str) -> list[EstablishmentRecord]:
        siren = compact(siren)
        return [record for siret, record in sorted(self._by_siret.items()) if siret.startswith(siren)]

    def all(self) -> list[EstablishmentRecord]:
        return list(self._by_siret.values())


class OfflineQualificationDirectory:
    """`QualificationDirectory` over `qualifications.json`."""

    def __init__(self, records: list[QualificationRecord] | None = None) -> None:
        if records is None:
            records = [
                QualificationRecord(
                    rncp_code=item["rncp_code"],
                    diploma_code=item.get("diploma_code"),
                    title=item["title"],
                    diploma_type=item.get("diploma_type"),
                    level=QualificationLevel(item["level"]) if item.get("level") else None,
                )
                for item in _load("qualifications.json")["qualifications"]
            ]
        self._records = records
        self._by_rncp = {record.rncp_code: record for record in records}
        self._by_cfd = {record.diploma_code: record for record in records if record.diploma_code}

    def find_by_rncp(self, rncp_code: str) -> QualificationRecord | None:
        return self._by_rncp.get(rncp_code.strip().upper().replace(" ", ""))

    def find_by_diploma_code(self, diploma_code: str) -> QualificationRecord | None:
        return self._by_cfd.get(diploma_code.strip().upper())

    def search(self, text: str, limit: int = 10) -> list[QualificationRecord]:
        words = _fold(text).split()
        found = [r for r in self._records if all(word in _fold(f"{r.rncp_code} {r.title}") for word in words)]
        return found[:limit]

    def all(self) -> list[QualificationRecord]:
        return list(self._records)


class OfflineOpcoDirectory:
    """The platform's one IDCC → OPCO table (shipped in contracts-schemas, versioned, with its source and date),
    which opco-processing routes by too."""

    def __init__(self) -> None:
        self._table = idcc_opco()
        self.version = self._table.version

    def opco_for(self, idcc: str | None) -> str | None:
        agreement = self._table.agreement(idcc)
        return agreement.opco_code if agreement else None

    def agreement_label(self, idcc: str | None) -> str | None:
        agreement = self._table.agreement(idcc)
        return agreement.label if agreement else None
