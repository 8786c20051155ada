"""The identity context's errors: each has a kind (libs maps kinds to HTTP statuses), never a status.

Messages are French (people read them); codes are stable machine strings (programs and tests use them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from passerelle.libs.errors import DomainError, ErrorKind, FieldError

# One wrong field: its path in the request, a machine code, a French message.
Problem: TypeAlias = FieldError


class IdentityError(DomainError):
    def __init__(self, message: str | None = None, code: str | None = None, *, details: dict[str, Any] | None = None):
        super().__init__(message, code, details=details)


class InvalidInput(IdentityError):
    kind = ErrorKind.INVALID
    code = "invalid_input"
    message = "Certaines informations sont invalides."

    def __init__(self, problems: Sequence[Problem] = (), message: str | None = None, code: str | None = None):
        DomainError.__init__(self, message, code, fields=problems)

    @property
    def problems(self) -> list[Problem]:
        return self.fields

    @classmethod
    def one(cls, path: str, code: str, message: str) -> InvalidInput:
        return cls(problems=[Problem(path, code, message)])


class AuthenticationFailed(IdentityError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "invalid_credentials"
    message = "Identifiant ou mot de passe incorrect."


class TooManyAttempts(IdentityError):
    kind = ErrorKind.THROTTLED
    code = "too_many_attempts"
    message = "Trop de tentatives de connexion. Réessayez plus tard."

    def __init__(self, retry_after_seconds: int = 60, message: str | None = None, code: str | None = None):
        DomainError.__init__(self, message, code, retry_after=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


class NotAllowed(IdentityError):
    kind = ErrorKind.FORBIDDEN
    code = "forbidden"
    message = "Vous n'avez pas le droit de faire cette action."


class NotFound(IdentityError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"
    message = "Ressource introuvable."


class Conflict(IdentityError):
    kind = ErrorKind.CONFLICT
    code = "conflict"
    message = "Cette action entre en conflit avec l'état actuel."


class InvalidLink(IdentityError):
    """A confirmation, reset or invitation link that is unknown, expired or already used."""

    kind = ErrorKind.GONE
    code = "invalid_link"
    message = "Ce lien n'est pas valide ou a expiré. Demandez-en un nouveau."
