"""Domain errors: a machine code for programs, a French message for people, and the field when there is one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rules.engine import Finding


class DomainError(Exception):
    code = "CONTRACT_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(DomainError):
    """The action is not possible in the contract's current status."""

    code = "CONTRACT_INVALID_TRANSITION"


class ContractNotEditable(DomainError):
    """The contract is frozen (transmitted, engaged, archived...) and cannot be modified."""

    code = "CONTRACT_NOT_EDITABLE"


class ContractTypeMismatch(DomainError):
    """The form's contract type differs from the contract's: a contract never changes type."""

    code = "CONTRACT_TYPE_MISMATCH"


class InvalidAmendment(DomainError):
    code = "CONTRACT_INVALID_AMENDMENT"


class TransmissionRefused(DomainError):
    """Validation found blocking errors: nothing was transmitted. Carries every finding, tab by tab."""

    code = "CONTRACT_TRANSMISSION_REFUSED"

    def __init__(self, errors: list[Finding], warnings: list[Finding] | None = None) -> None:
        count = len(errors)
        super().__init__(f"Le contrat n'a pas pu être transmis : {count} erreur{'s' if count > 1 else ''} à corriger.")
        self.errors = errors
        self.warnings = warnings or []

    @property
    def tabs_in_error(self) -> list[str]:
        return list(dict.fromkeys(finding.tab.value for finding in self.errors))
