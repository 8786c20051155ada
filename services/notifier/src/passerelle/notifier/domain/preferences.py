"""Preferences per person: for each kind, how the web feed and e-mail carry it; defaults; the legal floor."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from passerelle.notifier.domain.errors import LegalNoticeRequired
from passerelle.notifier.domain.kinds import Kind, is_legal


class WebMode(StrEnum):
    IMMEDIATE = "immediate"
    OFF = "off"


class EmailMode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


@dataclass(frozen=True)
class ChannelChoice:
    web: WebMode
    email: EmailMode

    @property
    def silent(self) -> bool:
        return self.web is WebMode.OFF and self.email is EmailMode.OFF


_ALL = ChannelChoice(WebMode.IMMEDIATE, EmailMode.IMMEDIATE)
WEB_ONLY = ChannelChoice(WebMode.IMMEDIATE, EmailMode.OFF)
_WEB_AND_DIGEST = ChannelChoice(WebMode.IMMEDIATE, EmailMode.DIGEST)

# Sensible defaults: what a party must act on arrives by e-mail at once; news that asks nothing of anyone stays
# in the feed (or the digest). Invitations are mailed by identity itself (they carry the single-use link).
DEFAULTS: dict[Kind, ChannelChoice] = {
    Kind.CONTRACT_PROPOSED: _ALL,
    Kind.CONTRACT_ACCEPTED: _ALL,
    Kind.CONTRACT_DECLINED: _ALL,
    Kind.CONTRACT_TRANSMITTED: _ALL,
    Kind.ANOMALY_RAISED: _ALL,
    Kind.ANOMALY_RESOLVED: WEB_ONLY,
    Kind.DOCUMENT_RECEIVED: _WEB_AND_DIGEST,
    Kind.CONTRACT_ENGAGED: _ALL,
    Kind.CONTRACT_REFUSED: _ALL,
    Kind.CONTRACT_DEPOSITED: _WEB_AND_DIGEST,
    Kind.CLOCK_ALERT: _ALL,
    Kind.CASE_OPENED: _WEB_AND_DIGEST,
    Kind.CASE_ASSIGNED: _WEB_AND_DIGEST,
    Kind.AMENDMENT_REQUESTED: _ALL,
    Kind.CONTRACT_TRANSFERRED: _ALL,
    Kind.MEMBERSHIP_REQUESTED: _ALL,
    Kind.INVITATION_RECEIVED: WEB_ONLY,
    Kind.MEMBERSHIP_GRANTED: WEB_ONLY,
    Kind.MEMBERSHIP_ROLE_CHANGED: _ALL,
    Kind.MEMBERSHIP_REVOKED: _ALL,
}


def default_for(kind: Kind) -> ChannelChoice:
    return DEFAULTS[kind]


def validate_choice(kind: Kind, choice: ChannelChoice) -> ChannelChoice:
    """A legal notice may change channel, never be switched off."""
    if is_legal(kind) and choice.silent:
        raise LegalNoticeRequired(kind)
    return choice


def effective(kind: Kind, stored: ChannelChoice | None, default: ChannelChoice | None = None) -> ChannelChoice:
    """What applies: the person's choice, or the default (the kind's, unless the rule gives its audience its
    own); a legal kind is never silent whatever is stored."""
    fallback = default or default_for(kind)
    choice = stored or fallback
    if is_legal(kind) and choice.silent:
        return fallback if not fallback.silent else default_for(kind)
    return choice
