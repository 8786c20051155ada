"""Which of two versions of an aggregate is newer: by the revision the event carries, never by a clock.

Each event type has its own topic, so a contract's events can arrive out of order across topics. Every
consumer keeps, for each aggregate it projects, the revision it last applied, and decides with
`decide(incoming, known)`:

- NEWER: apply it and store the incoming revision;
- STALE: an older (or the same) state already applied: skip it (the inbox still records the event);
- an event that needs a state not seen yet raises `NotYetApplicable`: the consumer group retries it with
  backoff and parks it if it never becomes applicable; it is never dropped.

`occurred_at` is set by the producer's clock (or a forger): it never decides. For SQL projections,
`upsert_if_newer` writes the rule as one statement (`ON CONFLICT ... DO UPDATE ... WHERE stored < incoming`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert


class Decision(StrEnum):
    NEWER = "newer"
    STALE = "stale"


class NotYetApplicable(Exception):
    """The event depends on a state this consumer has not seen yet (its cause is still on another topic)."""


def decide(incoming: int | None, known: int | None) -> Decision:
    """NEWER when nothing is known yet or the incoming revision is strictly greater; STALE otherwise.

    An event without a revision (from a producer older than the rule) is applied only when nothing is known.
    """
    if known is None:
        return Decision.NEWER
    if incoming is None:
        return Decision.STALE
    return Decision.NEWER if incoming > known else Decision.STALE


def is_newer(incoming: int | None, known: int | None) -> bool:
    return decide(incoming, known) is Decision.NEWER


def newer_revision(incoming: Any, stored: Any) -> Any:
    """The SQL condition of `decide(incoming, stored) is NEWER`, for two revision columns or expressions."""
    return sa.or_(stored.is_(None), incoming > stored)


def upsert_if_newer(
    table: sa.Table, values: Mapping[str, Any], *, key: Sequence[str], revision: str = "revision"
) -> Any:
    """An INSERT that, on a key already stored, updates the row only if the stored revision is older.

    Execute it in the consumer's unit of work: `await uow.session.execute(upsert_if_newer(...))`.
    """
    statement = insert(table).values(**values)
    updated = {name: statement.excluded[name] for name in values if name not in key}
    stored = table.c[revision]
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_=updated,
        where=newer_revision(statement.excluded[revision], stored),
    )
