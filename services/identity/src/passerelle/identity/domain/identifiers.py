"""Identifiers of organisations and people: SIRET, SIREN, UAI, OPCO code, e-mail address.

Each value object is built by `parse`, which accepts what people type (spaces, dots, lower case) and
raises `InvalidInput` naming the field and the reason in French.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from passerelle.identity.domain.errors import InvalidInput

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"

_SEPARATORS = re.compile(r"[\s.\-]")
_UAI = re.compile(r"(\d{7})([A-Z])")
_OPCO_CODE = re.compile(r"[A-Z0-9][A-Z0-9_\-]{1,31}")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value).upper()


def siret_is_valid(number: str) -> bool:
    """14 digits with a Luhn checksum; La Poste's establishments use a digit sum divisible by 5 instead."""
    if not (len(number) == 14 and number.isdigit()):
        return False
    if number.startswith(LA_POSTE_SIREN) and number != LA_POSTE_HEAD_OFFICE:
        # python-stdnum knows this exception; keeping it explicit means a library change cannot lose it.
        return sum(int(d) for d in number) % 5 == 0
    try:
        stdnum_siret.validate(number)
    except StdnumError:
        return False
    return True


@dataclass(frozen=True)
class Siren:
    value: str

    @classmethod
    def parse(cls, raw: str, path: str = "siren") -> Siren:
        number = _compact(raw)
        if not (len(number) == 9 and number.isdigit()):
            raise InvalidInput.one(path, "siren_format", "Le SIREN doit compter exactement 9 chiffres.")
        if number != LA_POSTE_SIREN and not stdnum_siren.is_valid(number):
            raise InvalidInput.one(
                path, "siren_checksum", f"Le SIREN {number} n'existe pas : sa clé de contrôle est fausse."
            )
        return cls(number)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Siret:
    value: str

    @classmethod
    def parse(cls, raw: str, path: str = "siret") -> Siret:
        number = _compact(raw)
        if not (len(number) == 14 and number.isdigit()):
            raise InvalidInput.one(path, "siret_format", "Le SIRET doit compter exactement 14 chiffres.")
        if not siret_is_valid(number):
            raise InvalidInput.one(
                path, "siret_checksum", f"Le SIRET {number} n'existe pas : sa clé de contrôle est fausse."
            )
        return cls(number)

    @property
    def siren(self) -> Siren:
        return Siren(self.value[:9])

    def __str__(self) -> str:
        return self.value


def uai_check_letter(digits: str) -> str:
    return UAI_LETTERS[int(digits) % 23]


@dataclass(frozen=True)
class Uai:
    """The national identifier of a training establishment: 7 digits and a check letter."""

    value: str

    @classmethod
    def parse(cls, raw: str, path: str = "uai") -> Uai:
        code = _compact(raw)
        match = _UAI.fullmatch(code)
        if match is None:
            raise InvalidInput.one(
                path, "uai_format", "L'UAI doit compter 7 chiffres suivis d'une lettre (par exemple 0754321P)."
            )
        digits, letter = match.groups()
        if uai_check_letter(digits) != letter:
            raise InvalidInput.one(
                path, "uai_checksum", f"L'UAI {code} n'existe pas : sa lettre de contrôle est fausse."
            )
        return cls(code)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class OpcoCode:
    value: str

    @classmethod
    def parse(cls, raw: str, path: str = "opco_code") -> OpcoCode:
        code = raw.strip().upper()
        if not _OPCO_CODE.fullmatch(code):
            raise InvalidInput.one(
                path, "opco_code_format", "Le code OPCO doit compter de 2 à 32 lettres, chiffres, tirets."
            )
        return cls(code)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class EmailAddress:
    """A login: normalised (domain lower-cased by the validator, the whole address lower-cased for lookups)."""

    value: str

    @classmethod
    def parse(cls, raw: str, path: str = "email") -> EmailAddress:
        text = raw.strip()
        if not text:
            raise InvalidInput.one(path, "email_missing", "L'adresse électronique est obligatoire.")
        try:
            normalized = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise InvalidInput.one(
                path, "email_invalid", "L'adresse électronique n'est pas valide (exemple : prenom.nom@domaine.fr)."
            ) from exc
        return cls(normalized.lower())

    @property
    def local_part(self) -> str:
        return self.value.rsplit("@", 1)[0]

    def __str__(self) -> str:
        return self.value
