"""The legal clocks of a case: the filing period and the decision period, with exact intervals.

The decision period runs only while the file is complete. An anomaly stops it; the file becoming complete
again (the missing document received, the corrected contract transmitted) starts it again, from zero or
where it stopped, as the versioned `correction_effect` parameter says. Every interval keeps its exact
timestamps. Dates are counted in Paris time, in the unit the text uses (days or jours ouvrables); a
period counted in days expires at the end of its last day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .calendar import add_working_days, working_days_between
from .legal import clock_parameter

PARIS = ZoneInfo("Europe/Paris")


def local_date(at: datetime) -> date:
    return at.astimezone(PARIS).date()


def end_of_day(day: date) -> datetime:
    """The instant a period whose last day is `day` expires (midnight after it, Paris time)."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=PARIS)


@dataclass(frozen=True)
class Period:
    count: int
    unit: str  # "days" | "working_days"
    reference: str
    silence: str | None = None  # "refusal" | "acceptance" for the decision period

    def add_to(self, day: date) -> date:
        return add_working_days(day, self.count) if self.unit == "working_days" else day + timedelta(days=self.count)

    def between(self, start: date, end: date) -> int:
        return working_days_between(start, end) if self.unit == "working_days" else (end - start).days

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "unit": self.unit, "reference": self.reference, "silence": self.silence}

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Period:
        return cls(raw["count"], raw["unit"], raw["reference"], raw.get("silence"))


def filing_period(contract_type: str, on: date) -> Period:
    p = clock_parameter(f"filing_period.{contract_type}", on)
    return Period(p.value["count"], p.value["unit"], p.reference)


def decision_period(contract_type: str, on: date) -> Period:
    p = clock_parameter(f"decision_period.{contract_type}", on)
    return Period(p.value["count"], p.value["unit"], p.reference, p.value["silence"])


@dataclass(frozen=True)
class Filing:
    """How the file's transmission stands against the filing period."""

    contract_start: date
    due_on: date
    received_on: date
    late_by: int  # in the period's unit; 0 when on time
    period: Period

    @classmethod
    def of(cls, contract_type: str, contract_start: date, received_at: datetime) -> Filing:
        received_on = local_date(received_at)
        period = filing_period(contract_type, contract_start)
        due = period.add_to(contract_start)
        late = max(0, period.between(due, received_on))
        return cls(contract_start, due, received_on, late, period)


@dataclass
class Interval:
    started_at: datetime
    start_reason: str
    ended_at: datetime | None = None
    end_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "start_reason": self.start_reason,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "end_reason": self.end_reason,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Interval:
        return cls(
            datetime.fromisoformat(raw["started_at"]),
            raw["start_reason"],
            datetime.fromisoformat(raw["ended_at"]) if raw.get("ended_at") else None,
            raw.get("end_reason"),
        )


@dataclass
class DecisionClock:
    """The decision period of one case: its parameters (fixed at receipt) and its running intervals."""

    period: Period
    correction_effect: str  # "restart" | "continue"
    correction_reference: str
    intervals: list[Interval] = field(default_factory=list)
    stopped_reason: str | None = None  # set when a decision ends the clock for good

    @classmethod
    def for_case(cls, contract_type: str, received_at: datetime) -> DecisionClock:
        on = local_date(received_at)
        effect = clock_parameter("correction_effect", on)
        return cls(decision_period(contract_type, on), effect.value, effect.reference)

    @property
    def running(self) -> bool:
        return bool(self.intervals) and self.intervals[-1].ended_at is None and self.stopped_reason is None

    def start(self, at: datetime, reason: str) -> None:
        if self.running or self.stopped_reason is not None:
            return
        self.intervals.append(Interval(at, reason))

    def pause(self, at: datetime, reason: str) -> None:
        if self.running:
            self.intervals[-1].ended_at = at
            self.intervals[-1].end_reason = reason

    def stop(self, at: datetime, reason: str) -> None:
        self.pause(at, reason)
        self.stopped_reason = reason

    def complete_since(self) -> datetime | None:
        return self.intervals[-1].started_at if self.intervals else None

    def days_used_before(self) -> int:
        """Days of the period already used by the intervals before the current one ("continue" only)."""
        if self.correction_effect != "continue":
            return 0
        closed = self.intervals[:-1] if self.running else self.intervals
        return sum(self.period.between(local_date(i.started_at), local_date(i.ended_at)) for i in closed if i.ended_at)

    def due_on(self) -> date | None:
        """The last day of the period, while it runs."""
        if not self.running:
            return None
        start = local_date(self.intervals[-1].started_at)
        remaining = max(0, self.period.count - self.days_used_before())
        return Period(remaining, self.period.unit, self.period.reference).add_to(start)

    def due_at(self) -> datetime | None:
        due = self.due_on()
        return end_of_day(due) if due else None

    def remaining(self, now: datetime) -> timedelta | None:
        due = self.due_at()
        return None if due is None else due - now

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.as_dict(),
            "correction_effect": self.correction_effect,
            "correction_reference": self.correction_reference,
            "intervals": [i.as_dict() for i in self.intervals],
            "stopped_reason": self.stopped_reason,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DecisionClock:
        return cls(
            Period.of(raw["period"]),
            raw["correction_effect"],
            raw["correction_reference"],
            [Interval.from_dict(i) for i in raw["intervals"]],
            raw.get("stopped_reason"),
        )
