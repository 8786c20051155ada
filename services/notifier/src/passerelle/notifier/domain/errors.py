"""The notifier's domain errors: a kind (the kit maps it to an HTTP status), a machine code, a French message."""

from __future__ import annotations

from passerelle.libs.errors import DomainError as _DomainError
from passerelle.libs.errors import ErrorKind, FieldError, NotFound
from passerelle.libs.errors import Forbidden as _Forbidden
from passerelle.libs.revisions import NotYetApplicable

__all__ = [
    "ContractNotVisible",
    "KindNotFound",
    "LegalNoticeRequired",
    "NotYetApplicable",
    "NotificationNotFound",
    "NotYourEstablishment",
]


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = "Notification introuvable."


class KindNotFound(NotFound):
    code = "kind_not_found"

    def __init__(self, kind: str) -> None:
        super().__init__(f"Type de notification inconnu : {kind}.")


class LegalNoticeRequired(_DomainError):
    kind = ErrorKind.INVALID
    code = "legal_notice_required"
    message = (
        "Les décisions, anomalies et alertes d'échéance ne peuvent pas être désactivées : gardez au moins un canal."
    )

    def __init__(self, notice_kind: object) -> None:
        super().__init__(fields=[FieldError("email", self.code, self.message)])
        self.notice_kind = notice_kind


class NotYourEstablishment(_Forbidden):
    code = "not_a_member"
    message = "Vous ne pouvez suivre que l'activité d'un établissement dont vous êtes membre."

    def __init__(self) -> None:
        super().__init__(fields=[FieldError("identifier", self.code, self.message)])


class ContractNotVisible(NotFound):
    code = "contract_not_found"
    message = "Contrat introuvable ou hors de vos organisations."
