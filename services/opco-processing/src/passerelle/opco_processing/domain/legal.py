"""Legal parameters of the review (periods, silence rules, controls), read from `legal_clocks.json`.

Code never holds a period or an article: it asks `clock_parameter(name, on)` for the version in force
on the day the file was received and quotes the version's reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class ClockParameter:
    name: str
    value: Any
    effective_from: date
    reference: str


class ParameterNotInForce(LookupError):
    def __init__(self, name: str, on: date) -> None:
        super().__init__(f"review parameter {name!r} has no value in force on {on.isoformat()}")


@lru_cache(maxsize=1)
def _versions() -> dict[str, tuple[ClockParameter, ...]]:
    raw = json.loads(resources.files(__package__).joinpath("legal_clocks.json").read_text(encoding="utf-8"))
    out: dict[str, tuple[ClockParameter, ...]] = {}
    for name, versions in raw.items():
        if name.startswith("_"):
            continue
        items = [
            ClockParameter(name, v["value"], date.fromisoformat(v["effective_from"]), v["reference"]) for v in versions
        ]
        out[name] = tuple(sorted(items, key=lambda p: p.effective_from))
    return out


def clock_parameter(name: str, on: date) -> ClockParameter:
    candidates = [p for p in _versions().get(name, ()) if p.effective_from <= on]
    if not candidates:
        raise ParameterNotInForce(name, on)
    return candidates[-1]


def parameter_names() -> tuple[str, ...]:
    return tuple(_versions())
