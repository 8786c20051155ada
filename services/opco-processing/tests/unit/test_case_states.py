from datetime import date, timedelta
from uuid import uuid4

import pytest

from passerelle.opco_processing.domain.case import (
    Anomaly,
    AnomalyKind,
    CaseStatus,
    Check,
    CheckResult,
    Deposit,
)
from passerelle.opco_processing.domain.errors import CaseError

from .cases import REVIEWER, T0, new_case, revision


def passing() -> list[Check]:
    return [Check(id="A", label="A", result=CheckResult.PASSED, reason="ok", reference="ref")]


def failing() -> list[Check]:
    return [Check(id="B", label="B", result=CheckResult.FAILED, reason="non", reference="ref")]


def anomalies(rev: int = 1) -> list[Anomaly]:
    return [
        Anomaly(
            code="MISSING_DOCUMENT:convention_mobilite",
            kind=AnomalyKind.MISSING_DOCUMENT,
            document_type="convention_mobilite",
            tab="documents",
            reason="Convention de mobilité manquante",
            revision=rev,
            raised_at=T0,
        ),
        Anomaly(
            code="FIELD:employee.first_name",
            kind=AnomalyKind.FIELD_ERROR,
            tab="salarie",
            field="employee.first_name",
            reason="Prénom mal orthographié",
            revision=rev,
            raised_at=T0,
        ),
    ]


def test_opening_records_the_receipt_and_publishes_case_opened():
    case = new_case()
    assert case.status == CaseStatus.RECEIVED
    assert [o.topic for o in case.outbox] == ["case.opened"]
    assert case.outbox[0].payload["decision_due_on"] == "2025-09-23"
    assert case.history[0].action == "case_opened"


def test_checks_make_a_case_ready_or_in_review():
    ready, review = new_case(), new_case()
    assert ready.record_checks(1, passing(), {"amount": "100.00"}, T0) is True
    assert ready.status == CaseStatus.READY
    assert review.record_checks(1, failing(), None, T0) is True  # recorded, though failing
    assert review.status == CaseStatus.IN_REVIEW
    # Checks of a stale revision are not recorded.
    assert review.record_checks(0, passing(), None, T0) is False


def test_engaging_needs_passing_checks_or_an_override():
    case = new_case()
    case.record_checks(1, failing(), None, T0)
    with pytest.raises(CaseError) as err:
        case.engage(REVIEWER, "OPCOEP-2025-000001", T0)
    assert err.value.code == "checks_failed" and err.value.kind == "conflict"
    with pytest.raises(CaseError):
        case.override_check("B", CheckResult.PASSED, "  ", REVIEWER, T0)
    case.override_check("B", CheckResult.PASSED, "Pièce vérifiée par téléphone", REVIEWER, T0)
    assert case.status == CaseStatus.READY
    letter = case.engage(REVIEWER, "OPCOEP-2025-000001", T0)
    assert case.status == CaseStatus.ENGAGED and case.file_number == "OPCOEP-2025-000001"
    assert letter.status == "pending" and letter.topic == "contract.engaged"
    # The decision's event waits for its letter.
    assert "contract.engaged" not in [o.topic for o in case.outbox]
    assert case.letter_stored(letter.id, uuid4(), T0) is True
    assert case.outbox[-1].topic == "contract.engaged"
    assert case.letter_stored(letter.id, uuid4(), T0) is False  # nothing twice
    assert [h.action for h in case.history][-3:] == ["check_overridden", "engaged", "letter_stored"]


def test_anomaly_pauses_the_clock_and_a_received_document_resumes_the_case_by_itself():
    case = new_case()
    case.record_checks(1, passing(), None, T0)
    only_document = anomalies()[:1]
    letter = case.raise_anomaly(only_document, date(2025, 10, 1), REVIEWER, T0 + timedelta(days=2))
    case.letter_stored(letter.id, uuid4(), T0 + timedelta(days=2))
    assert case.status == CaseStatus.ANOMALY_PENDING and case.due_at() is None
    assert case.document_received("convention_formation", uuid4(), T0) == []  # not awaited
    resolved = case.document_received("convention_mobilite", uuid4(), T0 + timedelta(days=5))
    assert resolved == ["MISSING_DOCUMENT:convention_mobilite"]
    assert case.status == CaseStatus.RECEIVED  # checks run again on the completed file
    assert case.outbox[-1].topic == "anomaly.resolved"
    # The period restarts on the day the file became complete.
    assert case.clock.due_on() == (T0 + timedelta(days=5)).date() + timedelta(days=20)


