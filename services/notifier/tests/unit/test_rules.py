"""The rule table, tested as a table: event type -> kind -> audiences -> default channels -> legal class."""

from uuid import uuid4

import pytest

from passerelle.libs.access import Side
from passerelle.notifier.domain.kinds import LABELS, Kind, is_legal
from passerelle.notifier.domain.preferences import DEFAULTS, WEB_ONLY, ChannelChoice, EmailMode, WebMode, effective
from passerelle.notifier.domain.recipients import Facts, Recipient, resolve
from passerelle.notifier.domain.rules import RULES, Audience, rule_for
from passerelle.schemas.registry import TOPICS

E, T = Audience.EMPLOYER_SIDE, Audience.TRAINING_SIDE
WEB, DIG, OFF = WebMode.IMMEDIATE, EmailMode.DIGEST, EmailMode.OFF
NOW = EmailMode.IMMEDIATE

TABLE = [
    # event type, kind, audiences, web, email, legal
    ("contract.proposed", Kind.CONTRACT_PROPOSED, (Audience.EMPLOYER_ADDRESS,), WEB, NOW, False),
    ("contract.accepted", Kind.CONTRACT_ACCEPTED, (T,), WEB, NOW, False),
    ("contract.declined", Kind.CONTRACT_DECLINED, (T,), WEB, NOW, False),
    ("contract.transmitted", Kind.CONTRACT_TRANSMITTED, (E, T), WEB, NOW, False),
    ("anomaly.raised", Kind.ANOMALY_RAISED, (E, T), WEB, NOW, True),
    ("anomaly.resolved", Kind.ANOMALY_RESOLVED, (E, T), WEB, OFF, False),
    ("document.uploaded", Kind.DOCUMENT_RECEIVED, (E, T), WEB, DIG, False),
    ("contract.engaged", Kind.CONTRACT_ENGAGED, (E, T), WEB, NOW, True),
    ("contract.refused", Kind.CONTRACT_REFUSED, (E, T), WEB, NOW, True),
    ("contract.deposited", Kind.CONTRACT_DEPOSITED, (E, T), WEB, DIG, False),
    ("case.opened", Kind.CASE_OPENED, (Audience.OPCO_STAFF,), WEB, DIG, False),
    ("deadline.approached", Kind.CLOCK_ALERT, (Audience.OPCO_STAFF,), WEB, NOW, True),
    ("case.assigned", Kind.CASE_ASSIGNED, (Audience.ASSIGNEE,), WEB, DIG, False),
    ("amendment.requested", Kind.AMENDMENT_REQUESTED, (E, T), WEB, NOW, False),
    ("contract.transferred", Kind.CONTRACT_TRANSFERRED, (Audience.NEW_OWNER,), WEB, NOW, False),
    ("membership.requested", Kind.MEMBERSHIP_REQUESTED, (Audience.ORGANISATION_ADMINS,), WEB, NOW, False),
    ("invitation.sent", Kind.INVITATION_RECEIVED, (Audience.INVITEE,), WEB, OFF, False),
    ("membership.granted", Kind.MEMBERSHIP_GRANTED, (Audience.MEMBER,), WEB, OFF, False),
    ("membership.role_changed", Kind.MEMBERSHIP_ROLE_CHANGED, (Audience.MEMBER,), WEB, NOW, False),
    ("membership.revoked", Kind.MEMBERSHIP_REVOKED, (Audience.MEMBER,), WEB, NOW, False),
]


@pytest.mark.parametrize(("event_type", "kind", "audiences", "web", "email", "legal"), TABLE)
def test_each_event_type_has_its_rule(event_type, kind, audiences, web, email, legal):
    rule = rule_for(event_type)
    assert rule is not None
    assert (rule.kind, rule.audiences) == (kind, audiences)
    assert (DEFAULTS[kind].web, DEFAULTS[kind].email) == (web, email)
    assert is_legal(kind) is legal


# The OPCO staff of a contract's case, told of what the parties did (the back office refreshes on these kinds):
# event type, kind, template, web, email by default.
STAFF_TABLE = [
    ("contract.transmitted", Kind.CONTRACT_TRANSMITTED, "staff_contract_transmitted", WEB, OFF),
    ("anomaly.resolved", Kind.ANOMALY_RESOLVED, "staff_anomaly_resolved", WEB, OFF),
    ("document.uploaded", Kind.DOCUMENT_RECEIVED, "staff_document_received", WEB, OFF),
]


@pytest.mark.parametrize(("event_type", "kind", "template", "web", "email"), STAFF_TABLE)
def test_staff_are_told_in_their_own_words_on_the_web_by_default(event_type, kind, template, web, email):
    rule = rule_for(event_type)
    assert rule is not None
    [staff] = rule.also
    assert (staff.kind, staff.audiences, staff.template_name) == (kind, (Audience.CASE_STAFF,), template)
    assert staff.default is not None and (staff.default.web, staff.default.email) == (web, email)
    # The parties keep their own telling and defaults; the staff's is a preference they may change.
    assert rule.tellings[0].template_name == kind.value
    assert effective(kind, None, staff.default) == WEB_ONLY
    chosen = ChannelChoice(WEB, NOW)
    assert effective(kind, chosen, staff.default) == chosen


