"""Query parameters that take a code from a list: refused in French, each allowed code with its label."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from passerelle.contracts.domain.codes import LabelledEnum
from passerelle.libs.errors import FieldError, InvalidInput

E = TypeVar("E", bound=StrEnum)


def parse_choice(kind: type[E], value: str | None, field: str, noun: str) -> E | None:
    """The member of `kind` whose code is `value` (None for no value), or a French 422 listing the codes."""
    if value is None or value == "":
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(
            f"{member.value} ({member.label})" if isinstance(member, LabelledEnum) else member.value for member in kind
        )
        raise InvalidInput(
            [FieldError(field, "enum", f"{noun} inconnu : « {value[:40]} ». Valeurs possibles : {allowed}.")],
            message=f"{noun} inconnu.",
        ) from None
