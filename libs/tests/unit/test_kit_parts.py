"""The kit's other parts, without I/O: handler table, access rule, revision rule, tasks, mail, client, PDF."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from passerelle.libs.access import ContractAccess, Side, may_see, require_party, sides_of
from passerelle.libs.client import MachineToken, ServiceClient
from passerelle.libs.consumer import ConsumerGroup
from passerelle.libs.context import ServiceContext
from passerelle.libs.errors import NotFound, Unavailable
from passerelle.libs.mail import Mail, backoff, deliver_due_mails, email_message
from passerelle.libs.pdf import Sheet, text_of
from passerelle.libs.revisions import Decision, decide, is_newer
from passerelle.libs.tasks import PeriodicTask, advisory_key
from passerelle.libs.testing.events import (
    EMPLOYER_SIRET,
    OPCO_CODE,
    TRAINING_UAI,
    contract_drafted,
    contract_transmitted,
    envelope_for,
    parties,
    record_of,
)
from passerelle.libs.testing.fakes import FakeClock, FakeUnitOfWork
from passerelle.libs.testing.tokens import employer_claim, opco_claim, principal_of, training_claim
from passerelle.schemas import Envelope
from passerelle.schemas.events.contracts import ContractDrafted, ContractTransmitted


@dataclass(kw_only=True)
class Projection(ServiceContext[FakeUnitOfWork]):
    seen: list[tuple[str, int | None]]


async def remember_draft(context: Projection, uow: FakeUnitOfWork, envelope: Envelope, event: ContractDrafted) -> None:
    context.seen.append(("drafted", None))


async def remember_transmission(
    context: Projection, uow: FakeUnitOfWork, envelope: Envelope, event: ContractTransmitted
) -> None:
    context.seen.append(("transmitted", event.revision))


async def test_the_handler_table_calls_each_use_case_with_context_and_unit_of_work() -> None:
    uow = FakeUnitOfWork()
    context = Projection(uow_factory=lambda: uow, seen=[])
    group = ConsumerGroup.from_table(
        "kit", context, {ContractDrafted: remember_draft, ContractTransmitted: remember_transmission}
    )
    drafted, transmitted = contract_drafted(), contract_transmitted(revision=2)
    records = [
        record_of(envelope_for(drafted), drafted, offset=0),
        record_of(envelope_for(transmitted), transmitted, offset=1),
    ]
    await group.process(records)
    await group.process(records)  # redelivered: the inbox skips them
    assert context.seen == [("drafted", None), ("transmitted", 2)]
    assert uow.commits == 2
    assert sorted(group.topics) == ["contract.drafted", "contract.transmitted"]


def test_the_parties_see_a_contract_and_the_opco_once_transmitted() -> None:
    employer = principal_of(employer_claim(EMPLOYER_SIRET))
    training = principal_of(training_claim(TRAINING_UAI))
    opco = principal_of(opco_claim(OPCO_CODE))
    stranger = principal_of(employer_claim("55210055400013"))
    draft = ContractAccess.of(parties(), transmitted=False)
    sent = ContractAccess.of(parties(), transmitted=True)
    assert sides_of(employer, draft) == {Side.EMPLOYER}
    assert sides_of(training, draft) == {Side.TRAINING}
    assert not may_see(opco, draft) and sides_of(opco, sent) == {Side.OPCO}
    assert not may_see(stranger, sent)
    proposal = ContractAccess.of(parties(), transmitted=False, employer_may_see=False)
    assert not may_see(employer, proposal) and may_see(training, proposal)
    with pytest.raises(NotFound) as hidden:
        require_party(stranger, sent)
    assert hidden.value.code == "contract_not_found"
    with pytest.raises(NotFound):
        require_party(employer, None)


def test_a_private_draft_is_seen_by_its_creator_only_through_the_pending_membership() -> None:
    creator_id = uuid4()
    creator = principal_of(pending=[employer_claim(EMPLOYER_SIRET)], subject=creator_id)
    colleague = principal_of(employer_claim(EMPLOYER_SIRET))  # a verified member of the same SIRET
    pending_colleague = principal_of(pending=[employer_claim(EMPLOYER_SIRET)])
    training = principal_of(training_claim(TRAINING_UAI))  # the CFA the draft names
    opco = principal_of(opco_claim(OPCO_CODE))
    private = ContractAccess.of(parties(private_to=creator_id), transmitted=False)
    assert sides_of(creator, private) == {Side.EMPLOYER}
    for other in (colleague, pending_colleague, training, opco):
        assert sides_of(other, private) == frozenset()
    # Its creator, out of the organisation (no pending membership any more), loses it too.
    assert sides_of(principal_of(subject=creator_id), private) == frozenset()
    # A pending membership opens nothing that is not private to the person.
    assert sides_of(creator, ContractAccess.of(parties(), transmitted=False)) == frozenset()
    # Once the organisation is verified the draft is ordinary: its verified members see it, the CFA too.
    ordinary = ContractAccess.of(parties(), transmitted=False)
    assert sides_of(colleague, ordinary) == {Side.EMPLOYER} and sides_of(training, ordinary) == {Side.TRAINING}


def test_the_revision_decides_never_the_clock() -> None:
    assert decide(3, None) is Decision.NEWER
    assert decide(3, 2) is Decision.NEWER
    assert decide(2, 3) is Decision.STALE
    assert decide(3, 3) is Decision.STALE
    assert decide(None, 1) is Decision.STALE and is_newer(None, None)


def test_advisory_keys_are_stable_signed_64_bit() -> None:
    key = advisory_key("documents", "reconcile")
    assert key == advisory_key("documents", "reconcile") != advisory_key("documents", "other")
    assert -(2**63) <= key < 2**63


async def test_a_periodic_task_runs_until_stopped_and_survives_failures() -> None:
    calls: list[str] = []

    async def work(context: str) -> None:
        calls.append(context)
        if len(calls) == 2:
            raise RuntimeError("hiccup")

    task = PeriodicTask("tick", every=0.01, run=work, exclusive=False)
    await task.start("ctx", None, "kit")
    while len(calls) < 4:
        await asyncio.sleep(0.01)
    await task.stop()
    stopped_at = len(calls)
    await asyncio.sleep(0.05)
    assert len(calls) == stopped_at and set(calls) == {"ctx"}


async def test_a_woken_task_runs_its_next_round_at_once_and_a_wake_during_a_round_is_kept() -> None:
    calls: list[int] = []
    release = asyncio.Event()

    async def work(context: Any) -> None:
        calls.append(len(calls))
        if len(calls) == 2:
            await release.wait()  # a round in progress when the next wake comes

    task = PeriodicTask("tick", every=3600, run=work, exclusive=False)
    await task.start("ctx", None, "kit")
    try:
        while not calls:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.02)
        assert calls == [0]  # the next round waits for the hour...
        task.wake()  # ...unless there is work
        while len(calls) < 2:
            await asyncio.sleep(0.001)
        task.wake()  # during the second round: the third starts right after it, not an hour later
        release.set()
        while len(calls) < 3:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.02)
        assert calls == [0, 1, 2]
    finally:
        await task.stop()


async def test_an_exclusive_task_needs_a_database() -> None:
    with pytest.raises(RuntimeError):
        await PeriodicTask("tick", every=1, run=lambda _: asyncio.sleep(0)).start(None, None, "kit")


class Queued:
    def __init__(self, to: str) -> None:
        self.to = to
        self.attempts = 0
        self.sent_at: Any = None
        self.failed_at: Any = None
        self.retry_at: Any = None
        self.error = ""

    def as_mail(self) -> Mail:
        return Mail(to=self.to, subject="Votre compte", text="Bonjour")

    def delivered(self, now: Any) -> None:
        self.sent_at = now

    def delivery_failed(self, now: Any, error: str, retry_at: Any) -> None:
        self.attempts += 1
        self.error = error
        if retry_at is None:
            self.failed_at = now
        else:
            self.retry_at = retry_at


class MailUnitOfWork(FakeUnitOfWork):
    def __init__(self, queued: list[Queued]) -> None:
        super().__init__()
        queue = self

        class Mails:
            async def due(self, now: Any, limit: int) -> list[Queued]:
                return [m for m in queue.queued if m.sent_at is None and m.failed_at is None][:limit]

        self.queued = queued
        self.mails = Mails()


class FlakyMailer:
    def __init__(self) -> None:
        self.sent: list[Mail] = []

    async def send(self, mail: Mail) -> None:
        if mail.to.startswith("down"):
            raise ConnectionRefusedError("smtp down")
        self.sent.append(mail)


async def test_the_delivery_loop_sends_due_mails_and_backs_off_on_failure() -> None:
    clock = FakeClock()
    good, bad = Queued("alice@example.fr"), Queued("down@example.fr")
    uow = MailUnitOfWork([good, bad])
    mailer = FlakyMailer()
    assert await deliver_due_mails(uow, mailer, clock) == 1
    assert good.sent_at == clock.now and [m.to for m in mailer.sent] == ["alice@example.fr"]
    assert bad.retry_at == clock.now + timedelta(seconds=5) and "smtp down" in bad.error
    assert uow.commits == 1
    bad.attempts = 7
    await deliver_due_mails(uow, mailer, clock)
    assert bad.failed_at == clock.now  # the eighth failure gives up, recorded, never lost silently
    assert backoff(3) == timedelta(seconds=20) and backoff(30) == timedelta(hours=1)


def test_a_mail_has_text_html_and_attachments() -> None:
    mail = Mail(
        to="alice@example.fr",
        subject="Contrat engagé",
        text="Bonjour Alice",
        html="<p>Bonjour Alice</p>",
        attachments=[("accord.pdf", "application/pdf", b"%PDF-1.4")],
    )
    message = email_message(mail, "Passerelle <ne-pas-repondre@passerelle.local>")
    assert message["To"] == "alice@example.fr" and message["Subject"] == "Contrat engagé"
    parts = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in parts and "text/html" in parts and "application/pdf" in parts


async def test_the_service_client_sends_a_cached_machine_token_and_renews_it_on_401() -> None:
    issued: list[str] = []
    calls: list[tuple[str, str | None, str | None]] = []

    def identity(request: httpx.Request) -> httpx.Response:
        assert b"grant_type=client_credentials" in request.content
        issued.append(f"t{len(issued) + 1}")
        return httpx.Response(200, json={"access_token": issued[-1], "token_type": "bearer", "expires_in": 300})

    def documents(request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization")
        calls.append((request.url.path, token, request.headers.get("x-correlation-id")))
        if token == "Bearer t1" and len(calls) == 3:
            return httpx.Response(401)
        return httpx.Response(201, json={"ok": True})

    token = MachineToken("http://identity", "opco-processing", "secret", transport=httpx.MockTransport(identity))
    client = ServiceClient("http://documents", token, transport=httpx.MockTransport(documents))
    correlation = uuid4()
    for _ in range(3):
        assert (await client.post("/contracts/x/documents", correlation_id=correlation)).status_code == 201
    await client.aclose()
    assert issued == ["t1", "t2"]
    assert [c[1] for c in calls] == ["Bearer t1", "Bearer t1", "Bearer t1", "Bearer t2"]
    assert {c[2] for c in calls} == {str(correlation)}


async def test_a_failing_service_is_unavailable() -> None:
    client = ServiceClient("http://documents", transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    with pytest.raises(Unavailable):
        await client.get("/health")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    down = ServiceClient("http://documents", transport=httpx.MockTransport(refuse))
    with pytest.raises(Unavailable):
        await down.get("/health")


def test_the_sheet_draws_a_pdf_with_pages() -> None:
    sheet = Sheet(title="Courrier", footer="Dossier 42")
    sheet.letterhead(["OPCOMMERCE", "1 rue de la Paix, 75002 Paris"], ["Boulangerie Dupain", "75011 Paris"], "Paris")
    sheet.heading("Objet : accord de prise en charge")
    for _ in range(40):
        sheet.paragraph("Madame, Monsieur, nous avons le plaisir de vous informer de notre accord. " * 3)
    sheet.section("Le contrat")
    sheet.fields([("N° SIRET", EMPLOYER_SIRET), ("Date", None)])
    pdf = sheet.finish()
    assert pdf.startswith(b"%PDF") and sheet.page >= 2
    assert text_of(True) == "Oui" and text_of(None) == ""


def test_sample_events_are_valid_json_records() -> None:
    event = contract_transmitted(revision=3)
    record = record_of(envelope_for(event), event)
    assert json.loads(record.value)["revision"] == 3 and record.key == str(event.contract_id).encode()