def test_a_corrected_revision_closes_the_fixed_anomalies():
    case = new_case()
    case.record_checks(1, passing(), None, T0)
    letter = case.raise_anomaly(anomalies(), None, REVIEWER, T0)
    case.letter_stored(letter.id, uuid4(), T0)
    case.document_received("convention_mobilite", uuid4(), T0)
    assert case.status == CaseStatus.ANOMALY_PENDING  # the field is still awaited
    fixed = revision(2, T0 + timedelta(days=3))
    fixed.form["employee"]["first_name"] = "Léa"
    assert case.receive_revision(fixed, T0 + timedelta(days=3)) is True
    assert case.status == CaseStatus.RECEIVED and case.open_anomalies == []
    assert case.outbox[-1].payload["codes"] == ["FIELD:employee.first_name"]
    assert case.receive_revision(revision(2), T0) is False  # not newer: ignored


def test_refusal_must_be_motivated():
    case = new_case()
    case.record_checks(1, passing(), None, T0)
    with pytest.raises(CaseError):
        case.refuse("non", REVIEWER, T0)
    letter = case.refuse("La certification n'est pas inscrite au RNCP.", REVIEWER, T0)
    assert case.status == CaseStatus.REFUSED and letter.document_type == "autre"
    with pytest.raises(CaseError):
        case.engage(REVIEWER, "X", T0)


def test_silence_means_refusal_for_apprenticeship_and_acceptance_for_professionalisation():
    app, pro = new_case("apprentissage"), new_case("professionnalisation")
    for case in (app, pro):
        case.record_checks(1, passing(), None, T0)
    due = app.clock.due_at()
    assert due is not None
    assert app.expire(due - timedelta(seconds=1), None) is None
    letter = app.expire(due, None)
    assert letter is not None and app.status == CaseStatus.IMPLICITLY_REFUSED
    assert app.expire(due, None) is None  # exactly once
    letter = pro.expire(pro.clock.due_at(), "OPCOEP-2025-000002")
    assert pro.status == CaseStatus.IMPLICITLY_ACCEPTED and letter.topic == "contract.engaged"
    assert "D6325-2" in pro.decisions[-1].legal_basis


def test_alerts_fire_once_per_deadline_and_threshold():
    case = new_case()
    due = case.clock.due_at()
    assert case.alert_due(due - timedelta(days=6), [5, 2]) == []
    assert case.alert_due(due - timedelta(days=4), [5, 2]) == [5]
    case.record_alert(5, due - timedelta(days=4))
    assert case.alert_due(due - timedelta(days=1), [5, 2]) == [2]
    assert case.outbox[-1].topic == "deadline.approached"


def test_deposit_of_an_engaged_case():
    case = new_case()
    case.record_checks(1, passing(), None, T0)
    with pytest.raises(CaseError):
        case.record_deposit(Deposit(status="deposited", at=T0, number="D1"), T0)
    letter = case.engage(REVIEWER, "N1", T0)
    case.letter_stored(letter.id, uuid4(), T0)
    case.record_deposit(Deposit(status="deposited", at=T0, number="DECA-1"), T0)
    assert case.status == CaseStatus.DEPOSITED and case.outbox[-1].topic == "contract.deposited"


def test_an_amendment_after_engagement_opens_a_new_review_round():
    case = new_case()
    case.record_checks(1, passing(), None, T0)
    case.engage(REVIEWER, "N1", T0)
    assert case.receive_revision(revision(2, T0 + timedelta(days=40), is_amendment=True), T0 + timedelta(days=40))
    assert case.status == CaseStatus.RECEIVED and case.file_number == "N1"
    assert case.clock.running


def test_a_fix_that_arrives_before_the_anomaly_letter_is_published_after_it():
    case = new_case()
    case.record_checks(1, passing(), None, T0)
    letter = case.raise_anomaly(anomalies()[:1], None, REVIEWER, T0)
    case.outbox.clear()
    case.document_received("convention_mobilite", uuid4(), T0)
    assert [o.topic for o in case.outbox] == []  # held behind the letter
    case.letter_stored(letter.id, uuid4(), T0)
    assert [o.topic for o in case.outbox] == ["anomaly.raised", "anomaly.resolved"]


def test_an_assignment_publishes_case_assigned_when_the_assignee_changes():
    from passerelle.opco_processing.domain.case import Actor

    case = new_case()
    supervisor = Actor(id=uuid4(), name="Sam Superviseur", role="supervisor")
    case.assign(REVIEWER, supervisor, T0)
    [assigned] = [o for o in case.outbox if o.topic == "case.assigned"]
    assert assigned.payload["assignee_id"] == str(REVIEWER.id)
    assert assigned.payload["assignee_name"] == REVIEWER.name
    assert assigned.payload["actor_id"] == str(supervisor.id)
    assert assigned.payload["opco_code"] == case.opco_code and assigned.payload["case_id"] == str(case.id)
    case.assign(REVIEWER, REVIEWER, T0)  # the same reviewer again: nothing new to tell
    assert len([o for o in case.outbox if o.topic == "case.assigned"]) == 1
    case.assign(None, supervisor, T0)  # back in the queue
    assert [o.payload["assignee_id"] for o in case.outbox if o.topic == "case.assigned"] == [str(REVIEWER.id), None]
