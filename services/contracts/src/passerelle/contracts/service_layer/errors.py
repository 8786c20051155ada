"""Errors of the use cases, as the platform's one error family (HTTP status, machine code, French message)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from passerelle.contracts.domain.errors import (
    ContractNotEditable,
    ContractTypeMismatch,
    DomainError,
    InvalidAmendment,
    InvalidTransition,
    TransmissionRefused,
)
from passerelle.libs.errors import Conflict, FieldError, Forbidden, NotFound, PasserelleError

from .findings import by_tab, finding_dict


class ContractNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Ce contrat est introuvable ou vous n'y avez pas accès.", "contract_not_found")


class ConcurrentModification(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Ce contrat a été modifié entre-temps par quelqu'un d'autre : rechargez-le avant de l'enregistrer.",
            "contract_modified_concurrently",
        )


class SideNotAllowed(Forbidden):
    def __init__(self, message: str) -> None:
        super().__init__(message, "contract_side_not_allowed")


def transmission_refused(exc: TransmissionRefused) -> PasserelleError:
    """422 with every blocking error, each with its field path, and all findings grouped by tab."""
    return PasserelleError(
        message=exc.message,
        code="contract_transmission_refused",
        status_code=422,
        fields=[FieldError(f.field, f.rule_id, f.message) for f in exc.errors],
        extra={
            "tabs_in_error": exc.tabs_in_error,
            "errors": [finding_dict(f) for f in exc.errors],
            "warnings": [finding_dict(f) for f in exc.warnings],
            "tabs": by_tab([*exc.errors, *exc.warnings]),
        },
    )


def from_domain(exc: DomainError) -> PasserelleError:
    if isinstance(exc, TransmissionRefused):
        return transmission_refused(exc)
    fields = [FieldError(exc.field, exc.code, exc.message)] if exc.field else []
    if isinstance(exc, ContractTypeMismatch | InvalidAmendment):
        return PasserelleError(message=exc.message, code=exc.code.lower(), status_code=422, fields=fields)
    if isinstance(exc, ContractNotEditable | InvalidTransition):
        return PasserelleError(message=exc.message, code=exc.code.lower(), status_code=409, fields=fields)
    return PasserelleError(message=exc.message, code=exc.code.lower(), status_code=400, fields=fields)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turns the domain's errors into the platform's (French message, code, field path, HTTP status)."""
    try:
        yield
    except DomainError as exc:
        raise from_domain(exc) from exc
