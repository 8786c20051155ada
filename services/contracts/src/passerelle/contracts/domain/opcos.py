"""Which OPCO reviews a contract: the one of the employer's branch, found by its collective agreement (IDCC).

The table is referential data (`opco_by_idcc.json`, with its version and reference); an agreement it does not
list (or no IDCC yet) goes to the platform's default OPCO.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    raw = json.loads(resources.files(__package__).joinpath("opco_by_idcc.json").read_text(encoding="utf-8"))
    return dict(raw["idcc"])


def opco_for(idcc: str | None, default: str) -> str:
    """The OPCO code for the employer's IDCC, else `default`."""
    return _table().get((idcc or "").strip(), default)
