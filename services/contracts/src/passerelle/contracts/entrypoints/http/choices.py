"""Query parameters that take a code from a list: refused in French, each allowed code with its label."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from pydantic_core import PydanticCustomError

from passerelle.contracts.domain.codes import LabelledEnum
from passerelle.libs.errors import FieldError, InvalidInput

E = TypeVar("E", bound=StrEnum)


def _refusal(kind: type[StrEnum], value: str, noun: str) -> str:
    allowed = ", ".join(
        f"{member.value} ({member.label})" if isinstance(member, LabelledEnum) else member.value for member in kind
    )
    return f"{noun} inconnu : « {value[:40]} ». Valeurs possibles : {allowed}."


def choice_of(kind: type[E], noun: str) -> Callable[[str | None], str | None]:
    """An `AfterValidator` for a query parameter: refused with the French message beside the other fields' errors."""

    def check(value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value not in kind._value2member_map_:
            raise PydanticCustomError("enum", "{french}", {"french": _refusal(kind, value, noun)})
        return value

    return check


def parse_choice(kind: type[E], value: str | None, field: str, noun: str) -> E | None:
    """The member of `kind` whose code is `value` (None for no value), or a French 422 listing the codes."""
    if value is None or value == "":
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(
            [FieldError(field, "enum", _refusal(kind, value, noun))], message=f"{noun} inconnu."
        ) from None
