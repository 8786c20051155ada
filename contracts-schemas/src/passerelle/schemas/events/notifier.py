"""Events of the notifier context."""

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from passerelle.schemas.base import Event


class NotificationSent(Event):
    """A person was told: the notification reached their web notification centre, or their e-mail was accepted
    by the mail server. One event per notification and channel; an address without an account (the employer
    invited by a proposal) is not a person of the platform yet and has none."""

    topic: ClassVar[str] = "notification.sent"
    subject_field: ClassVar[str | None] = "contract_id"

    notification_id: UUID = Field(description="The notification")
    account_id: UUID = Field(description="Who was told")
    channel: Literal["email", "web"] = Field(description="How")
    contract_id: UUID | None = Field(default=None, description="The contract concerned, if any")
    cause_event_id: UUID = Field(description="The event that caused the notification")
    sent_at: datetime = Field(description="When it was sent")
    kind: str | None = Field(
        default=None, description="The notification's kind (contract_proposed, anomaly_raised, ...)"
    )
    legal: bool | None = Field(
        default=None, description="A legal notice (decision, anomaly, clock alert), which nobody can switch off"
    )
