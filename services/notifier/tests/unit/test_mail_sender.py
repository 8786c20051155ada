"""The mail sender's state machine on fakes: each move committed on its own, a kill leaves one message in doubt.

queued -> sending (committed before the server gets it) -> sent | queued (retry) | failed | bounced; a message
left `sending` by a sender that is gone is queued again, counted, and sent again with the same id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from passerelle.libs.testing.fakes import FakeClock, FakeStore, FakeUnitOfWork
from passerelle.notifier.adapters.rendering import TemplateRenderer
from passerelle.notifier.domain.delivery import (
    RetryPolicy,
    attempt_ended,
    attempt_started,
    in_doubt,
)
from passerelle.notifier.domain.links import PortalLinks
from passerelle.notifier.service_layer.context import NotifierContext, NotifierPolicy
from passerelle.notifier.service_layer.delivery import Sender, deliver_due, recover_in_doubt, send_next
from passerelle.notifier.service_layer.ports import MailRefused, OutgoingMail
from passerelle.schemas.events.notifier import NotificationSent


@dataclass
class MailStore(FakeStore):
    mails: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    gone: set[uuid.UUID] = field(default_factory=set)  # senders whose lock is free
    changes: list[uuid.UUID] = field(default_factory=list)


class FakeMails:
    """The SQL repository's contract: claims skip what another sender holds; writes are kept on commit only."""

    def __init__(self, uow: FakeMailUnitOfWork) -> None:
        self.uow = uow

    def _rows(self) -> dict[uuid.UUID, dict[str, Any]]:
        return self.uow.pending

    async def claim_next(self, now: Any, sender: uuid.UUID) -> Any:
        due = [m for m in self._rows().values() if m["status"] == "queued" and m["next_attempt_at"] <= now]
        if not due:
            return None
        mail = min(due, key=lambda m: m["next_attempt_at"])
        mail |= attempt_started(sender, now) | {"attempts": mail["attempts"] + 1}
        return SimpleNamespace(
            **mail, kind="contract_engaged", legal=True, cause_event_id=uuid.uuid4(), contract_id=None
        )

    async def finish(self, mail_id: uuid.UUID, sender: uuid.UUID, values: dict[str, Any]) -> bool:
        mail = self._rows()[mail_id]
        if not ((mail["status"] == "sending" and mail["sending_by"] == sender) or mail["status"] == "queued"):
            return False
        mail |= values
        return True

    async def requeue_in_doubt(self, sender: uuid.UUID, before: Any, now: Any) -> list[uuid.UUID]:
        out = []
        for mail in self._rows().values():
            doubtful = mail["status"] == "sending" and mail["sending_by"] != sender and mail["sending_since"] < before
            if doubtful and mail["sending_by"] in self.uow.store.gone:
                mail |= in_doubt(now) | {"resent_in_doubt": mail["resent_in_doubt"] + 1}
                out.append(mail["id"])
        return out


class FakeNotifications:
    def __init__(self, uow: FakeMailUnitOfWork) -> None:
        self.uow = uow

    async def record_change(self, account_id: uuid.UUID, event: str, data: dict[str, Any], now: Any) -> None:
        self.uow.pending_changes.append(uuid.UUID(data["notification_id"]))


class FakeMailUnitOfWork(FakeUnitOfWork):
    def __init__(self, store: MailStore) -> None:
        super().__init__("notifier", store)
        self.store: MailStore = store
        self.mails = FakeMails(self)
        self.notifications = FakeNotifications(self)
        self.pending: dict[uuid.UUID, dict[str, Any]] = {}
        self.pending_changes: list[uuid.UUID] = []

    async def __aenter__(self) -> FakeMailUnitOfWork:
        await super().__aenter__()
        self.pending = {k: dict(v) for k, v in self.store.mails.items()}
        self.pending_changes = []
        return self

    def _on_commit(self) -> None:
        self.store.mails = self.pending
        self.store.changes += self.pending_changes

    def _on_rollback(self) -> None:
        self.pending = {k: dict(v) for k, v in self.store.mails.items()}
        self.pending_changes = []


