"""Response and request bodies of the notifier's API (documented in OpenAPI)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from passerelle.notifier.domain.preferences import EmailMode, WebMode


class EmailDelivery(BaseModel):
    address: str | None = Field(description="Where it was sent")
    status: str = Field(description="queued, sent, failed (after every retry), bounced, or digest (waits for it)")
    attempts: int = Field(description="Attempts made")
    sent_at: str | None = Field(description="When the SMTP server accepted it")
    error: str | None = Field(description="Last refusal, if any")


class NotificationOut(BaseModel):
    id: str
    kind: str = Field(description="Kind of notification (see /preferences)")
    kind_label: str = Field(description="French label of the kind")
    legal: bool = Field(description="A legal notice (decision, anomaly, clock alert): cannot be switched off")
    title: str
    body: str
    contract_id: str | None
    organisation_id: str | None
    link: str = Field(description="The portal page to open")
    letter_url: str | None = Field(description="The decision letter on the portal (linked, never attached)")
    state: str = Field(description="unseen, seen, read or archived")
    seen_at: str | None
    read_at: str | None
    archived_at: str | None
    created_at: str
    email: EmailDelivery | None = Field(description="The e-mail's delivery, if one was due")


class NotificationList(BaseModel):
    items: list[NotificationOut]
    page: int
    per_page: int
    total: int
    unread: int


class Counts(BaseModel):
    unread: int
    unseen: int


class MarkAllResult(BaseModel):
    updated: int
    unread: int
    unseen: int


class PreferenceIn(BaseModel):
    web: WebMode = Field(description="immediate or off")
    email: EmailMode = Field(description="immediate, digest or off")


class Allowed(BaseModel):
    web: list[str]
    email: list[str]


class PreferenceOut(BaseModel):
    kind: str
    label: str
    legal: bool
    web: str
    email: str
    is_default: bool
    allowed: Allowed


class PreferencesOut(BaseModel):
    kinds: list[PreferenceOut]
    digest_hour: int
    timezone: str


class Establishment(BaseModel):
    identifier: str
    kind: str = Field(description="siret or uai")


class FollowsOut(BaseModel):
    establishments: list[Establishment]
    contracts: list[str]
