from datetime import UTC, datetime, timedelta

from passerelle.notifier.domain.delivery import DeliveryStatus, RetryPolicy, after_failure, is_permanent
from passerelle.notifier.domain.digest import is_due, next_run
from passerelle.notifier.domain.feed import FeedAction, FeedMarks, FeedState, apply

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)


def test_feed_states_move_forward_and_archive_keeps_the_read_state():
    marks = FeedMarks()
    assert marks.state is FeedState.UNSEEN and marks.unread
    marks = apply(marks, FeedAction.SEEN, T0)
    assert marks.state is FeedState.SEEN and marks.unread
    marks = apply(marks, FeedAction.READ, T1)
    assert marks.state is FeedState.READ and not marks.unread and marks.seen_at == T0
    archived = apply(marks, FeedAction.ARCHIVE, T1)
    assert archived.state is FeedState.ARCHIVED and not archived.unread
    assert apply(archived, FeedAction.UNARCHIVE, T1).state is FeedState.READ
    assert apply(marks, FeedAction.UNREAD, T1).state is FeedState.SEEN


def test_reading_an_unseen_notification_also_sees_it_and_repeating_an_action_changes_nothing():
    read = apply(FeedMarks(), FeedAction.READ, T0)
    assert read.seen_at == T0 == read.read_at
    assert apply(read, FeedAction.READ, T1) is read


def test_an_archived_unread_notification_does_not_count_as_unread():
    assert not apply(FeedMarks(), FeedAction.ARCHIVE, T0).unread


def test_retries_back_off_then_fail_and_a_permanent_refusal_bounces_at_once():
    policy = RetryPolicy(max_attempts=3, first_delay=timedelta(seconds=2), factor=3)
    first = after_failure(policy, 1, T0, "421 busy", permanent=False)
    assert first.status is DeliveryStatus.QUEUED and first.next_attempt_at == T0 + timedelta(seconds=2)
    second = after_failure(policy, 2, T0, "421 busy", permanent=False)
    assert second.next_attempt_at == T0 + timedelta(seconds=6)
    assert after_failure(policy, 3, T0, "421 busy", permanent=False).status is DeliveryStatus.FAILED
    assert after_failure(policy, 1, T0, "550 no such user", permanent=True).status is DeliveryStatus.BOUNCED
    assert RetryPolicy(max_delay=timedelta(seconds=10)).delay(50) == timedelta(seconds=10)


def test_only_5xx_replies_are_permanent():
    assert is_permanent(550) and is_permanent(554)
    assert not is_permanent(421) and not is_permanent(None)


def test_the_digest_runs_once_a_day_from_its_local_hour():
    # 7:00 in Paris is 6:00 UTC in winter.
    assert next_run(datetime(2026, 12, 1, 5, 0, tzinfo=UTC), 7, "Europe/Paris") == datetime(
        2026, 12, 1, 6, 0, tzinfo=UTC
    )
    assert next_run(datetime(2026, 12, 1, 6, 0, tzinfo=UTC), 7, "Europe/Paris") == datetime(
        2026, 12, 2, 6, 0, tzinfo=UTC
    )
    assert not is_due(None, datetime(2026, 12, 1, 5, 59, tzinfo=UTC), 7, "Europe/Paris")
    assert is_due(None, datetime(2026, 12, 1, 6, 0, tzinfo=UTC), 7, "Europe/Paris")
    ran = datetime(2026, 12, 1, 6, 0, 5, tzinfo=UTC)
    assert not is_due(ran, datetime(2026, 12, 1, 20, 0, tzinfo=UTC), 7, "Europe/Paris")
    assert is_due(ran, datetime(2026, 12, 2, 6, 0, tzinfo=UTC), 7, "Europe/Paris")