def test_only_the_staff_tellings_have_other_audiences():
    assert sorted(r.event_type for r in RULES if r.also) == sorted(row[0] for row in STAFF_TABLE)


def test_the_table_is_the_whole_rule_set_and_every_kind_has_a_label_and_default():
    assert [r.event_type for r in RULES] == [row[0] for row in TABLE]
    assert set(LABELS) == set(Kind) == set(DEFAULTS)


def test_every_rule_is_on_a_registered_topic():
    assert {r.event_type for r in RULES} <= set(TOPICS)


ACTOR, OWNER_E, OWNER_T, ADMIN_E, FOLLOWER = (uuid4() for _ in range(5))


def test_both_sides_reach_the_people_in_charge_and_followers_once_without_the_actor():
    facts = Facts(
        actor_id=ACTOR,
        in_charge={Side.EMPLOYER: ACTOR, Side.TRAINING: OWNER_T},
        side_followers={Side.EMPLOYER: [FOLLOWER], Side.TRAINING: [FOLLOWER]},
        emails={OWNER_T: "cfa@example.fr", FOLLOWER: "suivi@example.fr"},
    )
    got = resolve(rule_for("anomaly.raised"), facts)  # type: ignore[arg-type]
    assert got == [Recipient(FOLLOWER, "suivi@example.fr"), Recipient(OWNER_T, "cfa@example.fr")]


def test_a_side_without_a_person_in_charge_reaches_its_administrators():
    facts = Facts(in_charge={Side.TRAINING: OWNER_T}, side_admins={Side.EMPLOYER: [ADMIN_E]})
    got = resolve(rule_for("contract.engaged"), facts)  # type: ignore[arg-type]
    assert [r.account_id for r in got] == [ADMIN_E, OWNER_T]


def test_a_proposal_to_an_address_without_account_reaches_the_address():
    facts = Facts(actor_id=OWNER_T, employer_address="recrutement@dupain.example.fr")
    got = resolve(rule_for("contract.proposed"), facts)  # type: ignore[arg-type]
    assert got == [Recipient(None, "recrutement@dupain.example.fr")]
    assert got[0].key == "email:recrutement@dupain.example.fr"


def test_a_proposal_to_an_address_with_an_account_reaches_the_account():
    facts = Facts(employer_address="a@b.fr", employer_address_account=OWNER_E, emails={OWNER_E: "a@b.fr"})
    got = resolve(rule_for("contract.proposed"), facts)  # type: ignore[arg-type]
    assert got == [Recipient(OWNER_E, "a@b.fr")]
    assert got[0].key == f"account:{OWNER_E}"


def test_the_member_is_told_of_their_membership_even_when_they_acted():
    facts = Facts(actor_id=OWNER_E, member=OWNER_E)
    assert [r.account_id for r in resolve(rule_for("membership.role_changed"), facts)] == [OWNER_E]  # type: ignore[arg-type]


def test_nobody_to_tell_is_an_empty_list():
    assert resolve(rule_for("case.opened"), Facts()) == []  # type: ignore[arg-type]


REVIEWER_A, REVIEWER_B, ASSIGNEE = uuid4(), uuid4(), uuid4()


def test_case_staff_is_the_assignee_else_the_reviewers():
    [staff] = rule_for("document.uploaded").also  # type: ignore[union-attr]
    facts = Facts(actor_id=OWNER_E, case_reviewers=[REVIEWER_A, REVIEWER_B])
    assert [r.account_id for r in resolve(staff, facts)] == [REVIEWER_A, REVIEWER_B]
    facts.case_assignee = ASSIGNEE
    assert [r.account_id for r in resolve(staff, facts)] == [ASSIGNEE]
    # No case known: nobody on the OPCO's side (its `case.opened` will tell them).
    assert resolve(staff, Facts(actor_id=OWNER_E)) == []


def test_a_preferences_page_lists_the_kinds_its_person_may_be_told():
    from passerelle.notifier.domain.rules import STAFF_DEFAULTS, kinds_told

    membership = {Kind.MEMBERSHIP_REQUESTED, Kind.INVITATION_RECEIVED, Kind.MEMBERSHIP_GRANTED}
    membership |= {Kind.MEMBERSHIP_ROLE_CHANGED, Kind.MEMBERSHIP_REVOKED}
    staff = set(kinds_told(staff=True, party=False))
    assert staff == {Kind.CASE_OPENED, Kind.CASE_ASSIGNED, Kind.CLOCK_ALERT} | membership | {
        Kind.CONTRACT_TRANSMITTED,
        Kind.ANOMALY_RESOLVED,
        Kind.DOCUMENT_RECEIVED,
    }
    party = set(kinds_told(staff=False, party=True))
    assert not party & {Kind.CASE_OPENED, Kind.CASE_ASSIGNED, Kind.CLOCK_ALERT}
    assert party >= membership | {Kind.CONTRACT_PROPOSED, Kind.ANOMALY_RAISED, Kind.CONTRACT_ENGAGED}
    assert set(kinds_told(staff=True, party=True)) == set(Kind)
    # The parties' news of a case reach its staff on the web only, unless they ask for e-mail.
    assert {
        k: WEB_ONLY for k in (Kind.CONTRACT_TRANSMITTED, Kind.ANOMALY_RESOLVED, Kind.DOCUMENT_RECEIVED)
    } == STAFF_DEFAULTS
