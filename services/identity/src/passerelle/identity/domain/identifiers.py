"""Identifiers of organisations and people: SIRET, SIREN, UAI, OPCO code, e-mail address.

Each value object is built by `parse`, which accepts what people type (spaces, dots, lower case) and
raises `InvalidInput` naming the field and the reason in French.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from passerelle.identity.domain.errors import InvalidInput

# The checksums are the platform's one implementation (contracts checks the same numbers).
from passerelle.libs.identifiers import FORMAT, compact, siren_problem, siret_problem, uai_problem

_OPCO_CODE = re.compile(r"[A-Z0-9][A-Z0-9_\-]{1,31}")


@dataclass(frozen=True)
class Siren:
    value: str

    @classmethod
    def parse(cls, raw: str, path: str = "siren") -> Siren:
        number = compact(raw)
        problem = siren_problem(number)
        if problem == FORMAT:
            raise InvalidInput.one(path, "siren_format", "Le SIREN doit compter exactement 9 chiffres.")
        if problem is not None:
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
        number = compact(raw)
        problem = siret_problem(number)
        if problem == FORMAT:
            raise InvalidInput.one(path, "siret_format", "Le SIRET doit compter exactement 14 chiffres.")
        if problem is not None:
            raise InvalidInput.one(
                path, "siret_checksum", f"Le SIRET {number} n'existe pas : sa clé de contrôle est fausse."
            )
        return cls(number)

    @property
    def siren(self) -> Siren:
        return Siren(self.value[:9])

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Uai:
    """The national identifier of a training establishment: 7 digits and a check letter."""

    value: str

    @classmethod
    def parse(cls, raw: str, path: str = "uai") -> Uai:
        code = compact(raw)
        problem = uai_problem(code)
        if problem == FORMAT:
            raise InvalidInput.one(
                path, "uai_format", "L'UAI doit compter 7 chiffres suivis d'une lettre (par exemple 0754321P)."
            )
        if problem is not None:
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
