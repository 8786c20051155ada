"""The decision clock expiring, driven by a controllable clock on the real database, for both contract types,
with a public holiday and an anomaly inside the period: implicit refusal with its letter (apprenticeship,
D6224-2) and implicit acceptance (professionalisation, D6325-2), exactly once, across a restart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from passerelle.contracts.testing.samples import complete_apprenticeship_form, complete_professionalisation_form
from passerelle.libs.observability import metrics
from passerelle.libs.outbox import outbox_table
from passerelle.libs.testing.events import contract_transmitted, document_uploaded, envelope_for
from passerelle.libs.testing.fakes import FakeClock
from passerelle.opco_processing.bootstrap import bootstrap
from passerelle.opco_processing.config import Settings
from passerelle.opco_processing.domain.case import Actor
from passerelle.opco_processing.service_layer import checking, clocks, decisions, intake, letters
from passerelle.opco_processing.service_layer.access import Staff

from .conftest import AcceptingValidation, FormLabels, LetterShelf

REVIEWER = Staff("OPCOEP", "reviewer", Actor(id=uuid4(), name="Inès Roche", role="reviewer"))
PRO_REVIEWER = Staff("ATLAS", "reviewer", Actor(id=uuid4(), name="Paul Meyer", role="reviewer"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def build(database_url: str, clock: FakeClock) -> Any:
    service = bootstrap(
        Settings(database_url=database_url, background_enabled=False, consumers_enabled=False),
        clock=clock,
        validation=AcceptingValidation(),
        documents=LetterShelf(),
        field_labels=FormLabels(),
    )
    return service


def due_gauge() -> dict[str, float]:
    """passerelle_legal_deadlines_due of the decision clock, by horizon."""
    return {
        horizon: metrics.LEGAL_CLOCKS.labels(metrics.service(), "decision", horizon)._value.get()
        for horizon in ("1d", "3d", "10d")
    }


def form(kind: str, start: date, end: date) -> dict[str, Any]:
    built = complete_apprenticeship_form() if kind == "apprentissage" else complete_professionalisation_form()
    data = built.model_dump(mode="json", exclude_none=True)
    data["contract"]["start_date"] = start.isoformat()
    data["contract"].pop("practical_training_start_date", None)
    data["contract"]["end_date"] = end.isoformat()
    return data


async def transmit(ctx: Any, contract_id: UUID, kind: str, revision: int, at: datetime, data: dict[str, Any]) -> None:
    event = contract_transmitted(contract_id, contract_type=kind, revision=revision, form=data, transmitted_at=at)
    async with ctx.uow() as uow:
        await intake.receive_transmission(ctx, uow, envelope_for(event), event)
        await uow.commit()


async def case_of(ctx: Any, contract_id: UUID) -> Any:
    async with ctx.uow() as uow:
        return await uow.cases.by_contract(contract_id)


async def topics(ctx: Any, contract_id: UUID) -> list[str]:
    async with ctx.uow() as uow:
        rows = await uow.session.execute(
            sa.select(outbox_table.c.topic).where(outbox_table.c.key == str(contract_id)).order_by(outbox_table.c.seq)
        )
        return list(rows.scalars())


async def background(ctx: Any) -> None:
    await checking.check_pending(ctx)
    await letters.deliver_pending(ctx)


async def test_apprenticeship_silence_is_a_refusal_with_its_letter(database_url):
    clock = FakeClock(utc(2026, 5, 18, 10, 0))
    service = build(database_url, clock)
    ctx = service.context
    contract_id = uuid4()
    # Starts Thursday 7 May 2026: Friday 8 May is a public holiday and 10 May a Sunday, so the five jours
    # ouvrables of D6224-1 end on Friday 15 May; transmitted Monday 18 May: two jours ouvrables late.
    await transmit(
        ctx, contract_id, "apprentissage", 1, clock(), form("apprentissage", date(2026, 5, 7), date(2028, 5, 6))
    )
    await background(ctx)
    case = await case_of(ctx, contract_id)
    assert case.opco_code == "OPCOEP" and case.status.value == "ready"
    assert case.filing["due_on"] == "2026-05-15" and case.filing["late_by"] == 2
    assert case.clock.due_on() == date(2026, 6, 7)

    # Monday 25 May (Whit Monday, a holiday: the decision period counts days, so it changes nothing) an anomaly
    # stops the clock; the missing document arrives on Thursday 28 May: the period starts again from that day.
    clock.now = utc(2026, 5, 25, 9, 0)
    async with ctx.uow() as uow:
        await decisions.raise_anomaly(
            uow,
            ctx,
            REVIEWER,
            case.id,
            decisions.RaiseAnomaly(
                [decisions.AnomalyInput("missing_document", "Le CERFA signé manque.", document_type="cerfa_signe")]
            ),
        )
        await uow.commit()
    clock.now = utc(2026, 5, 28, 14, 0)
    uploaded = document_uploaded(contract_id, document_type="cerfa_signe", uploaded_at=clock())
    async with ctx.uow() as uow:
        assert await intake.receive_document(ctx, uow, envelope_for(uploaded), uploaded) == [
            "MISSING_DOCUMENT:cerfa_signe"
        ]
        await uow.commit()
    await background(ctx)
    case = await case_of(ctx, contract_id)
    assert case.status.value == "ready"
    assert case.clock.due_on() == date(2026, 6, 17)
    assert [(i.started_at, i.ended_at) for i in case.clock.intervals] == [
        (utc(2026, 5, 18, 10, 0), utc(2026, 5, 25, 9, 0)),
        (utc(2026, 5, 28, 14, 0), None),
    ]
    due = case.clock.due_at()
    assert due == utc(2026, 6, 17, 22, 0)  # midnight in Paris (summer time) after the last day

    # Alerts 5 and 2 days before, each once.
    clock.now = utc(2026, 6, 13, 8, 0)
    assert (await clocks.tick(ctx))["alerts"] == 1
    assert (await clocks.tick(ctx))["alerts"] == 0
    # 4 days 14 hours before the end: within the 10-day horizon of the legal-deadlines gauge, not the 3-day one.
    assert due_gauge() == {"1d": 0, "3d": 0, "10d": 1}
    clock.now = utc(2026, 6, 16, 8, 0)
    assert (await clocks.tick(ctx))["alerts"] == 1
    assert due_gauge() == {"1d": 0, "3d": 1, "10d": 1}

    clock.now = utc(2026, 6, 17, 21, 59, 59)
    assert (await clocks.tick(ctx))["expired"] == 0
    assert due_gauge() == {"1d": 1, "3d": 1, "10d": 1}
    clock.now = utc(2026, 6, 17, 22, 0, 30)
    assert (await clocks.tick(ctx))["expired"] == 1
    assert (await clocks.tick(ctx))["expired"] == 0
    assert due_gauge() == {"1d": 0, "3d": 0, "10d": 0}  # decided: its clock no longer runs
    await background(ctx)
    case = await case_of(ctx, contract_id)
    assert case.status.value == "implicitly_refused"
    assert case.letters[-1].status == "stored" and case.letters[-1].kind == "refusal"
    assert "D6224-2" in case.decisions[-1].legal_basis

    # A restart (a new process: new engine, new context) finds nothing more to do.
    await service.database.dispose()
    restarted = build(database_url, clock)
    clock.advance(minutes=5)
    assert await clocks.tick(restarted.context) == {"expired": 0, "alerts": 0}
    await background(restarted.context)
    # The document arrived before the anomaly letter was stored: its resolution still follows the anomaly.
    assert await topics(restarted.context, contract_id) == [
        "case.opened",
        "anomaly.raised",
        "anomaly.resolved",
        "deadline.approached",
        "deadline.approached",
        "contract.refused",
    ]
    await restarted.database.dispose()


async def test_professionalisation_silence_is_an_acceptance(database_url):
    clock = FakeClock(utc(2026, 11, 12, 9, 0))
    service = build(database_url, clock)
    ctx = service.context
    contract_id = uuid4()
    # Starts Monday 9 November 2026; Wednesday 11 is a holiday but D6325-1 counts days: due 14 November.
    data = form("professionnalisation", date(2026, 11, 9), date(2027, 11, 8))
    await transmit(ctx, contract_id, "professionnalisation", 1, clock(), data)
    await background(ctx)
    case = await case_of(ctx, contract_id)
    assert case.opco_code == "ATLAS" and case.filing["due_on"] == "2026-11-14" and case.filing["late_by"] == 0
    clock.now = utc(2026, 11, 13, 9, 0)
    async with ctx.uow() as uow:
        await decisions.raise_anomaly(
            uow,
            ctx,
            PRO_REVIEWER,
            case.id,
            decisions.RaiseAnomaly(
                [
                    decisions.AnomalyInput(
                        "field_error",
                        "Le salaire d'embauche est sous le minimum.",
                        tab="contrat",
                        field="contract.hiring_salary",
                    )
                ]
            ),
        )
        await uow.commit()
    await background(ctx)
    # The corrected contract comes back on 20 November: the period starts again, due 10 December.
    clock.now = utc(2026, 11, 20, 16, 0)
    data["contract"]["hiring_salary"] = "2100.00"
    await transmit(ctx, contract_id, "professionnalisation", 2, clock(), data)
    await background(ctx)
    case = await case_of(ctx, contract_id)
    assert case.status.value == "ready" and case.clock.due_on() == date(2026, 12, 10)
    assert case.anomalies[0].resolution == "corrected"

    clock.now = utc(2026, 12, 10, 22, 59)  # 23:59 in Paris (winter time): not yet
    assert (await clocks.tick(ctx))["expired"] == 0
    clock.now = utc(2026, 12, 10, 23, 0, 1)
    assert (await clocks.tick(ctx))["expired"] == 1
    await background(ctx)
    case = await case_of(ctx, contract_id)
    assert case.status.value == "implicitly_accepted" and case.file_number.startswith("ATLAS-2026-")
    assert "D6325-2" in case.decisions[-1].legal_basis
    sent = await topics(ctx, contract_id)
    assert sent.count("contract.engaged") == 1 and sent.count("anomaly.raised") == 1
    assert sent.count("anomaly.resolved") == 1
    await service.database.dispose()
