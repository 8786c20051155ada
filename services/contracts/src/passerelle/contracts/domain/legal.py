"""Legal parameters in force on a date, read from the versioned data file `legal_parameters.json`.

Rules never hold a legal figure themselves: they ask `parameter(name, on)` for the version in force on the
contract's relevant date, and quote its `reference` in what they tell people.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

_DATA_FILE = "legal_parameters.json"


@dataclass(frozen=True, slots=True)
class LegalParameter:
    """One version of a legal parameter: its value, the day it took effect and the text behind it."""

    name: str
    value: Any
    effective_from: date
    reference: str


class ParameterNotInForce(LookupError):
    """No version of the parameter was in force on the requested date (or the name is unknown)."""

    def __init__(self, name: str, on: date) -> None:
        super().__init__(f"legal parameter {name!r} has no value in force on {on.isoformat()}")
        self.name = name
        self.on = on


def _convert(value: Any) -> Any:
    # Amounts are stored as strings so that they stay exact decimals.
    if isinstance(value, str):
        return Decimal(value)
    if isinstance(value, dict):
        return {key: _convert(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(_convert(item) for item in value)
    return value


class LegalParameters:
    """Every version of every legal parameter, looked up by name and date."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._versions: dict[str, tuple[LegalParameter, ...]] = {}
        self._starts: dict[str, tuple[date, ...]] = {}
        for name, versions in raw.items():
            if name.startswith("_"):
                continue
            items = sorted(
                (
                    LegalParameter(
                        name=name,
                        value=_convert(version["value"]),
                        effective_from=date.fromisoformat(version["effective_from"]),
                        reference=version["reference"],
                    )
                    for version in versions
                ),
                key=lambda item: item.effective_from,
            )
            self._versions[name] = tuple(items)
            self._starts[name] = tuple(item.effective_from for item in items)
        self._cache: dict[tuple[str, date], LegalParameter] = {}
        self._earliest: date | None = None

    @classmethod
    def from_package(cls) -> LegalParameters:
        text = resources.files(__package__).joinpath(_DATA_FILE).read_text(encoding="utf-8")
        return cls(json.loads(text))

    def names(self) -> tuple[str, ...]:
        return tuple(self._versions)

    def versions(self, name: str) -> tuple[LegalParameter, ...]:
        return self._versions.get(name, ())

    def at(self, name: str, on: date) -> LegalParameter:
        """The version of `name` in force on `on`."""
        key = (name, on)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        starts = self._starts.get(name)
        if not starts:
            raise ParameterNotInForce(name, on)
        index = bisect_right(starts, on) - 1
        if index < 0:
            raise ParameterNotInForce(name, on)
        found = self._versions[name][index]
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[key] = found
        return found

    def value(self, name: str, on: date) -> Any:
        return self.at(name, on).value

    def earliest_complete_date(self) -> date:
        """The first day on which every parameter has a version in force."""
        if self._earliest is None:
            self._earliest = max(starts[0] for starts in self._starts.values() if starts)
        return self._earliest

    def change_dates(self, name: str, start: date, end: date) -> tuple[date, ...]:
        """The days strictly after `start` and up to `end` on which a new version of `name` takes effect."""
        return tuple(day for day in self._starts.get(name, ()) if start < day <= end)


@lru_cache(maxsize=1)
def legal_parameters() -> LegalParameters:
    """The parameters shipped with the package (loaded once)."""
    return LegalParameters.from_package()


def parameter(name: str, on: date) -> LegalParameter:
    return legal_parameters().at(name, on)


def value(name: str, on: date) -> Any:
    return legal_parameters().at(name, on).value
