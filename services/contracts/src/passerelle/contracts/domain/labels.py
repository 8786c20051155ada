"""Every answer's French label, whatever the contract holds: the catalogue's questions (fields.py) and the answers
that are not questions (the pay schedule's rows, the training organisation's contacts), kept as data in
`answer_labels.json`. The field registry (`GET /referentials/fields`) serves both: other services name a field to
people with it (the OPCO's letters, its back office)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .codes import ContractType
from .fields import CATALOGUE
from .tabs import Tab, tab_of

_DATA_FILE = "answer_labels.json"


@dataclass(frozen=True, slots=True)
class AnswerLabel:
    path: str  # dotted; `[]` stands for every row of a list (`tutors[].last_name`)
    label: str
    contract_types: frozenset[ContractType]

    @property
    def tab(self) -> Tab:
        return tab_of(self.path)


@lru_cache(maxsize=1)
def answers_not_asked() -> tuple[AnswerLabel, ...]:
    raw = json.loads(resources.files(__package__).joinpath(_DATA_FILE).read_text(encoding="utf-8"))
    return tuple(
        AnswerLabel(item["path"], item["label"], frozenset(ContractType(t) for t in item["contract_types"]))  # type: ignore[call-arg]
        for item in raw["labels"]
    )


@lru_cache(maxsize=1)
def field_registry() -> tuple[AnswerLabel, ...]:
    """The catalogue's questions, then the other answers, each path once."""
    asked = tuple(AnswerLabel(spec.path, spec.label, spec.applies_to) for spec in CATALOGUE)
    known = {a.path for a in asked}
    return asked + tuple(a for a in answers_not_asked() if a.path not in known)