class FakeServer:
    """Accepts every message, except those it was told to refuse; `kill_after` raises (the process is killed)
    right after the server accepted that many messages, before the sender could record the answer."""

    def __init__(self, refuse: dict[str, MailRefused] | None = None, kill_after: int | None = None) -> None:
        self.accepted: list[uuid.UUID] = []
        self.refuse = refuse or {}
        self.kill_after = kill_after

    async def send_one(self, mail: OutgoingMail) -> None:
        if mail.to_address in self.refuse:
            raise self.refuse[mail.to_address]
        self.accepted.append(mail.mail_id)
        if self.kill_after is not None and len(self.accepted) == self.kill_after:
            raise Killed


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs in this sender."""


def world(*addresses: str, attempts: int = 3) -> tuple[NotifierContext, MailStore, list[uuid.UUID]]:
    store = MailStore()
    clock = FakeClock(tick=timedelta(milliseconds=1))
    ids = []
    for address in addresses:
        mail_id = uuid.uuid4()
        store.mails[mail_id] = {
            "id": mail_id, "notification_id": uuid.uuid4(), "account_id": uuid.uuid4(), "to_address": address,
            "subject": "Essai", "text_body": "Bonjour", "html_body": "<p>Bonjour</p>", "status": "queued",
            "attempts": 0, "next_attempt_at": clock.now - timedelta(seconds=1), "last_error": None,
            "sending_by": None, "sending_since": None, "resent_in_doubt": 0, "sent_at": None,
        }  # fmt: skip
        ids.append(mail_id)
    ctx = NotifierContext(
        uow_factory=lambda: FakeMailUnitOfWork(store),
        producer="notifier",
        clock=clock,
        links=PortalLinks("https://portail.test"),
        renderer=TemplateRenderer(),
        mailer=FakeServer(),
        feed=None,  # type: ignore[arg-type] - not used by the sender
        policy=NotifierPolicy(retry=RetryPolicy(max_attempts=attempts, first_delay=timedelta(0))),
    )
    return ctx, store, ids


def statuses(store: MailStore, ids: list[uuid.UUID]) -> list[str]:
    return [store.mails[i]["status"] for i in ids]


async def test_each_message_is_committed_sending_before_the_server_gets_it_then_sent_at_once():
    ctx, store, ids = world("a@example.test", "b@example.test")
    sender = Sender()
    seen_by_server: list[list[str]] = []

    class Watching(FakeServer):
        async def send_one(self, mail: OutgoingMail) -> None:
            seen_by_server.append(statuses(store, ids))  # what is committed while the server holds the DATA
            await super().send_one(mail)

    server = Watching()
    assert await send_next(ctx, sender, server)
    assert seen_by_server == [["sending", "queued"]]
    assert store.mails[ids[0]]["sending_by"] == sender.id and store.mails[ids[0]]["attempts"] == 1
    # The next claim commits the first one's answer: sent, published once, its person's feed told.
    assert await send_next(ctx, sender, server)
    assert seen_by_server[1] == ["sent", "sending"]
    assert not await send_next(ctx, sender, server)
    assert statuses(store, ids) == ["sent", "sent"] and server.accepted == ids
    assert [e.notification_id for e in store.events if isinstance(e, NotificationSent)] == [
        store.mails[i]["notification_id"] for i in ids
    ]
    assert store.changes == [store.mails[i]["notification_id"] for i in ids]
    assert all(store.mails[i]["sending_by"] is None for i in ids)


async def test_a_kill_mid_batch_leaves_one_message_in_doubt_which_is_sent_again_once_and_counted():
    addresses = [f"p{k}@example.test" for k in range(10)]
    ctx, store, ids = world(*addresses)
    killed = Sender()
    server = FakeServer(kill_after=4)
    with pytest.raises(Killed):
        await deliver_due(ctx, killed, server)
    # Three answers recorded; the fourth message reached the server, its answer is lost with the sender.
    assert statuses(store, ids)[:5] == ["sent", "sent", "sent", "sending", "queued"]
    assert [s for s in statuses(store, ids) if s == "sending"] == ["sending"]

    restarted = Sender()
    ctx.clock.advance(seconds=30)  # type: ignore[attr-defined]
    # While the killed sender's lock is held (it might still be alive), its message waits.
    assert await recover_in_doubt(ctx, restarted, timedelta(seconds=10)) == []
    store.gone.add(killed.id)
    assert await recover_in_doubt(ctx, restarted, timedelta(seconds=10)) == [ids[3]]
    assert await recover_in_doubt(ctx, restarted, timedelta(seconds=10)) == []  # counted once
    server.kill_after = None
    await deliver_due(ctx, restarted, server)
    assert statuses(store, ids) == ["sent"] * 10
    # Every message reached the server; only the one in flight twice (same id, so the same Message-ID).
    assert sorted(server.accepted) == sorted(ids + [ids[3]])
    assert [store.mails[i]["resent_in_doubt"] for i in ids] == [0, 0, 0, 1] + [0] * 6
    assert store.mails[ids[3]]["attempts"] == 2 and store.mails[ids[3]]["last_error"] is None  # sent at last


async def test_a_message_in_flight_of_a_live_sender_is_not_taken_before_the_grace_ends():
    ctx, store, ids = world("a@example.test")
    first = Sender()
    server = FakeServer(kill_after=1)
    with pytest.raises(Killed):
        await send_next(ctx, first, server)
    store.gone.add(first.id)
    ctx.clock.advance(seconds=2)  # type: ignore[attr-defined]
    assert await recover_in_doubt(ctx, Sender(), timedelta(seconds=10)) == []
    ctx.clock.advance(seconds=10)  # type: ignore[attr-defined]
    assert await recover_in_doubt(ctx, Sender(), timedelta(seconds=10)) == ids


async def test_an_answer_kept_through_a_database_outage_is_recorded_and_not_sent_again():
    ctx, store, ids = world("a@example.test", "b@example.test")
    sender = Sender()
    server = FakeServer()
    assert await send_next(ctx, sender, server)
    store.fail_commits = 1  # the database is gone when the answer is to be recorded
    with pytest.raises(ConnectionError):
        await send_next(ctx, sender, server)
    assert statuses(store, ids) == ["sending", "queued"] and sender.pending is not None
    await deliver_due(ctx, sender, server)
    assert statuses(store, ids) == ["sent", "sent"] and server.accepted == ids


async def test_an_answer_recorded_after_the_message_was_queued_again_as_in_doubt_still_counts():
    ctx, store, ids = world("a@example.test")
    slow = Sender()
    server = FakeServer()
    assert await send_next(ctx, slow, server)
    store.gone.add(slow.id)  # its lock lost (a database restart) while it held the answer
    ctx.clock.advance(seconds=30)  # type: ignore[attr-defined]
    assert await recover_in_doubt(ctx, Sender(), timedelta(seconds=10)) == ids
    await deliver_due(ctx, slow, server)  # records the accepted answer: not sent a second time
    assert statuses(store, ids) == ["sent"] and server.accepted == ids


async def test_refusals_retry_then_fail_and_a_permanent_one_bounces():
    refuse = {"busy@example.test": MailRefused("451 plus tard", 451), "nobody@example.test": MailRefused("550", 550)}
    ctx, store, ids = world("busy@example.test", "nobody@example.test", "ok@example.test", attempts=3)
    server = FakeServer(refuse=refuse)
    await deliver_due(ctx, Sender(), server)
    got = {store.mails[i]["to_address"]: (store.mails[i]["status"], store.mails[i]["attempts"]) for i in ids}
    assert got == {
        "busy@example.test": ("failed", 3),
        "nobody@example.test": ("bounced", 1),
        "ok@example.test": ("sent", 1),
    }
    # A refused message is not published as told by e-mail.
    told = {e.notification_id for e in store.events if isinstance(e, NotificationSent)}
    assert told == {store.mails[ids[2]]["notification_id"]}


def test_the_moves_of_the_state_machine():
    policy = RetryPolicy(max_attempts=2, first_delay=timedelta(seconds=2))
    sender, now = uuid.uuid4(), FakeClock().now
    assert attempt_started(sender, now) == {"status": "sending", "sending_by": sender, "sending_since": now}
    sent = attempt_ended(policy, 1, now, None)
    assert sent["status"] == "sent" and sent["sent_at"] == now and sent["sending_by"] is None
    retry = attempt_ended(policy, 1, now, ("421 occupé", 421))
    assert retry["status"] == "queued" and retry["next_attempt_at"] == now + timedelta(seconds=2)
    assert attempt_ended(policy, 2, now, ("421 occupé", 421))["status"] == "failed"
    assert attempt_ended(policy, 1, now, ("550 inconnu", 550))["status"] == "bounced"
