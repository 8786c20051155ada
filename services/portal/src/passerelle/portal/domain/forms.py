"""The contract form as HTML fields: how a question is typed in, and how posted fields become the tab's content.

Input names are the form's own field paths (`employer.address.postcode`, `tutors[0].email`), so an error the
contracts service reports on a path lands on the input of that name without any table in between.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from passerelle.portal.domain.errors import field_id

# The root key of each tab's content in the contract's form (the Tuteur tab carries two roots).
TAB_ROOTS: dict[str, tuple[str, ...]] = {
    "introduction": ("introduction",),
    "employeur": ("employer",),
    "salarie": ("employee",),
    "tuteur": ("tutors", "tutor_eligibility_attested"),
    "contrat": ("contract",),
    "formation": ("training",),
    "synthese": ("synthesis",),
}
TAB_ORDER = ("introduction", "employeur", "salarie", "tuteur", "contrat", "formation", "synthese", "documents")
TAB_LABELS = {
    "introduction": "Introduction",
    "employeur": "Employeur",
    "salarie": "Salarié / Apprenti",
    "tuteur": "Tuteur / Maître d'apprentissage",
    "contrat": "Contrat",
    "formation": "Formation",
    "synthese": "Synthèse",
    "documents": "Documents",
}
PAY_SCHEDULE = "contract.pay_schedule"
PAY_COLUMNS = ("year", "start_date", "end_date", "rate_percent", "base", "gross_monthly")

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")
_NUMBER_NAMES = ("headcount", "hours", "salary", "years", "supervised", "year_of_execution", "_per_", "percent")
_NUMBER_NAMES_EXACT = ("year", "gross_monthly")


def tab_of(path: str) -> str:
    root = _STEP.match(path)
    name = root.group(1) if root else path
    for tab, roots in TAB_ROOTS.items():
        if name in roots:
            return tab
    return "documents" if name == "documents" else "synthese"


def input_kind(path: str, choices: int) -> str:
    """How a field is typed in: a list of choices (radios when yes/no), a date, a number, an e-mail, or text."""
    leaf = path.rsplit(".", 1)[-1]
    if choices == 2:
        return "radio"
    if choices:
        return "select"
    if leaf.endswith("date") or leaf.endswith("_date"):
        return "date"
    if leaf == "email":
        return "email"
    if leaf == "phone":
        return "tel"
    if leaf in _NUMBER_NAMES_EXACT or any(part in leaf for part in _NUMBER_NAMES):
        return "number"
    return "text"


def get_path(root: Any, path: str) -> Any:
    """The value at a dotted path of a JSON document, None when any step is missing."""
    current = root
    for step in path.split("."):
        match = _STEP.fullmatch(step)
        if match is None or not isinstance(current, Mapping):
            return None
        current = current.get(match.group(1))
        if match.group(2) is not None:
            index = int(match.group(2))
            current = current[index] if isinstance(current, list) and index < len(current) else None
    return current


def display_value(value: Any) -> str:
    """A JSON value as an input's value attribute (booleans as the choice codes the service uses)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _set(root: dict[str, Any], path: str, value: Any) -> None:
    steps = [_STEP.fullmatch(s) for s in path.split(".")]
    if any(s is None for s in steps):
        return
    current: Any = root
    for position, match in enumerate(steps):
        assert match is not None
        name, index = match.group(1), match.group(2)
        last = position == len(steps) - 1
        if index is None:
            if last:
                current[name] = value
            else:
                current = current.setdefault(name, {})
            continue
        items = current.setdefault(name, [])
        i = int(index)
        while len(items) <= i:
            items.append({})
        if last:
            items[i] = value
        else:
            current = items[i]


def posted_value(raw: str) -> Any:
    """A posted string as the JSON the service expects: blank is no answer, oui/non are booleans."""
    text = raw.strip()
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    return text


def tab_content(tab: str, posted: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The content of one tab's save from the posted fields of that tab (anything else is ignored)."""
    roots = TAB_ROOTS[tab]
    document: dict[str, Any] = {}
    for name, raw in posted:
        if _STEP.match(name) is None or tab_of(name) != tab:
            continue
        _set(document, name, posted_value(raw))
    if PAY_SCHEDULE in {n.split("[")[0] for n, _ in posted} or "contract" in document:
        _drop_blank_rows(document.get("contract", {}))
    if len(roots) == 1:
        return dict(document.get(roots[0], {}))
    return {root: document[root] for root in roots if root in document}


def _drop_blank_rows(contract: dict[str, Any]) -> None:
    rows = contract.get("pay_schedule")
    if isinstance(rows, list):
        contract["pay_schedule"] = [r for r in rows if isinstance(r, dict) and any(v is not None for v in r.values())]


@dataclass(frozen=True)
class FieldView:
    """One question on a page: everything its template needs, errors included."""

    path: str
    label: str
    kind: str
    value: str
    required: bool
    help: str | None
    choices: tuple[tuple[str, str], ...]
    reminder: tuple[str, str] | None
    error: str | None
    readonly: bool

    @property
    def id(self) -> str:
        return field_id(self.path)


def format_date(value: Any) -> str:
    """An ISO date as a French reader expects it (JJ/MM/AAAA); anything else unchanged."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return "" if value is None else str(value)
