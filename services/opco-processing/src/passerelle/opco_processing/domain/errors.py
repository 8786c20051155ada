"""Errors of the review domain: a kind (mapped to a status by libs), a machine code, a French message, the field."""

from __future__ import annotations

from typing import ClassVar

from passerelle.libs.errors import DomainError, ErrorKind, FieldError


class CaseError(DomainError):
    """A request the case refuses (invalid input); subclasses for the other kinds."""

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message, code, fields=[FieldError(field, code, message)] if field else [])
        self.field = field


class CaseConflict(CaseError):
    kind = ErrorKind.CONFLICT


class CaseNotFound(CaseError):
    kind = ErrorKind.NOT_FOUND


class CaseForbidden(CaseError):
    kind = ErrorKind.FORBIDDEN
