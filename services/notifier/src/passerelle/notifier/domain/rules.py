"""The rule table: which event tells whom, as which kind (the kind's template and channels follow from it).

Data, not code paths: one `Rule` per event type, each naming its audiences. Recipients are resolved from the
notifier's own projections (see `recipients.py`); channels come from each person's preferences (`preferences.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from passerelle.notifier.domain.kinds import Kind
from passerelle.notifier.domain.preferences import WEB_ONLY, ChannelChoice


class Audience(StrEnum):
    EMPLOYER_SIDE = "employer_side"  # person in charge on the employer side (else its admins) and followers
    TRAINING_SIDE = "training_side"  # the same on the training organisation's side
    EMPLOYER_ADDRESS = "employer_address"  # the address a proposal was sent to, with or without an account
    OPCO_STAFF = "opco_staff"  # the OPCO's staff: all of them for a new case; for a clock alert, the
    # reviewer the case is assigned to and the supervisors and administrators
    ORGANISATION_ADMINS = "organisation_admins"  # administrators of the organisation the event is about
    MEMBER = "member"  # the account the membership event is about
    INVITEE = "invitee"  # the invited address, when it already has an account
    NEW_OWNER = "new_owner"  # the colleague a contract was transferred to
    ASSIGNEE = "assignee"  # the reviewer a review case was given to
    CASE_STAFF = "case_staff"  # the OPCO staff of the contract's review case: its assignee, else the reviewers
    # (nobody while the notifier knows no case for the contract: the first transmission opens one, `case.opened`)


@dataclass(frozen=True)
class Telling:
    """One audience group of a rule, told as `kind` with its own template and default channels."""

    kind: Kind
    audiences: tuple[Audience, ...]
    template: str | None = None  # None: the kind's own template
    default: ChannelChoice | None = None  # None: the kind's default (preferences.DEFAULTS)

    @property
    def template_name(self) -> str:
        return self.template or self.kind.value


@dataclass(frozen=True)
class Rule:
    event_type: str
    kind: Kind
    audiences: tuple[Audience, ...]
    # The person who acted is not told of their own action (the member of a membership event always is).
    exclude_actor: bool = True
    # Other audiences told of the same event in their own words (OPCO staff of what the parties did).
    also: tuple[Telling, ...] = ()

    @property
    def tellings(self) -> tuple[Telling, ...]:
        return (Telling(self.kind, self.audiences), *self.also)


BOTH_SIDES = (Audience.EMPLOYER_SIDE, Audience.TRAINING_SIDE)


def _staff(kind: Kind) -> Telling:
    """OPCO staff told on the web of what happened to a case they review (e-mail only if they ask for it); the
    back office refreshes its queue and case page on these kinds."""
    return Telling(kind, (Audience.CASE_STAFF,), template=f"staff_{kind.value}", default=WEB_ONLY)


# opco-processing's alert before a case's legal decision period ends.
CLOCK_ALERT_TOPIC = "deadline.approached"

RULES: tuple[Rule, ...] = (
    Rule("contract.proposed", Kind.CONTRACT_PROPOSED, (Audience.EMPLOYER_ADDRESS,)),
    Rule("contract.accepted", Kind.CONTRACT_ACCEPTED, (Audience.TRAINING_SIDE,)),
    Rule("contract.declined", Kind.CONTRACT_DECLINED, (Audience.TRAINING_SIDE,)),
    # A contract transmitted again (the employer's correction after an anomaly, an amendment) reaches its case.
    Rule("contract.transmitted", Kind.CONTRACT_TRANSMITTED, BOTH_SIDES, also=(_staff(Kind.CONTRACT_TRANSMITTED),)),
    Rule("anomaly.raised", Kind.ANOMALY_RAISED, BOTH_SIDES),
    Rule("anomaly.resolved", Kind.ANOMALY_RESOLVED, BOTH_SIDES, also=(_staff(Kind.ANOMALY_RESOLVED),)),
    Rule("document.uploaded", Kind.DOCUMENT_RECEIVED, BOTH_SIDES, also=(_staff(Kind.DOCUMENT_RECEIVED),)),
    Rule("contract.engaged", Kind.CONTRACT_ENGAGED, BOTH_SIDES),
    Rule("contract.refused", Kind.CONTRACT_REFUSED, BOTH_SIDES),
    Rule("contract.deposited", Kind.CONTRACT_DEPOSITED, BOTH_SIDES),
    Rule("case.opened", Kind.CASE_OPENED, (Audience.OPCO_STAFF,)),
    Rule(CLOCK_ALERT_TOPIC, Kind.CLOCK_ALERT, (Audience.OPCO_STAFF,)),
    # The reviewer a case was given to by someone else (a reviewer who takes a case is not told of it).
    Rule("case.assigned", Kind.CASE_ASSIGNED, (Audience.ASSIGNEE,)),
    Rule("amendment.requested", Kind.AMENDMENT_REQUESTED, BOTH_SIDES),
    Rule("contract.transferred", Kind.CONTRACT_TRANSFERRED, (Audience.NEW_OWNER,)),
    Rule("membership.requested", Kind.MEMBERSHIP_REQUESTED, (Audience.ORGANISATION_ADMINS,)),
    Rule("invitation.sent", Kind.INVITATION_RECEIVED, (Audience.INVITEE,)),
    Rule("membership.granted", Kind.MEMBERSHIP_GRANTED, (Audience.MEMBER,), exclude_actor=False),
    Rule("membership.role_changed", Kind.MEMBERSHIP_ROLE_CHANGED, (Audience.MEMBER,), exclude_actor=False),
    Rule("membership.revoked", Kind.MEMBERSHIP_REVOKED, (Audience.MEMBER,), exclude_actor=False),
)

RULES_BY_EVENT: dict[str, Rule] = {rule.event_type: rule for rule in RULES}

# Documents the OPCO itself stores come with their decision's notice (engagement, anomaly): not told twice.
LETTER_DOCUMENT_TYPES = frozenset({"courrier_accord", "courrier_anomalie"})


def rule_for(event_type: str) -> Rule | None:
    return RULES_BY_EVENT.get(event_type)


_PARTY_AUDIENCES = frozenset(
    {Audience.EMPLOYER_SIDE, Audience.TRAINING_SIDE, Audience.EMPLOYER_ADDRESS, Audience.NEW_OWNER}
)
_STAFF_AUDIENCES = frozenset({Audience.OPCO_STAFF, Audience.CASE_STAFF, Audience.ASSIGNEE})


def kinds_told(*, staff: bool, party: bool) -> list[Kind]:
    """The kinds a person may be told, in the table's order: OPCO staff hear of their cases and queue, the parties of
    their contracts; everyone of their own memberships. A preferences page lists these and no others."""
    wanted = (_STAFF_AUDIENCES if staff else frozenset()) | (_PARTY_AUDIENCES if party else frozenset())
    told = {
        t.kind
        for rule in RULES
        for t in rule.tellings
        if not set(t.audiences) & (_PARTY_AUDIENCES | _STAFF_AUDIENCES) or set(t.audiences) & wanted
    }
    return [kind for kind in Kind if kind in told]


# The channels OPCO staff get by default where the table gives them their own (web only for the parties' news).
STAFF_DEFAULTS: dict[Kind, ChannelChoice] = {
    t.kind: t.default
    for rule in RULES
    for t in rule.also
    if t.default is not None and set(t.audiences) <= _STAFF_AUDIENCES
}
