"""Checks of French identifiers and formats: SIRET/SIREN, UAI, NIR, NAF, IDCC, RNCP, CFD, postcode, phone, e-mail.

Each check returns None when the value is fine, or a short problem code (`format`, `checksum`...) that the rules
turn into a French message. Results are cached: the same identifiers are checked on every save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fr import nir as stdnum_nir

# SIRET, SIREN and UAI are checked once for the whole platform (identity checks the same numbers).
from passerelle.libs.identifiers import (  # noqa: F401 - re-exported for the rules
    CHECKSUM,
    FORMAT,
    compact,
    siren_of,
    siren_problem,
    siret_problem,
    uai_check_letter,
    uai_problem,
)

_NIR = re.compile(r"[1-478]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}")
_NAF = re.compile(r"\d{2}\.\d{2}[A-Z]")
_IDCC = re.compile(r"\d{4}")
_ACTIVITY_DECLARATION = re.compile(r"\d{11}")
_RNCP = re.compile(r"RNCP\d{1,6}")
_CFD = re.compile(r"[0-9A-Z]{8}")
_POSTCODE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-8])\d{3}")
_PHONE = re.compile(r"(?:(?:\+|00)33[\s.\-]?(?:\(0\)[\s.\-]?)?|0)[1-9](?:[\s.\-]?\d{2}){4}")


@lru_cache(maxsize=65_536)
def nir_problem(value: str) -> str | None:
    """NIR: 13 characters (2A/2B allowed for Corsica) and the key 97 - (number mod 97)."""
    number = compact(value)
    if not _NIR.fullmatch(number):
        return FORMAT
    try:
        stdnum_nir.validate(number)
    except StdnumValidationError:
        return CHECKSUM
    return None


def nir_key(first_13: str) -> str:
    """The two-digit key of a NIR's first 13 characters (2A counts as 19, 2B as 18)."""
    return stdnum_nir.calc_check_digits(compact(first_13) + "00")


@dataclass(frozen=True, slots=True)
class NirIdentity:
    sex: str | None  # "M" or "F"
    birth_year: int  # two digits
    birth_month: int | None  # None when the NIR carries no real month (20+, 99: unknown or provisional)
    department: str


@lru_cache(maxsize=65_536)
def nir_identity(value: str) -> NirIdentity | None:
    """What a well-formed NIR says about its holder: sex, birth year and month, department."""
    number = compact(value)
    if nir_problem(number) is not None:
        return None
    sex_digit = int(number[0])
    month = int(number[3:5])
    department = number[5:7]
    if department in {"97", "98"}:  # overseas: the département has three digits
        department = number[5:8]
    return NirIdentity(
        sex="M" if sex_digit % 2 == 1 else "F",
        birth_year=int(number[1:3]),
        birth_month=month if 1 <= month <= 12 else None,
        department=department,
    )


def nir_mismatches(
    value: str, sex: str | None, birth_date: date | None, birth_department: str | None
) -> tuple[str, ...]:
    """The declared data the NIR disagrees with: any of `sex`, `birth_year`, `birth_month`, `birth_department`."""
    identity = nir_identity(value)
    if identity is None:
        return ()
    found: list[str] = []
    if sex is not None and identity.sex != str(sex):
        found.append("sex")
    if birth_date is not None:
        if identity.birth_year != birth_date.year % 100:
            found.append("birth_year")
        if identity.birth_month is not None and identity.birth_month != birth_date.month:
            found.append("birth_month")
    if birth_department:
        declared = birth_department.strip().upper()
        if declared in {"099", "99"}:
            declared = "99"
        elif len(declared) == 3 and not declared.startswith("97") and not declared.startswith("98"):
            declared = declared[1:] if declared.startswith("0") else declared
        elif len(declared) == 1:
            declared = "0" + declared
        if identity.department != declared and not (
            # Births before 1976 in Corsica carry 20 in old numbers.
            identity.department == "20" and declared in {"2A", "2B"}
        ):
            found.append("birth_department")
    return tuple(found)


@lru_cache(maxsize=4096)
def naf_problem(value: str) -> str | None:
    return None if _NAF.fullmatch(value.strip().upper()) else FORMAT


@lru_cache(maxsize=4096)
def idcc_problem(value: str) -> str | None:
    """IDCC: 4 digits (9999 no agreement, 9998 under negotiation are valid codes)."""
    return None if _IDCC.fullmatch(value.strip()) else FORMAT


@lru_cache(maxsize=4096)
def activity_declaration_problem(value: str) -> str | None:
    """Training organisation's activity declaration number (NDA): 11 digits, spaces allowed between groups."""
    return None if _ACTIVITY_DECLARATION.fullmatch(value.replace(" ", "")) else FORMAT


@lru_cache(maxsize=4096)
def rncp_problem(value: str) -> str | None:
    return None if _RNCP.fullmatch(value.strip().upper()) else FORMAT


@lru_cache(maxsize=4096)
def diploma_code_problem(value: str) -> str | None:
    return None if _CFD.fullmatch(value.strip().upper()) else FORMAT


@lru_cache(maxsize=65_536)
def postcode_problem(value: str) -> str | None:
    return None if _POSTCODE.fullmatch(value.strip()) else FORMAT


@lru_cache(maxsize=65_536)
def phone_problem(value: str) -> str | None:
    return None if _PHONE.fullmatch(value.strip()) else FORMAT


@lru_cache(maxsize=65_536)
def email_problem(value: str) -> str | None:
    try:
        validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return FORMAT
    return None
