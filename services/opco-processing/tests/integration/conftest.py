"""opco-processing's use cases on the real stack's PostgreSQL, with a clock the test moves.

The contracts validation and the documents service are the other services' ports: here they answer from
memory (the end-to-end test runs them for real), so what is under test is this service's state, its
outbox and its clocks on a real database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.stack import ensure_stack
from passerelle.schemas.events.common import DocumentType

DOCUMENT_TYPES = frozenset(DocumentType.__args__)  # type: ignore[attr-defined]

SERVICE_DIR = Path(__file__).resolve().parents[2]


class AcceptingValidation:
    """The contracts engine's answer for a valid contract: no finding."""

    def __init__(self) -> None:
        self.calls = 0

    async def validate(self, form: dict[str, Any], documents: list[str]) -> list[dict[str, Any]]:
        self.calls += 1
        return []

    async def validate_many(self, items: list[tuple[dict[str, Any], list[str]]]) -> list[list[dict[str, Any]]]:
        return [await self.validate(form, documents) for form, documents in items]


class FormLabels:
    """The contracts service's field registry, as `GET /referentials/fields` answers for a few fields."""

    async def labels(self) -> dict[str, str]:
        return {
            "employee.nir": "Numéro de sécurité sociale (NIR)",
            "contract.hiring_salary": "Salaire brut mensuel à l'embauche",
        }


class LetterShelf:
    """Stores letters by content, as the documents client does (the same bytes are not stored twice)."""

    def __init__(self) -> None:
        self.stored: dict[str, tuple[UUID, UUID, str, bytes]] = {}

    async def store_letter(
        self, opco_code: str, contract_id: UUID, document_type: str, filename: str, content: bytes
    ) -> UUID:
        assert document_type in DOCUMENT_TYPES, document_type  # what the documents service accepts
        sha = hashlib.sha256(content).hexdigest()
        if sha not in self.stored:
            self.stored[sha] = (uuid4(), contract_id, document_type, content)
        return self.stored[sha][0]


@pytest.fixture(scope="session")
def stack() -> dict[str, str]:
    return ensure_stack()


@pytest.fixture
def database_url(stack) -> str:
    return fresh_service_database(SERVICE_DIR, "opco_processing_test")
