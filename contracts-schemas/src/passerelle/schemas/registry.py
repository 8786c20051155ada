"""The topic registry: every topic of the platform and the model of its payload, by schema version."""

from passerelle.schemas.base import Event
from passerelle.schemas.errors import MalformedMessage
from passerelle.schemas.events import contracts, documents, identity, notifier, opco, platform

EVENTS: tuple[type[Event], ...] = (
    identity.AccountRegistered,
    identity.AccountConfirmed,
    identity.AccountDisabled,
    identity.AccountUpdated,
    identity.SessionEnded,
    identity.OrganisationRegistered,
    identity.OrganisationVerified,
    identity.MembershipGranted,
    identity.MembershipRequested,
    identity.MembershipRoleChanged,
    identity.MembershipRevoked,
    identity.InvitationSent,
    contracts.ContractDrafted,
    contracts.ContractProposed,
    contracts.ContractAccepted,
    contracts.ContractDeclined,
    contracts.ContractUpdated,
    contracts.ContractTransmitted,
    contracts.ContractTransferred,
    contracts.ContractArchived,
    contracts.ContractDeleted,
    contracts.AmendmentRequested,
    contracts.BulkDraftsCompleted,
    documents.DocumentUploaded,
    documents.DocumentRejected,
    opco.CaseOpened,
    opco.AnomalyRaised,
    opco.AnomalyResolved,
    opco.ContractEngaged,
    opco.ContractRefused,
    opco.ContractDeposited,
    opco.DeadlineApproached,
    opco.CaseAssigned,
    notifier.NotificationSent,
    platform.ProbeRecorded,
)

# The one service that may publish each topic: a consumer refuses (parks) a record whose envelope names
# another producer, or whose type is not its topic. The platform's own probe topic has no owner.
_OWNER_OF_MODULE: dict[object, str] = {
    identity: "identity",
    contracts: "contracts",
    documents: "documents",
    opco: "opco_processing",
    notifier: "notifier",
}
OWNERS: dict[str, str] = {
    e.topic: owner
    for e in EVENTS
    for module, owner in _OWNER_OF_MODULE.items()
    if e.__module__ == getattr(module, "__name__", None)
}


def owner_of(topic: str) -> str | None:
    return OWNERS.get(topic)


def check_origin(topic: str, envelope_type: str, producer: str) -> None:
    """MalformedMessage unless the record's envelope may be on this topic, from this producer."""
    if envelope_type != topic:
        raise MalformedMessage(f"envelope type {envelope_type!r} on topic {topic!r}")
    owner = owner_of(topic)
    if owner is not None and producer != owner:
        raise MalformedMessage(f"producer {producer!r} may not publish on {topic!r} (owner: {owner})")


_BY_KEY: dict[tuple[str, int], type[Event]] = {(e.topic, e.schema_version): e for e in EVENTS}
TOPICS: tuple[str, ...] = tuple(sorted({e.topic for e in EVENTS}))

# Topics used by the platform's own machinery (not domain events).
DEAD_LETTER_PREFIX = "dlt."


def dead_letter_topic(consumer_group: str) -> str:
    """Parked messages of one consumer group (one service)."""
    return DEAD_LETTER_PREFIX + consumer_group


def event_for_topic(topic: str, version: int = 1) -> type[Event]:
    try:
        return _BY_KEY[(topic, version)]
    except KeyError:
        raise MalformedMessage(f"unknown event type {topic!r} version {version}") from None
