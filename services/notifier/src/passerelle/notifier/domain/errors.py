"""The notifier's domain errors: a kind (mapped to HTTP by the entrypoints), a machine code, a French message."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ErrorKind(StrEnum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    INVALID = "invalid"
    CONFLICT = "conflict"


@dataclass
class NotifierError(Exception):
    message: str
    code: str
    kind: ErrorKind = ErrorKind.INVALID
    path: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotificationNotFound(NotifierError):
    def __init__(self) -> None:
        super().__init__("Notification introuvable.", "notification_not_found", ErrorKind.NOT_FOUND)


class KindNotFound(NotifierError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"Type de notification inconnu : {kind}.", "kind_not_found", ErrorKind.NOT_FOUND, "kind")


class LegalNoticeRequired(NotifierError):
    def __init__(self, kind: object) -> None:
        super().__init__(
            "Les décisions, anomalies et alertes d'échéance ne peuvent pas être désactivées : "
            "gardez au moins un canal.",
            "legal_notice_required",
            ErrorKind.INVALID,
            "email",
        )


class NotYourEstablishment(NotifierError):
    def __init__(self) -> None:
        super().__init__(
            "Vous ne pouvez suivre que l'activité d'un établissement dont vous êtes membre.",
            "not_a_member",
            ErrorKind.FORBIDDEN,
            "identifier",
        )


class ContractNotVisible(NotifierError):
    def __init__(self) -> None:
        super().__init__("Contrat introuvable ou hors de vos organisations.", "contract_not_found", ErrorKind.NOT_FOUND)


class NotYetApplicable(Exception):
    """An event refers to something this service has not learnt yet (another topic's event is late): retry it."""
