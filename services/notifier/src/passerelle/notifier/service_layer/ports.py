"""What the use cases need from the outside world (adapters implement it; unit tests fake it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID


@dataclass(frozen=True)
class OutgoingMail:
    mail_id: UUID
    to_address: str
    subject: str
    text_body: str
    html_body: str


class MailRefused(Exception):
    """The server refused the message; `code` is its SMTP reply code (None: no reply, e.g. connection lost)."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class Mailer(Protocol):
    async def send_one(self, mail: OutgoingMail) -> None:
        """Hand the message to the SMTP server; returns once it accepted it, raises MailRefused otherwise."""


class Signal(Protocol):
    def set(self) -> None: ...
    def clear(self) -> None: ...
    async def wait(self) -> object: ...


class FeedSignals(Protocol):
    """Wakes a person's open streams when their change log grew (PostgreSQL NOTIFY in production)."""

    def subscribe(self, key: str) -> Any: ...
    def unsubscribe(self, key: str, signal: Any) -> None: ...
