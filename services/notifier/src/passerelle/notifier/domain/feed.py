"""The web feed's states: unseen -> seen -> read, and archived beside them (archiving keeps the read state)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class FeedState(StrEnum):
    UNSEEN = "unseen"
    SEEN = "seen"
    READ = "read"
    ARCHIVED = "archived"


class FeedAction(StrEnum):
    SEEN = "seen"
    READ = "read"
    UNREAD = "unread"
    ARCHIVE = "archive"
    UNARCHIVE = "unarchive"


@dataclass(frozen=True)
class FeedMarks:
    seen_at: datetime | None = None
    read_at: datetime | None = None
    archived_at: datetime | None = None

    @property
    def state(self) -> FeedState:
        if self.archived_at:
            return FeedState.ARCHIVED
        if self.read_at:
            return FeedState.READ
        if self.seen_at:
            return FeedState.SEEN
        return FeedState.UNSEEN

    @property
    def unread(self) -> bool:
        return self.read_at is None and self.archived_at is None


def apply(marks: FeedMarks, action: FeedAction, now: datetime) -> FeedMarks:
    """The marks after an action; an action that changes nothing returns the same marks (idempotent)."""
    match action:
        case FeedAction.SEEN:
            return marks if marks.seen_at else replace(marks, seen_at=now)
        case FeedAction.READ:
            if marks.read_at:
                return marks
            return replace(marks, seen_at=marks.seen_at or now, read_at=now)
        case FeedAction.UNREAD:
            return replace(marks, read_at=None) if marks.read_at else marks
        case FeedAction.ARCHIVE:
            return marks if marks.archived_at else replace(marks, archived_at=now)
        case FeedAction.UNARCHIVE:
            return replace(marks, archived_at=None) if marks.archived_at else marks
    return marks  # pragma: no cover
