"""Async SMTP client: the kit's message and transport (libs.mail, aiosmtplib), with the server's refusals
classified for the delivery status (permanent 5xx: bounced; anything else: retried)."""

from __future__ import annotations

import contextlib
from email.message import EmailMessage

import aiosmtplib

from passerelle.libs.mail import Mail, email_message
from passerelle.notifier.service_layer.ports import MailRefused, OutgoingMail


class SmtpMailer:
    keep = 8  # connections kept open between messages, at most (each sender uses one at a time)

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
        self.host, self.port, self.sender = host, port, sender
        self._username, self._password, self._starttls, self._timeout = username, password, starttls, timeout
        # Connections kept open between messages: each would otherwise pay a TCP connection, the greeting, EHLO
        # and QUIT. A kept connection the server closed meanwhile is replaced.
        self._idle: list[aiosmtplib.SMTP] = []

    def message(self, mail: OutgoingMail) -> EmailMessage:
        message = email_message(
            Mail(
                to=mail.to_address,
                subject=mail.subject,
                text=mail.text_body,
                html=mail.html_body,
                headers={"X-Passerelle-Mail-Id": str(mail.mail_id)},
            ),
            self.sender,
        )
        # One id per stored message, derived from it alone: a resend after a crash carries the same Message-ID, so a
        # mail client recognises it (make_msgid would add the time and a random number, a new id at every send).
        message.replace_header("Message-ID", f"<{mail.mail_id.hex}@passerelle.local>")
        return message

    async def send_one(self, mail: OutgoingMail) -> None:
        """On a kept connection if there is one (replaced once if the server closed it while idle)."""
        client: aiosmtplib.SMTP | None = self._idle.pop() if self._idle else None
        kept = client is not None and client.is_connected
        try:
            if client is None or not client.is_connected:
                client = await self._connect()
            try:
                await self._send_one(client, mail)
            except MailRefused as refused:
                if not (kept and refused.code is None):
                    raise
                client = await self._connect()
                await self._send_one(client, mail)
        except MailRefused as refused:
            if refused.code is None:
                client = None  # the connection is gone: the next message opens another
            raise
        finally:
            if client is not None and client.is_connected:
                if len(self._idle) < self.keep:
                    self._idle.append(client)
                else:
                    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                        await client.quit()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self._timeout, start_tls=self._starttls)
        try:
            await client.connect()
            if self._username:
                await client.login(self._username, self._password or "")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailRefused(repr(exc), None) from exc
        return client

    async def _send_one(self, client: aiosmtplib.SMTP, mail: OutgoingMail) -> None:
        try:
            await client.send_message(self.message(mail))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.rset()  # the session stays usable for the next message
            raise MailRefused(str(refused or exc), refused.code if refused else 550) from exc
        except aiosmtplib.SMTPServerDisconnected as exc:
            raise MailRefused(repr(exc), None) from exc
        except aiosmtplib.SMTPResponseException as exc:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.rset()
            raise MailRefused(f"{exc.code} {exc.message}", exc.code) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailRefused(repr(exc), None) from exc
