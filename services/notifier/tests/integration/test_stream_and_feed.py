"""The notification centre over real HTTP: the SSE stream (auth, tabs in sync, Last-Event-ID), states, isolation.

The notifier runs as its own uvicorn process on the test database; events reach it through the consumer group
run in the test (same database), so the stream is woken by PostgreSQL NOTIFY across processes.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.sse import SseStream
from passerelle.schemas.events import contracts as c

from .conftest import bearer, unique_address
from .test_notifications import notifications_of
from .world import World

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(database_url, tokens, stack, tmp_path_factory):
    with tokens.serve_jwks() as jwks_url:
        env = {
            "NOTIFIER_DATABASE_URL": database_url,
            "NOTIFIER_JWKS_URL": jwks_url,
            "NOTIFIER_CONSUMERS_ENABLED": "false",
            "NOTIFIER_RELAY_IN_PROCESS": "false",
            "NOTIFIER_BACKGROUND_ENABLED": "false",
            "NOTIFIER_LOG_JSON": "false",
            "NOTIFIER_STREAM_KEEPALIVE_SECONDS": "1",
        }
        log_dir = tmp_path_factory.mktemp("notifier-logs")
        process = ServiceProcess.uvicorn("notifier", "passerelle.notifier.main:app", env, log_dir).start()
        try:
            yield process.url
        finally:
            process.stop()


def is_kind(kind: str):
    return lambda e: e.event == "notification" and e.json()["notification"]["kind"] == kind


async def test_the_stream_is_personal_in_sync_across_tabs_and_resumes_after_a_drop(server, deliver, tokens):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    me = bearer(tokens, cfa_user.account_id, cfa_user.orgs)
    url = f"{server}/notifications/stream"

    async with httpx.AsyncClient(base_url=server, timeout=10) as http:
        assert (await http.get("/notifications/stream")).status_code == 401
        assert (await http.get("/notifications/stream", headers={"Authorization": "Bearer nope"})).status_code == 401

        contract_id = uuid.uuid4()
        async with (
            SseStream(url, me) as tab1,
            SseStream(url, me) as tab2,
            SseStream(url, bearer(tokens, employer.account_id, employer.orgs)) as other,
        ):
            assert tab1.status_code == 200
            await tab1.wait_for(lambda e: e.event == "sync")
            await deliver(
                world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer.email),
                world.contract(contract_id, c.ContractAccepted, employer),
            )
            accepted = (await tab1.wait_for(is_kind("contract_accepted"))).json()
            assert (await tab2.wait_for(is_kind("contract_accepted"))).json()["notification"]["id"] == accepted[
                "notification"
            ]["id"]
            assert accepted["unread"] >= 1
            # Read in one tab: the other hears of it.
            notification_id = accepted["notification"]["id"]
            read = await http.post(f"/notifications/{notification_id}/read", headers=me)
            assert read.status_code == 200 and read.json()["state"] == "read"
            await tab2.wait_for(
                lambda e: e.event == "notification.updated" and e.json()["notification"]["state"] == "read"
            )
            # The employer's stream carries the employer's notification (the proposal), never the CFA's.
            await other.wait_for(is_kind("contract_proposed"))
            assert not [
                e
                for e in other.events
                if e.event == "notification" and e.json()["notification"]["id"] == notification_id
            ]
            await tab1.wait_for(
                lambda e: e.event == "notification.updated" and e.json()["notification"]["state"] == "read"
            )
            dropped_at = tab1.last_id
            accepted_id = (await tab1.wait_for(is_kind("contract_accepted"))).id

        # While no tab is open, more happens; a reconnect with Last-Event-ID replays exactly what was missed.
        await deliver(
            world.contract(
                contract_id, c.ContractTransmitted, employer, revision=1, form={}, transmitted_at=accepted_time()
            )
        )
        async with SseStream(url, me, last_event_id=dropped_at) as again:
            missed = await again.wait_for(is_kind("contract_transmitted"))
            assert int(missed.id or 0) > int(dropped_at or 0)
            replayed = [e for e in again.events if e.event.startswith("notification")]
            assert replayed[-1] is missed and all(e.event == "notification.updated" for e in replayed[:-1])
        # From further back, the read made meanwhile comes first, then the new one.
        async with SseStream(url, me, last_event_id=accepted_id) as older:
            await older.wait_for(is_kind("contract_transmitted"))
            *before, last = older.events
            assert last.event == "notification" and before  # the e-mail's delivery also updates the acceptance
            assert {(e.event, e.json()["notification"]["id"]) for e in before} == {
                ("notification.updated", notification_id)
            }
            assert before[-1].json()["notification"]["state"] == "read"
        assert (await http.get("/notifications/count", headers=me)).json()["unread"] == 2  # membership, transmission


def accepted_time():
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def test_states_filters_and_isolation(server, deliver, tokens):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    first, second = uuid.uuid4(), uuid.uuid4()
    for contract_id in (first, second):
        await deliver(
            world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=unique_address("x")),
            world.contract(contract_id, c.ContractAccepted, employer),
        )
    me = bearer(tokens, cfa_user.account_id, cfa_user.orgs)
    stranger = bearer(tokens, uuid.uuid4())
    async with httpx.AsyncClient(base_url=server, timeout=10) as http:
        page = (
            await http.get("/notifications", params={"kind": "contract_accepted", "per_page": 1}, headers=me)
        ).json()
        assert page["total"] == 2 and len(page["items"]) == 1 and page["items"][0]["contract_id"] == str(second)
        page2 = (
            await http.get("/notifications", params={"kind": "contract_accepted", "per_page": 1, "page": 2}, headers=me)
        ).json()
        assert page2["items"][0]["contract_id"] == str(first)
        by_contract = (await http.get(f"/contracts/{first}/notifications", headers=me)).json()
        assert [n["contract_id"] for n in by_contract["items"]] == [str(first)]
        target = page["items"][0]["id"]
        assert page["items"][0]["state"] == "unseen"

        assert (await http.get(f"/notifications/{target}", headers=stranger)).status_code == 404
        assert (await http.post(f"/notifications/{target}/read", headers=stranger)).json()["error"][
            "code"
        ] == "notification_not_found"
        assert (await http.get("/notifications", headers=stranger)).json()["total"] == 0

        assert (await http.post(f"/notifications/{target}/seen", headers=me)).json()["state"] == "seen"
        assert (await http.post(f"/notifications/{target}/archive", headers=me)).json()["state"] == "archived"
        active = (await http.get("/notifications", params={"kind": "contract_accepted"}, headers=me)).json()
        assert [n["contract_id"] for n in active["items"]] == [str(first)]
        archived = (await http.get("/notifications", params={"state": "archived"}, headers=me)).json()
        assert [n["id"] for n in archived["items"]] == [target]
        assert (await http.post(f"/notifications/{target}/unarchive", headers=me)).json()["state"] == "seen"
        counts = (await http.get("/notifications/count", headers=me)).json()
        assert counts["unread"] == 3  # two acceptances and the membership
        done = (await http.post("/notifications/read-all", params={"contract_id": str(first)}, headers=me)).json()
        assert done["updated"] == 1 and done["unread"] == 2
        done = (await http.post("/notifications/read-all", headers=me)).json()
        assert done["updated"] == 2 and done["unread"] == 0
        assert (await http.get("/notifications", params={"state": "unread"}, headers=me)).json()["total"] == 0
        bad = await http.get("/notifications", params={"per_page": 0}, headers=me)
        assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["path"] == "per_page"


async def test_the_stream_reads_a_long_backlog_page_after_page_and_knows_when_it_is_done(notifier):
    """A stream reads the change log again at once only after a full page; otherwise it waits to be woken."""
    from datetime import UTC, datetime

    from passerelle.notifier.service_layer import stream

    account = uuid.uuid4()
    async with notifier.uow_factory() as uow:
        for k in range(stream.PAGE + 1):
            await uow.notifications.record_change(account, "sync", {"k": k}, datetime.now(UTC))
        await uow.commit()
    async with notifier.uow_factory() as uow:
        first, more = await stream.changes_after(uow, account, 0)
        assert len(first) == stream.PAGE and more
        rest, more = await stream.changes_after(uow, account, first[-1].id)
        assert [e.data["k"] for e in rest] == [stream.PAGE] and not more
        assert await stream.changes_after(uow, account, rest[-1].id) == ([], False)


async def test_a_wake_reads_the_changes_their_notifications_and_the_counts_in_one_statement(service, deliver, notifier):
    """Each wake of each open stream costs one statement: the page of changes, the notification each names (with
    its mail) and the counts, joined; what it sends is what the notification list shows."""
    from sqlalchemy import event

    from passerelle.notifier.service_layer import stream

    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer_admin = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    contract_id = uuid.uuid4()
    await deliver(
        world.contract(contract_id, c.ContractDrafted, cfa_user),
        world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer_admin.email),
    )
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001 - SQLAlchemy's
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    engine = service.engine.sync_engine
    event.listen(engine, "after_cursor_execute", count)
    try:
        async with notifier.uow_factory() as uow:
            events, more = await stream.changes_after(uow, employer_admin.account_id, 0)
    finally:
        event.remove(engine, "after_cursor_execute", count)
    assert len(statements) == 1 and not more
    shown = {e.data["notification"]["kind"]: e.data for e in events if "notification" in e.data}
    assert sorted(shown) == ["contract_proposed", "membership_granted"]  # the admin was told of its membership
    proposed = shown["contract_proposed"]["notification"]
    assert proposed["contract_id"] == str(contract_id) and proposed["email"]["status"] == "queued"
    assert proposed["email"]["address"] == employer_admin.email
    assert all((data["unread"], data["unseen"]) == (2, 2) for data in shown.values())
    listed = await notifications_of(notifier, account_id=employer_admin.account_id)
    assert {str(n.id) for n in listed} == {data["notification"]["id"] for data in shown.values()}
