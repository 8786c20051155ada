"""Mail for every service: a message, an async SMTP mailer, and the delivery loop of a mail outbox.

A use case never sends mail itself: it writes the mail in its unit of work (a row of the service's mail
outbox, in the same transaction as the change it announces). A background task (`PeriodicTask` running
`deliver_due_mails`) sends the due ones, marks each delivered, or records the failure and the next attempt
with exponential backoff; after `max_attempts` the mail is marked failed, never lost silently.

The outbox row is the service's (its table, its domain object); it only has to look like `PendingMail`
and its repository like `MailQueue`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from passerelle.libs.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Attachments: (file name, MIME type "application/pdf", bytes).
    attachments: Sequence[tuple[str, str, bytes]] = ()


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def email_message(mail: Mail, sender: str, domain: str = "passerelle") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=domain)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text, charset="utf-8")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", charset="utf-8")
    for filename, mime_type, content in mail.attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    return message


class SmtpMailer:
    """Sends over SMTP without blocking the event loop (aiosmtplib): the local mail catcher or a relay."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    async def send(self, mail: Mail) -> None:
        import aiosmtplib  # here: a domain package may import Mail without the SMTP client

        await aiosmtplib.send(
            email_message(mail, self.sender),
            hostname=self.host,
            port=self.port,
            username=self._username,
            password=self._password if self._username else None,
            start_tls=self._starttls,
            timeout=self._timeout,
        )


class PendingMail(Protocol):
    """A row of a mail outbox, as the delivery loop sees it."""

    attempts: int

    def as_mail(self) -> Mail: ...
    def delivered(self, now: datetime) -> None: ...
    def delivery_failed(self, now: datetime, error: str, retry_at: datetime | None) -> None: ...


class MailQueue(Protocol):
    async def due(self, now: datetime, limit: int) -> Sequence[Any]:
        """The mails to send now, locked for this transaction (FOR UPDATE SKIP LOCKED: several workers)."""
        ...


def backoff(attempts: int, first: float = 5.0, ceiling: float = 3600.0) -> timedelta:
    """5 s, 10 s, 20 s ... at most an hour."""
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), ceiling))


async def deliver_due_mails(
    uow: AbstractAsyncContextManager[Any],
    mailer: Mailer,
    clock: Callable[[], datetime],
    *,
    queue: Callable[[Any], MailQueue] = lambda uow: uow.mails,
    batch: int = 20,
    max_attempts: int = 8,
) -> int:
    """Sends the mails that are due in one transaction; returns how many were sent.

    `uow` is a fresh unit of work; `queue(uow)` its mail outbox repository (`uow.mails` by default).
    """
    sent = 0
    now = clock()
    async with uow as opened:
        for mail in await queue(opened).due(now, batch):
            try:
                await mailer.send(mail.as_mail())
            except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
                attempts = mail.attempts + 1
                retry_at = None if attempts >= max_attempts else now + backoff(attempts)
                mail.delivery_failed(now, f"{type(exc).__name__}: {exc}", retry_at)
                log.warning("mail delivery failed", attempts=attempts, gave_up=retry_at is None, error=repr(exc))
            else:
                mail.delivered(clock())
                sent += 1
        await opened.commit()
    return sent
