"""A group-level OffsetFetch error is retried, never read as "nothing committed" (passerelle.libs.committed_offsets).

aiokafka's own `fetch_committed_offsets` loop is driven here with the broker's answers crafted in its protocol
classes: what a restarted broker sends while its group coordinator loads, then the committed offsets."""

from __future__ import annotations

import pytest
from aiokafka import TopicPartition, errors
from aiokafka.consumer.group_coordinator import GroupCoordinator
from aiokafka.protocol.commit import OffsetFetchResponse_v3

from passerelle.libs import committed_offsets

TP = TopicPartition("contract.transmitted", 0)
LOADING = errors.GroupLoadInProgressError.errno  # 14, COORDINATOR_LOAD_IN_PROGRESS
NOT_COORDINATOR = errors.NotCoordinatorForGroupError.errno  # 16


def answer(error_code: int, offset: int | None = None) -> OffsetFetchResponse_v3:
    partitions = [] if offset is None else [(TP.topic, [(TP.partition, offset, "", 0)])]
    return OffsetFetchResponse_v3(0, partitions, error_code)


class Client:
    """The coordinator's connection: the answers the broker gives, in order, and what was asked."""

    def __init__(self, answers: list[OffsetFetchResponse_v3]) -> None:
        self.answers = answers
        self.asked = 0

    async def send(self, node_id: int, request: object, group: object = None) -> OffsetFetchResponse_v3:
        self.asked += 1
        return self.answers.pop(0)


def coordinator(client: Client) -> GroupCoordinator:
    """A GroupCoordinator with only what fetching offsets uses (its constructor starts a whole consumer)."""
    c = GroupCoordinator.__new__(GroupCoordinator)
    c.group_id = "notifier-test"
    c.coordinator_id = 1
    c._client = client
    c._retry_backoff_ms = 1
    c.lookups = 0  # type: ignore[attr-defined]

    async def ensure_coordinator_known() -> None:
        if c.coordinator_id is None:
            c.lookups += 1  # type: ignore[attr-defined]
            c.coordinator_id = 1

    def coordinator_dead() -> None:
        c.coordinator_id = None

    c.ensure_coordinator_known = ensure_coordinator_known  # type: ignore[method-assign]
    c.coordinator_dead = coordinator_dead  # type: ignore[method-assign]
    return c


@pytest.fixture(autouse=True)
def installed() -> None:
    committed_offsets.install()
    committed_offsets.install()  # twice is once


async def test_a_loading_coordinator_is_asked_again_until_it_gives_the_committed_offset():
    client = Client([answer(LOADING), answer(LOADING), answer(0, offset=41)])
    offsets = await coordinator(client).fetch_committed_offsets([TP])
    # Without the check, the first answer reads as {} and the partition starts from the earliest record.
    assert {tp: o.offset for tp, o in offsets.items()} == {TP: 41}
    assert client.asked == 3


async def test_a_moved_coordinator_is_looked_up_again_before_asking_again():
    client = Client([answer(NOT_COORDINATOR), answer(0, offset=7)])
    c = coordinator(client)
    offsets = await c.fetch_committed_offsets([TP])
    assert {tp: o.offset for tp, o in offsets.items()} == {TP: 7}
    assert c.lookups == 1  # type: ignore[attr-defined]


async def test_a_group_not_authorised_stops_the_consumer_rather_than_replaying_history():
    client = Client([answer(errors.GroupAuthorizationFailedError.errno)])
    with pytest.raises(errors.GroupAuthorizationFailedError):
        await coordinator(client).fetch_committed_offsets([TP])


async def test_nothing_committed_is_still_nothing_committed():
    # A partition without a committed offset (-1, no error): the consumer starts where auto_offset_reset says.
    client = Client([answer(0, offset=-1)])
    assert await coordinator(client).fetch_committed_offsets([TP]) == {}
