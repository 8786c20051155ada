"""What a person writes about themselves: a name, optionally a phone number."""

from __future__ import annotations

from passerelle.identity.domain.errors import InvalidInput
from passerelle.libs.inputs import character_problem

NAME_MAX = 200
_PHONE_CHARS = set("0123456789 +.-()")


def refuse_hidden_characters(raw: str, path: str) -> None:
    """Names are shown to others: no control character, no bidirectional override that would disguise them."""
    if (reason := character_problem(raw)) is not None:
        raise InvalidInput.one(path, "forbidden_character", reason)


def clean_name(raw: str, path: str = "full_name") -> str:
    refuse_hidden_characters(raw, path)
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput.one(path, "full_name_missing", "Indiquez votre prénom et votre nom.")
    if len(name) > NAME_MAX:
        raise InvalidInput.one(path, "full_name_too_long", f"Le nom est trop long (au plus {NAME_MAX} caractères).")
    return name


def clean_phone(raw: str | None, path: str = "phone") -> str | None:
    """None leaves the number as it is; an empty string removes it."""
    if raw is None:
        return None
    phone = " ".join(raw.split())
    digits = sum(c.isdigit() for c in phone)
    if phone and (not set(phone) <= _PHONE_CHARS or not 6 <= digits <= 15):
        raise InvalidInput.one(
            path, "phone_invalid", "Le numéro de téléphone n'est pas valide (par exemple 01 23 45 67 89)."
        )
    return phone
