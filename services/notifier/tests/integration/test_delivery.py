"""Delivery status per message against a real SMTP server that refuses some recipients, and the daily digest."""

from __future__ import annotations

import asyncio
import signal
import sys
import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from passerelle.libs.testing.processes import free_port
from passerelle.notifier.adapters import tables as t
from passerelle.notifier.adapters.smtp import SmtpMailer
from passerelle.notifier.domain.delivery import RetryPolicy
from passerelle.notifier.entrypoints.background import MailDelivery, deliver_once, run_digest
from passerelle.notifier.service_layer.context import NotifierContext as Notifier
from passerelle.schemas.events import contracts as c

from .conftest import bearer, mails_to
from .world import World

pytestmark = pytest.mark.integration


class Picky:
    """Accepts mail, except: `bounce-*` is refused for good (550), `busy-*` for now (451)."""

    def __init__(self) -> None:
        self.accepted: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802, ANN001
        if address.startswith("bounce-"):
            return "550 5.1.1 Adresse inconnue"
        if address.startswith("busy-"):
            return "451 4.3.0 Réessayez plus tard"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def picky_server():
    handler = Picky()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def with_mailer(notifier: Notifier, port: int, attempts: int) -> Notifier:
    policy = replace(notifier.policy, retry=RetryPolicy(max_attempts=attempts, first_delay=timedelta(0)))
    return replace(
        notifier, mailer=SmtpMailer("127.0.0.1", port, "Passerelle <ne-pas-repondre@passerelle.local>"), policy=policy
    )


async def queue(notifier: Notifier, *addresses: str) -> list[uuid.UUID]:
    ids = []
    now = datetime.now(UTC)
    async with notifier.uow_factory() as uow:
        for address in addresses:
            mail_id = uuid.uuid4()
            await uow.notifications.queue_mail(
                {
                    "id": mail_id,
                    "notification_id": None,
                    "account_id": None,
                    "to_address": address,
                    "subject": "Essai",
                    "text_body": "Bonjour",
                    "html_body": "<p>Bonjour</p>",
                    "status": "queued",
                    "attempts": 0,
                    "next_attempt_at": now - timedelta(days=3650),
                    "created_at": now,
                }
            )
            ids.append(mail_id)
        await uow.commit()
    return ids


async def statuses(notifier: Notifier, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, int, str | None]]:
    async with notifier.uow_factory() as uow:
        rows = await uow.session.execute(
            sa.select(t.mails.c.id, t.mails.c.status, t.mails.c.attempts, t.mails.c.last_error).where(
                t.mails.c.id.in_(ids)
            )
        )
        return {r.id: (r.status, r.attempts, r.last_error) for r in rows}


async def test_sent_bounced_and_failed_after_retries(notifier, picky_server):
    handler, port = picky_server
    picky = with_mailer(notifier, port, attempts=3)
    ok, bounced, busy = await queue(picky, "ok@example.test", "bounce-x@example.test", "busy-x@example.test")
    for _ in range(3):
        await deliver_once(picky)
    got = await statuses(picky, [ok, bounced, busy])
    assert got[bounced][0] == "bounced" and got[bounced][1] == 1 and "550" in (got[bounced][2] or "")
    assert got[busy][0] == "failed" and got[busy][1] == 3 and "451" in (got[busy][2] or "")
    assert got[ok][0] == "sent"


async def test_a_refused_mail_leaves_the_web_notification_in_place(notifier, deliver, client, tokens, picky_server):
    _, port = picky_server
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    async with notifier.uow_factory() as uow:
        await uow.session.execute(
            sa.update(t.accounts)
            .where(t.accounts.c.account_id == cfa_user.account_id)
            .values(email="bounce-" + cfa_user.email)
        )
        await uow.commit()
    contract_id = uuid.uuid4()
    await deliver(
        world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer.email),
        world.contract(contract_id, c.ContractAccepted, employer),
    )
    picky = with_mailer(notifier, port, attempts=2)
    await deliver_once(picky)
    listing = (
        await client.get(f"/contracts/{contract_id}/notifications", headers=bearer(tokens, cfa_user.account_id))
    ).json()
    [item] = listing["items"]
    assert item["kind"] == "contract_accepted" and item["state"] == "unseen"
    assert item["email"]["status"] == "bounced" and "550" in item["email"]["error"]
    assert item["email"]["address"] == "bounce-" + cfa_user.email


