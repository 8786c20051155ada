"""What the use cases need from the world, as protocols; adapters implement them, bootstrap wires them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from passerelle.opco_processing.domain.case import Deposit, Letter, ReviewCase
from passerelle.opco_processing.domain.referentials import OpcoIdentity


class ContractValidation(Protocol):
    """The contracts service's own engine (stateless validation endpoint): one engine, never a copy."""

    async def validate(self, form: dict[str, Any], documents: list[str]) -> list[dict[str, Any]]: ...

    async def validate_many(self, items: list[tuple[dict[str, Any], list[str]]]) -> list[list[dict[str, Any]]]:
        """The findings of each (form, documents), in order: one call for a round of cases."""


class DocumentStore(Protocol):
    async def store_letter(
        self, opco_code: str, contract_id: UUID, document_type: str, filename: str, content: bytes
    ) -> UUID:
        """Stores the letter on the contract; the same bytes already stored are not stored twice."""
        ...


class LetterRenderer(Protocol):
    def render(
        self, case: ReviewCase, letter: Letter, opco: OpcoIdentity, field_labels: Mapping[str, str] | None = None
    ) -> bytes: ...


class FieldLabels(Protocol):
    """The contract form's field registry (path → French label), owned by the contracts service: anomaly letters
    name the fields to correct as the form shows them. Unavailable when it cannot be read (the letter waits)."""

    async def labels(self) -> Mapping[str, str]: ...


class Deca(Protocol):
    """The administration's deposit service (DECA)."""

    async def deposit(self, case: ReviewCase, letter_document_id: UUID | None) -> Deposit: ...


Clock = Callable[[], datetime]
