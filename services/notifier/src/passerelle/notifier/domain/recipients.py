"""Who a rule reaches, from facts the projections hold (pure: the service layer loads the facts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from passerelle.libs.access import Side
from passerelle.notifier.domain.rules import Audience, Rule, Telling


@dataclass(frozen=True)
class Recipient:
    """A person with an account, or only an address (a proposal to an employer who has no account yet)."""

    account_id: UUID | None
    email: str | None

    @property
    def key(self) -> str:
        """Unique per recipient: one notification per event, recipient and kind."""
        return f"account:{self.account_id}" if self.account_id else f"email:{(self.email or '').lower()}"


@dataclass
class Facts:
    """What the projections know about the people an event concerns."""

    actor_id: UUID | None = None
    in_charge: dict[Side, UUID] = field(default_factory=dict)
    side_admins: dict[Side, list[UUID]] = field(default_factory=dict)
    side_followers: dict[Side, list[UUID]] = field(default_factory=dict)
    employer_address: str | None = None
    employer_address_account: UUID | None = None
    opco_staff: list[UUID] = field(default_factory=list)
    organisation_admins: list[UUID] = field(default_factory=list)
    member: UUID | None = None
    invitee: UUID | None = None
    new_owner: UUID | None = None
    assignee: UUID | None = None
    # The contract's review case, when the notifier knows one: its assignee, else the OPCO's reviewers.
    case_id: UUID | None = None
    case_assignee: UUID | None = None
    case_reviewers: list[UUID] = field(default_factory=list)
    emails: dict[UUID, str] = field(default_factory=dict)


def _side(facts: Facts, side: Side) -> list[UUID]:
    owner = facts.in_charge.get(side)
    people = [owner] if owner else list(facts.side_admins.get(side, []))
    return people + list(facts.side_followers.get(side, []))


def _accounts(audience: Audience, facts: Facts) -> list[UUID]:
    match audience:
        case Audience.EMPLOYER_SIDE:
            return _side(facts, Side.EMPLOYER)
        case Audience.TRAINING_SIDE:
            return _side(facts, Side.TRAINING)
        case Audience.EMPLOYER_ADDRESS:
            return [facts.employer_address_account] if facts.employer_address_account else []
        case Audience.OPCO_STAFF:
            return list(facts.opco_staff)
        case Audience.ORGANISATION_ADMINS:
            return list(facts.organisation_admins)
        case Audience.MEMBER:
            return [facts.member] if facts.member else []
        case Audience.INVITEE:
            return [facts.invitee] if facts.invitee else []
        case Audience.NEW_OWNER:
            return [facts.new_owner] if facts.new_owner else []
        case Audience.ASSIGNEE:
            return [facts.assignee] if facts.assignee else []
        case Audience.CASE_STAFF:
            return [facts.case_assignee] if facts.case_assignee else list(facts.case_reviewers)
    return []  # pragma: no cover - every audience is matched above


def resolve(told: Rule | Telling, facts: Facts, exclude_actor: bool | None = None) -> list[Recipient]:
    """Each person once, in the order of the audiences; the actor is left out when the rule says so."""
    if exclude_actor is None:
        exclude_actor = told.exclude_actor if isinstance(told, Rule) else True
    seen: set[UUID] = set()
    out: list[Recipient] = []
    for audience in told.audiences:
        if audience is Audience.EMPLOYER_ADDRESS and facts.employer_address_account is None:
            if facts.employer_address:
                out.append(Recipient(None, facts.employer_address))
            continue
        for account_id in _accounts(audience, facts):
            if account_id in seen or (exclude_actor and account_id == facts.actor_id):
                continue
            seen.add(account_id)
            out.append(Recipient(account_id, facts.emails.get(account_id)))
    return out
