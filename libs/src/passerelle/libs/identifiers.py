"""Checks of the French organisation identifiers every context meets: SIRET, SIREN, UAI.

Pure functions (python-stdnum only), so that domains may use them: identity when an organisation is
registered, contracts when a contract names its parties. One implementation, so the two can never
disagree on whether a number exists. Each check answers None, FORMAT or CHECKSUM; the callers word
the French message for their own screens.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

FORMAT = "format"
CHECKSUM = "checksum"

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
# La Poste's establishments do not follow Luhn: their digit sum is divisible by 5. python-stdnum knows
# it (a test in libs pins that it still does).
LA_POSTE_SIREN = "356000000"

_SEPARATORS = re.compile(r"[\s.\-]")
_DIGITS_14 = re.compile(r"\d{14}")
_DIGITS_9 = re.compile(r"\d{9}")
_UAI = re.compile(r"(\d{7})([A-Z])")


def compact(value: str) -> str:
    """What people type (spaces, dots, dashes, lower case) as the bare identifier."""
    return _SEPARATORS.sub("", value).upper()


@lru_cache(maxsize=65_536)
def siret_problem(value: str) -> str | None:
    """SIRET: 14 digits and a Luhn checksum (La Poste: digit sum divisible by 5)."""
    number = compact(value)
    if not _DIGITS_14.fullmatch(number):
        return FORMAT
    return None if stdnum_siret.is_valid(number) else CHECKSUM


@lru_cache(maxsize=65_536)
def siren_problem(value: str) -> str | None:
    """SIREN: 9 digits and a Luhn checksum (La Poste's SIREN is valid as it is)."""
    number = compact(value)
    if not _DIGITS_9.fullmatch(number):
        return FORMAT
    return None if stdnum_siren.is_valid(number) else CHECKSUM


def siren_of(siret: str) -> str:
    return compact(siret)[:9]


def uai_check_letter(digits: str) -> str:
    return UAI_LETTERS[int(digits) % 23]


@lru_cache(maxsize=16_384)
def uai_problem(value: str) -> str | None:
    """UAI: 7 digits and the check letter ABCDEFGHJKLMNPRSTUVWXYZ[number mod 23]."""
    match = _UAI.fullmatch(compact(value))
    if match is None:
        return FORMAT
    digits, letter = match.groups()
    return None if uai_check_letter(digits) == letter else CHECKSUM
