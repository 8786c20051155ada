"""The password policy: long enough, not common, not guessable from the person; no composition rules.

Length matters more than forced symbols (NIST SP 800-63B, ANSSI): 12 characters at least, anything
allowed, and refuse what attackers try first: the common passwords and their usual decorations
(capitals, digits or symbols around a word, l33t spelling, repetition), keyboard and alphabet runs,
and the person's own e-mail address or name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from passerelle.identity.domain.errors import InvalidInput, Problem

MIN_LENGTH = 12
# Argon2 hashes any length, but a bound stops someone from making the server hash megabytes.
MAX_LENGTH = 128

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_EDGES = re.compile(r"^[^a-z]+|[^a-z]+$")
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
    "01234567890123456789",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
)


@lru_cache(maxsize=1)
def load_common_passwords() -> frozenset[str]:
    text = resources.files("passerelle.identity.domain").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _collapse_repetition(text: str) -> str:
    """`azertyazerty` -> `azerty`: a word typed twice is no stronger than the word."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _forms(password: str) -> set[str]:
    """What the password reduces to once the usual decorations are taken off."""
    lower = password.lower()
    bases = {lower, lower.replace(" ", "")}
    bases |= {_EDGES.sub("", b) for b in bases}
    forms: set[str] = set()
    for base in bases:
        for variant in (base, base.translate(_LEET)):
            for form in (variant, _EDGES.sub("", variant)):
                forms.add(form)
                forms.add(_collapse_repetition(form))
    return {f for f in forms if f}


def _is_run(text: str) -> bool:
    if len(text) < 4:
        return False
    return any(text in seq or text in seq[::-1] for seq in _SEQUENCES)


def _personal_words(email: str | None, full_name: str | None) -> set[str]:
    words: set[str] = set()
    if email:
        local = email.lower().split("@", 1)[0]
        if len(local) >= 3:
            words.add(local)
        words.update(p for p in re.split(r"[._+\-]", local) if len(p) >= 4)
    if full_name:
        words.update(p for p in re.split(r"[\s'\-]+", full_name.lower()) if len(p) >= 4)
    return words


class PasswordPolicy:
    def __init__(self, common: frozenset[str] | None = None, min_length: int = MIN_LENGTH) -> None:
        self._common = load_common_passwords() if common is None else common
        self.min_length = min_length

    def problems(
        self, password: str, email: str | None = None, full_name: str | None = None, path: str = "password"
    ) -> list[Problem]:
        if len(password) < self.min_length:
            return [
                Problem(
                    path, "password_too_short", f"Le mot de passe doit compter au moins {self.min_length} caractères."
                )
            ]
        if len(password) > MAX_LENGTH:
            return [
                Problem(path, "password_too_long", f"Le mot de passe doit compter au plus {MAX_LENGTH} caractères.")
            ]
        forms = _forms(password)
        if forms & self._common:
            return [Problem(path, "password_common", "Ce mot de passe est trop courant : choisissez-en un autre.")]
        lower = password.lower()
        if any(word in lower for word in _personal_words(email, full_name)):
            return [
                Problem(
                    path,
                    "password_personal",
                    "Le mot de passe ne doit contenir ni votre adresse électronique ni votre nom.",
                )
            ]
        if len(set(lower)) < 4 or any(_is_run(f) for f in forms):
            return [
                Problem(
                    path,
                    "password_predictable",
                    "Ce mot de passe est trop prévisible (suite de touches, de lettres ou de chiffres).",
                )
            ]
        return []

    def check(
        self, password: str, email: str | None = None, full_name: str | None = None, path: str = "password"
    ) -> None:
        problems = self.problems(password, email, full_name, path)
        if problems:
            raise InvalidInput(problems=problems, message=problems[0].message)
