"""Referential data the platform's services share, shipped as versioned files (with their source and date).

`idcc_opco()` is the one IDCC → OPCO table: which OPCO is competent for an employer's collective agreement
(IDCC), the agreement's label, and the OPCOs' names. contracts reads it to address a new contract, and
opco-processing to route a transmitted one, each through its own adapter (a live source can replace it there);
no service imports another for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Agreement:
    """A collective agreement (convention collective) and the OPCO of its branch."""

    idcc: str
    opco_code: str
    label: str


@dataclass(frozen=True)
class OpcoName:
    code: str
    name: str
    city: str


@dataclass(frozen=True)
class IdccOpcoTable:
    version: str
    source: str
    published_on: date
    effective_from: date
    reference: str
    agreements: Mapping[str, Agreement]
    opcos: Mapping[str, OpcoName]

    def agreement(self, idcc: str | None) -> Agreement | None:
        """The agreement of an IDCC as the CERFA writes it (four digits; "843" is "0843"), or None."""
        code = (idcc or "").strip()
        if code.isdigit() and len(code) < 4:
            code = code.zfill(4)
        return self.agreements.get(code)

    def opco(self, code: str) -> OpcoName | None:
        return self.opcos.get(code)


@lru_cache(maxsize=1)
def idcc_opco() -> IdccOpcoTable:
    raw = json.loads(resources.files(__package__).joinpath("idcc_opco.json").read_text(encoding="utf-8"))
    return IdccOpcoTable(
        version=raw["version"],
        source=raw["_source"],
        published_on=date.fromisoformat(raw["_date"]),
        effective_from=date.fromisoformat(raw["effective_from"]),
        reference=raw["reference"],
        agreements={idcc: Agreement(idcc, entry["opco"], entry["branch"]) for idcc, entry in raw["idcc"].items()},
        opcos={code: OpcoName(code, entry["name"], entry["city"]) for code, entry in raw["opcos"].items()},
    )
