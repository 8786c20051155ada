"""The kinds of notification the platform sends, their French labels, and the legal class.

The legal class (decisions, anomalies, clock alerts) carries notices a party must receive: a person may move it
to another channel (web only, or the e-mail digest) but never switch it off.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    CONTRACT_PROPOSED = "contract_proposed"
    CONTRACT_ACCEPTED = "contract_accepted"
    CONTRACT_DECLINED = "contract_declined"
    CONTRACT_TRANSMITTED = "contract_transmitted"
    ANOMALY_RAISED = "anomaly_raised"
    ANOMALY_RESOLVED = "anomaly_resolved"
    DOCUMENT_RECEIVED = "document_received"
    CONTRACT_ENGAGED = "contract_engaged"
    CONTRACT_REFUSED = "contract_refused"
    CONTRACT_DEPOSITED = "contract_deposited"
    CLOCK_ALERT = "clock_alert"
    CASE_OPENED = "case_opened"
    CASE_ASSIGNED = "case_assigned"
    AMENDMENT_REQUESTED = "amendment_requested"
    CONTRACT_TRANSFERRED = "contract_transferred"
    MEMBERSHIP_REQUESTED = "membership_requested"
    INVITATION_RECEIVED = "invitation_received"
    MEMBERSHIP_GRANTED = "membership_granted"
    MEMBERSHIP_ROLE_CHANGED = "membership_role_changed"
    MEMBERSHIP_REVOKED = "membership_revoked"


LABELS: dict[Kind, str] = {
    Kind.CONTRACT_PROPOSED: "Contrat proposé",
    Kind.CONTRACT_ACCEPTED: "Proposition acceptée",
    Kind.CONTRACT_DECLINED: "Proposition déclinée",
    Kind.CONTRACT_TRANSMITTED: "Contrat transmis à l'OPCO",
    Kind.ANOMALY_RAISED: "Anomalie sur un contrat",
    Kind.ANOMALY_RESOLVED: "Anomalie levée",
    Kind.DOCUMENT_RECEIVED: "Document reçu",
    Kind.CONTRACT_ENGAGED: "Contrat engagé",
    Kind.CONTRACT_REFUSED: "Contrat refusé",
    Kind.CONTRACT_DEPOSITED: "Contrat déposé",
    Kind.CLOCK_ALERT: "Alerte d'échéance",
    Kind.CASE_OPENED: "Nouveau dossier à instruire",
    Kind.CASE_ASSIGNED: "Dossier attribué",
    Kind.AMENDMENT_REQUESTED: "Demande de modification",
    Kind.CONTRACT_TRANSFERRED: "Contrat transféré",
    Kind.MEMBERSHIP_REQUESTED: "Demande d'adhésion",
    Kind.INVITATION_RECEIVED: "Invitation reçue",
    Kind.MEMBERSHIP_GRANTED: "Adhésion confirmée",
    Kind.MEMBERSHIP_ROLE_CHANGED: "Rôle modifié",
    Kind.MEMBERSHIP_REVOKED: "Adhésion retirée",
}

LEGAL: frozenset[Kind] = frozenset(
    {Kind.ANOMALY_RAISED, Kind.CONTRACT_ENGAGED, Kind.CONTRACT_REFUSED, Kind.CLOCK_ALERT}
)


def is_legal(kind: Kind) -> bool:
    return kind in LEGAL
