"""Two instances of the service side by side on one database: a letter is stored once, a case deposited once.

Both instances' background steps find the same engaged case pending; the documents service and DECA answer
slowly (as under load), so without a claim each instance would store the letter and deposit the case itself.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from passerelle.libs.testing.fakes import FakeClock
from passerelle.opco_processing.adapters.deca import FakeDeca
from passerelle.opco_processing.bootstrap import bootstrap
from passerelle.opco_processing.config import Settings
from passerelle.opco_processing.service_layer import checking, decisions, deposits, letters

from .conftest import AcceptingValidation
from .test_clock_expiry import REVIEWER, case_of, form, transmit


class SlowDocuments:
    """The documents service as the real client sees it under load: it cannot tell two concurrent uploads of
    the same bytes apart (its check for stored bytes runs before either upload ends)."""

    def __init__(self) -> None:
        self.stored: list[tuple[UUID, str]] = []

    async def store_letter(
        self, opco_code: str, contract_id: UUID, document_type: str, filename: str, content: bytes
    ) -> UUID:
        await asyncio.sleep(0.3)
        self.stored.append((contract_id, document_type))
        return uuid4()


class SlowDeca(FakeDeca):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def deposit(self, case: Any, letter_document_id: UUID | None) -> Any:
        self.calls += 1
        await asyncio.sleep(0.3)
        return await super().deposit(case, letter_document_id)


async def test_two_instances_store_each_letter_once_and_deposit_each_case_once(database_url):
    clock = FakeClock(datetime(2026, 9, 1, 9, 0, tzinfo=UTC))
    store, deca = SlowDocuments(), SlowDeca()

    def instance() -> Any:
        settings = Settings(database_url=database_url, background_enabled=False, consumers_enabled=False)
        return bootstrap(settings, clock=clock, validation=AcceptingValidation(), documents=store, deca=deca).context

    first, second = instance(), instance()
    contract_id = uuid4()
    data = form("apprentissage", date(2026, 9, 1), date(2028, 8, 31))
    await transmit(first, contract_id, "apprentissage", 1, clock(), data)
    await checking.check_pending(first)
    case = await case_of(first, contract_id)
    async with first.uow() as uow:
        await decisions.engage(uow, first, REVIEWER, case.id)
        await uow.commit()

    delivered = await asyncio.gather(letters.deliver_pending(first), letters.deliver_pending(second))
    assert sum(delivered) == 1 and store.stored == [(contract_id, "courrier_accord")]
    assert not (await case_of(second, contract_id)).pending_letters

    deposited = await asyncio.gather(deposits.deposit_pending(first), deposits.deposit_pending(second))
    assert sum(deposited) == 1 and deca.calls == 1
    assert (await case_of(first, contract_id)).status.value == "deposited"
