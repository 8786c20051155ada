"""Events of the notifier context."""

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from passerelle.schemas.base import Event


class NotificationSent(Event):
    topic: ClassVar[str] = "notification.sent"
    subject_field: ClassVar[str | None] = "contract_id"

    notification_id: UUID = Field(description="The notification")
    account_id: UUID = Field(description="Who was told")
    channel: Literal["email", "web"] = Field(description="How")
    contract_id: UUID | None = Field(default=None, description="The contract concerned, if any")
    cause_event_id: UUID = Field(description="The event that caused the notification")
    sent_at: datetime = Field(description="When it was sent")
