from datetime import UTC, date, datetime

from passerelle.opco_processing.domain.clocks import DecisionClock, Filing, end_of_day
from passerelle.opco_processing.domain.legal import clock_parameter


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_parameters_are_versioned_with_their_article():
    p = clock_parameter("decision_period.apprentissage", date(2026, 9, 1))
    assert p.value == {"count": 20, "unit": "days", "silence": "refusal"}
    assert "D6224-2" in p.reference
    assert clock_parameter("decision_period.professionnalisation", date(2026, 9, 1)).value["silence"] == "acceptance"
    assert "D6325-1" in clock_parameter("filing_period.professionnalisation", date(2026, 9, 1)).reference


def test_apprenticeship_filing_counts_working_days_and_shows_lateness():
    # Contract starts Monday 9 Nov 2026; 11 Nov is a holiday: due Monday 16 Nov; received Thursday 19.
    filing = Filing.of("apprentissage", date(2026, 11, 9), at(date(2026, 11, 19)))
    assert filing.due_on == date(2026, 11, 16)
    assert filing.late_by == 3  # 17, 18, 19


def test_professionalisation_filing_counts_days():
    filing = Filing.of("professionnalisation", date(2026, 11, 9), at(date(2026, 11, 14)))
    assert filing.due_on == date(2026, 11, 14)
    assert filing.late_by == 0


def test_decision_is_due_twenty_days_after_the_complete_file_at_the_end_of_the_day():
    clock = DecisionClock.for_case("apprentissage", at(date(2026, 11, 2)))
    clock.start(at(date(2026, 11, 2)), "reçu")
    assert clock.due_on() == date(2026, 11, 22)
    assert clock.due_at() == end_of_day(date(2026, 11, 22))


def test_an_anomaly_restarts_the_period_when_the_file_is_complete_again():
    clock = DecisionClock.for_case("apprentissage", at(date(2026, 11, 2)))
    clock.start(at(date(2026, 11, 2)), "reçu")
    clock.pause(at(date(2026, 11, 10)), "anomalie")
    assert clock.due_on() is None and not clock.running
    clock.start(at(date(2026, 11, 20)), "pièce reçue")
    assert clock.due_on() == date(2026, 12, 10)
    assert [i.ended_at for i in clock.intervals] == [at(date(2026, 11, 10)), None]


def test_with_continue_the_period_resumes_where_it_stopped():
    clock = DecisionClock.for_case("apprentissage", at(date(2026, 11, 2)))
    clock.correction_effect = "continue"
    clock.start(at(date(2026, 11, 2)), "reçu")
    clock.pause(at(date(2026, 11, 10)), "anomalie")  # 8 days used
    clock.start(at(date(2026, 11, 20)), "pièce reçue")
    assert clock.due_on() == date(2026, 12, 2)  # 12 days left


def test_clock_round_trips_through_its_stored_form():
    clock = DecisionClock.for_case("professionnalisation", at(date(2026, 1, 5)))
    clock.start(at(date(2026, 1, 5)), "reçu")
    clock.pause(at(date(2026, 1, 6)), "anomalie")
    assert DecisionClock.from_dict(clock.as_dict()) == clock
