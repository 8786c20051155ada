"""Errors of the review domain: a kind (not an HTTP status), a machine code, a French message, the field."""

from __future__ import annotations


class CaseError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None, *, kind: str = "invalid") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.kind = kind  # invalid | conflict | not_found | forbidden
