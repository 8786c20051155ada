"""The kit's fake unit of work: what a use case published is kept only by a commit, on the test's shared store."""

from datetime import UTC, datetime

import pytest

from passerelle.libs.testing.fakes import CommitFailed, FakeStore, FakeUnitOfWork
from passerelle.schemas.events.platform import ProbeRecorded


def probe() -> ProbeRecorded:
    return ProbeRecorded(key="k", sequence=1, run_id="test", recorded_at=datetime(2026, 9, 1, tzinfo=UTC))


async def test_units_of_work_of_one_test_share_the_store_and_only_commits_keep_events():
    store = FakeStore()
    async with FakeUnitOfWork("svc", store) as first:
        first.publish(probe())
    assert store.events == [] and store.commits == 0  # left without a commit: rolled back
    async with FakeUnitOfWork("svc", store) as second:
        second.publish(probe())
        await second.commit()
    async with FakeUnitOfWork("svc", store) as third:
        third.publish(probe())
        await third.commit()
    assert len(store.events) == 2 and store.commits == 2
    assert second.commits == 1 and second.topics() == [ProbeRecorded.topic]


async def test_the_store_fails_the_next_commits_of_any_unit_of_work():
    store = FakeStore(fail_commits=1)
    async with FakeUnitOfWork("svc", store) as uow:
        uow.publish(probe())
        with pytest.raises(CommitFailed):
            await uow.commit()
        assert store.events == [] and store.commits == 0
        uow.publish(probe())
        await uow.commit()
    assert len(store.events) == 1 and store.fail_commits == 0
