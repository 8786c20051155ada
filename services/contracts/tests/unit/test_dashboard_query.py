"""The dashboard's periods: whole days in the platform's time zone, both ends included, reversed ones refused
field by field (the HTTP and SQL sides are tested in the integration tests)."""

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from passerelle.contracts.service_layer.queries import DayRange, dashboard_query
from passerelle.libs.auth import Principal
from passerelle.libs.errors import InvalidInput

PARIS = ZoneInfo("Europe/Paris")


def test_a_period_runs_from_midnight_of_its_first_day_to_midnight_after_its_last_in_paris():
    since, before = DayRange(date(2026, 3, 6), date(2026, 3, 6)).instants(PARIS)
    assert since == datetime(2026, 3, 5, 23, 0, tzinfo=UTC)  # winter: Paris is UTC+1
    assert before == datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    since, before = DayRange(date(2026, 7, 1), None).instants(PARIS)
    assert since == datetime(2026, 6, 30, 22, 0, tzinfo=UTC) and before is None  # summer: UTC+2


def test_reversed_periods_are_refused_each_at_its_own_end():
    principal = Principal(subject=uuid.uuid4(), kind="user", email=None, name=None, memberships=())
    with pytest.raises(InvalidInput) as refused:
        dashboard_query(
            principal,
            created=DayRange(date(2026, 5, 1), date(2026, 4, 1)),
            start=DayRange(date(2026, 9, 1), date(2026, 9, 1)),
            transmitted=DayRange(date(2026, 2, 2), date(2026, 2, 1)),
        )
    paths = [(f.path, f.code) for f in refused.value.fields]
    assert paths == [("created_to", "range_reversed"), ("transmitted_to", "range_reversed")]
