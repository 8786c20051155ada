"""A committed mail wakes one idle sender, not all of them (MailDelivery's dispatch of the NOTIFYs)."""

from __future__ import annotations

import asyncio

from passerelle.notifier.entrypoints.background import MailDelivery


def idle_senders(delivery: MailDelivery, n: int) -> list[asyncio.Event]:
    waiting = [asyncio.Event() for _ in range(n)]
    delivery._idle.extend(waiting)
    return waiting


def test_one_mail_wakes_one_idle_sender_the_longest_idle():
    delivery = MailDelivery("postgresql+psycopg://u:p@127.0.0.1:1/db", senders=4)
    waiting = idle_senders(delivery, 4)
    delivery._notified("1")
    assert [w.is_set() for w in waiting] == [True, False, False, False]
    assert delivery.wakeups == 1 and delivery._unclaimed == 0


def test_a_transaction_of_several_mails_wakes_as_many_senders_and_the_rest_waits_for_a_busy_one():
    delivery = MailDelivery("postgresql+psycopg://u:p@127.0.0.1:1/db", senders=4)
    waiting = idle_senders(delivery, 2)
    delivery._notified("3")
    assert all(w.is_set() for w in waiting) and delivery.wakeups == 2
    # One mail found no idle sender: the next sender about to wait looks again instead (bounded by the senders).
    assert delivery._unclaimed == 1
    delivery._notified("40")
    assert delivery._unclaimed == 4


def test_a_reconnection_wakes_every_idle_sender():
    delivery = MailDelivery("postgresql+psycopg://u:p@127.0.0.1:1/db", senders=3)
    waiting = idle_senders(delivery, 3)
    delivery._notified(None)
    assert all(w.is_set() for w in waiting)
