"""The identity context's errors: plain Python, each with a category the HTTP layer turns into a status.

Messages are French (people read them); codes are stable machine strings (programs and tests use them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One wrong field: its path in the request, a machine code, a French message."""

    path: str
    code: str
    message: str


@dataclass
class IdentityError(Exception):
    message: str
    code: str = "error"
    category: str = "invalid"
    # Extra machine-readable facts for the caller (e.g. the id of the organisation that already exists).
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass
class InvalidInput(IdentityError):
    problems: list[Problem] = field(default_factory=list)
    message: str = "Certaines informations sont invalides."
    code: str = "invalid_input"
    category: str = "invalid"

    @classmethod
    def one(cls, path: str, code: str, message: str) -> InvalidInput:
        return cls(problems=[Problem(path, code, message)])


@dataclass
class AuthenticationFailed(IdentityError):
    message: str = "Identifiant ou mot de passe incorrect."
    code: str = "invalid_credentials"
    category: str = "unauthenticated"


@dataclass
class TooManyAttempts(IdentityError):
    retry_after_seconds: int = 60
    message: str = "Trop de tentatives de connexion. Réessayez plus tard."
    code: str = "too_many_attempts"
    category: str = "throttled"


@dataclass
class NotAllowed(IdentityError):
    message: str = "Vous n'avez pas le droit de faire cette action."
    code: str = "forbidden"
    category: str = "forbidden"


@dataclass
class NotFound(IdentityError):
    message: str = "Ressource introuvable."
    code: str = "not_found"
    category: str = "not_found"


@dataclass
class Conflict(IdentityError):
    message: str = "Cette action entre en conflit avec l'état actuel."
    code: str = "conflict"
    category: str = "conflict"


@dataclass
class InvalidLink(IdentityError):
    """A confirmation, reset or invitation link that is unknown, expired or already used."""

    message: str = "Ce lien n'est pas valide ou a expiré. Demandez-en un nouveau."
    code: str = "invalid_link"
    category: str = "gone"
