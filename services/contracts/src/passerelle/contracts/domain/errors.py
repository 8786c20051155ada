"""Domain errors: a kind (libs maps it to an HTTP status), a machine code for programs, a French message for
people, and the field when there is one. The API shows the code in lower case (`contract_not_editable`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passerelle.libs.errors import DomainError as PlatformError
from passerelle.libs.errors import ErrorKind, FieldError

if TYPE_CHECKING:
    from .rules.engine import Finding


class DomainError(PlatformError):
    kind = ErrorKind.INVALID
    code = "CONTRACT_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, fields=[FieldError(field, self.code, message)] if field else ())
        self.field = field

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["error"]["code"] = self.code.lower()
        return body


class InvalidTransition(DomainError):
    """The action is not possible in the contract's current status."""

    kind = ErrorKind.CONFLICT
    code = "CONTRACT_INVALID_TRANSITION"


class ContractNotEditable(DomainError):
    """The contract is frozen (transmitted, engaged, archived...) and cannot be modified."""

    kind = ErrorKind.CONFLICT
    code = "CONTRACT_NOT_EDITABLE"


class ContractTypeMismatch(DomainError):
    """The form's contract type differs from the contract's: a contract never changes type."""

    code = "CONTRACT_TYPE_MISMATCH"


class InvalidAmendment(DomainError):
    code = "CONTRACT_INVALID_AMENDMENT"


class TransmissionRefused(DomainError):
    """Validation found blocking errors: nothing was transmitted. Carries every finding, tab by tab.

    Its answer (422) lists every blocking error with its field path, and all findings grouped by tab.
    """

    code = "CONTRACT_TRANSMISSION_REFUSED"

    def __init__(self, errors: list[Finding], warnings: list[Finding] | None = None) -> None:
        count = len(errors)
        super().__init__(f"Le contrat n'a pas pu être transmis : {count} erreur{'s' if count > 1 else ''} à corriger.")
        self.errors = errors
        self.warnings = warnings or []
        self.fields = [FieldError(f.field, f.rule_id, f.message) for f in errors]

    @property
    def tabs_in_error(self) -> list[str]:
        return list(dict.fromkeys(finding.tab.value for finding in self.errors))

    def as_dict(self) -> dict[str, Any]:
        from .findings import by_tab, finding_dict

        body = super().as_dict()
        body["error"].update(
            tabs_in_error=self.tabs_in_error,
            errors=[finding_dict(f) for f in self.errors],
            warnings=[finding_dict(f) for f in self.warnings],
            tabs=by_tab([*self.errors, *self.warnings]),
        )
        return body
