"""A consumer group's committed offsets, read back for sure before it consumes.

From version 2 of OffsetFetch, a broker that cannot answer for the group yet (its coordinator still loading
`__consumer_offsets` after a restart, or moved to another broker) says so once, in the answer's top-level error code,
with no partitions. aiokafka 0.14 reads only the partitions' codes: to it, such an answer means "nothing committed",
so every partition falls back to `auto_offset_reset` (earliest, for the platform's consumers) and the group replays
its topics' whole history. Seen here: a notifier restarted while the broker came back applied every membership and
contract of the shared broker again, and mailed the newcomers about other people's contracts. The Java client
retries these errors (KAFKA-17279); this module makes aiokafka do the same: the top-level error is raised, so its
retry loop (`fetch_committed_offsets`) asks again, after finding the coordinator again when it moved.
"""

from __future__ import annotations

from typing import Any

from aiokafka import errors
from aiokafka.consumer.group_coordinator import GroupCoordinator
from aiokafka.protocol.commit import OffsetFetchRequest

# The coordinator is elsewhere, or not known yet: look it up again before asking again.
_MOVED = (errors.NotCoordinatorForGroupError, errors.GroupCoordinatorNotAvailableError)


def group_level_error(response: Any) -> errors.KafkaError | None:
    """The error an OffsetFetch answer gives for the whole group, or None (version 0 and 1 have no such field)."""
    code = getattr(response, "error_code", 0)
    return errors.for_code(code)() if code else None


def install() -> None:
    """Once per process; consumers started afterwards read their offsets with the group's error checked."""
    send = GroupCoordinator._send_req
    if getattr(send, "checks_group_errors", False):
        return

    async def send_checked(self: GroupCoordinator, request: Any) -> Any:
        response = await send(self, request)
        if isinstance(request, OffsetFetchRequest) and (error := group_level_error(response)) is not None:
            if isinstance(error, _MOVED):
                self.coordinator_dead()
            # Retriable (loading, moved, not available): aiokafka's loop waits and asks again. Anything else (the
            # group not authorised, say) stops the consumer, which is better than replaying history.
            raise error
        return response

    send_checked.checks_group_errors = True  # type: ignore[attr-defined]
    GroupCoordinator._send_req = send_checked  # type: ignore[method-assign]