async def test_the_daily_digest_gathers_what_waits_for_it_once(notifier, deliver, client, tokens, mail_api, mail_loop):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    headers = bearer(tokens, cfa_user.account_id, cfa_user.orgs)
    put = await client.put(
        "/preferences/contract_accepted", json={"web": "immediate", "email": "digest"}, headers=headers
    )
    assert put.status_code == 200
    contract_ids = [uuid.uuid4(), uuid.uuid4()]
    for contract_id in contract_ids:
        await deliver(
            world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer.email),
            world.contract(contract_id, c.ContractAccepted, employer),
        )
    listing = (await client.get("/notifications", params={"kind": "contract_accepted"}, headers=headers)).json()
    assert {n["email"]["status"] for n in listing["items"]} == {"digest"}
    assert await mails_to(mail_api, cfa_user.email) == []

    assert await run_digest(notifier, force=True) >= 1

    for _ in range(100):
        mails = await mails_to(mail_api, cfa_user.email)
        if mails:
            break
        await asyncio.sleep(0.1)
    assert [m["subject"] for m in mails] == ["Votre récapitulatif Passerelle : 2 notifications"]
    for contract_id in contract_ids:
        assert f"https://portail.test/contrats/{contract_id}" in mails[0]["text"]
    # Run again: nothing more for this person.
    await run_digest(notifier, force=True)
    await asyncio.sleep(0.5)
    assert len(await mails_to(mail_api, cfa_user.email)) == 1


async def test_one_connection_carries_several_messages_and_survives_a_refusal(notifier, picky_server):
    handler, port = picky_server
    picky = with_mailer(notifier, port, attempts=1)
    addresses = [f"{'bounce' if k % 3 == 0 else 'ok'}-{k}@example.test" for k in range(12)]
    ids = await queue(picky, *addresses)
    await deliver_once(picky)
    got = await statuses(picky, ids)
    assert [got[i][0] for i in ids] == ["bounced" if k % 3 == 0 else "sent" for k in range(12)]
    assert sorted(handler.accepted) == sorted(a for a in addresses if a.startswith("ok-"))


async def test_a_kept_connection_the_server_closed_is_replaced_and_the_mail_still_goes(notifier):
    handler = Picky()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailer = with_mailer(notifier, port, attempts=3)
        [first] = await queue(mailer, "ok-premier@example.test")
        await deliver_once(mailer)
        assert len(mailer.mailer._idle) == 1  # type: ignore[attr-defined] - kept for the next batch
        # The server goes away and comes back (a restart, an idle timeout): the kept connection is dead.
        controller.stop()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        [second] = await queue(mailer, "ok-second@example.test")
        await deliver_once(mailer)
        got = await statuses(mailer, [first, second])
        assert got[first][:2] == ("sent", 1) and got[second][:2] == ("sent", 1)  # not retried later
        mine = [a for a in handler.accepted if a in ("ok-premier@example.test", "ok-second@example.test")]
        assert mine == ["ok-premier@example.test", "ok-second@example.test"]
        await mailer.mailer.close()  # type: ignore[attr-defined]
    finally:
        controller.stop()


async def test_a_sender_killed_mid_batch_leaves_one_mail_in_doubt_sent_again_and_counted(
    notifier, database_url, stack, mail_api
):
    address = f"tue-{uuid.uuid4().hex[:10]}@example.test"
    ids = await queue(notifier, *[address] * 150)
    smtp = (stack.get("PASSERELLE_SMTP_HOST", "127.0.0.1"), stack["PASSERELLE_SMTP_PORT"])
    script = Path(__file__).with_name("mail_sender_process.py")
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(script), database_url, *smtp, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    killed_sender = uuid.UUID((await asyncio.wait_for(process.stdout.readline(), 60)).decode().strip())
    # SIGKILL once the server holds part of the batch.
    while len(await mails_to(mail_api, address)) < 40:
        assert process.returncode is None
        await asyncio.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    left = await by_status(notifier, ids)
    assert left.get("queued", 0) > 0 and left.get("sending", 0) <= 1, left

    # A sender started afterwards queues the one in flight again (its lock is free) and finishes the batch.
    restarted = MailDelivery(database_url, in_doubt_grace_seconds=0)
    await restarted.start(notifier, None, "notifier")
    try:
        for _ in range(300):
            if (await by_status(notifier, ids)).get("sent") == len(ids):
                break
            await asyncio.sleep(0.1)
    finally:
        await restarted.stop()
    assert await by_status(notifier, ids) == {"sent": len(ids)}
    async with notifier.uow_factory() as uow:
        rows = (
            await uow.session.execute(
                sa.select(t.mails.c.id, t.mails.c.resent_in_doubt, t.mails.c.attempts).where(t.mails.c.id.in_(ids))
            )
        ).all()
    counted = {r.id for r in rows if r.resent_in_doubt}
    assert sum(r.resent_in_doubt for r in rows) == len(counted) <= 1
    delivered = Counter(uuid.UUID(m["headers"]["X-Passerelle-Mail-Id"]) for m in await mails_to(mail_api, address))
    message_ids = {m["headers"]["Message-ID"] for m in await mails_to(mail_api, address)}
    assert set(delivered) == set(ids) and len(message_ids) == len(ids)  # one Message-ID per mail, resent or not
    twice = {mail_id for mail_id, n in delivered.items() if n > 1}
    print(f"  killed sender {killed_sender}: {len(counted)} mail in doubt sent again, {len(twice)} delivered twice")
    assert twice <= counted and all(n <= 2 for n in delivered.values())
    assert all(r.attempts == 1 for r in rows if r.id not in counted)


async def by_status(notifier: Notifier, ids: list[uuid.UUID]) -> dict[str, int]:
    return dict(Counter(status for status, _, _ in (await statuses(notifier, ids)).values()))
