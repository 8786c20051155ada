"""Async SMTP client: the kit's message and transport (libs.mail, aiosmtplib), with the server's refusals
classified for the delivery status (permanent 5xx: bounced; anything else: retried).

A notification's mail (plain text and HTML, no attachment) is written as MIME directly (`raw_message`): building
it with the `email` package, then flattening it, cost 2.6 ms of CPU per mail (0.13 ms now), about a sixth of the
web and mail process's samples in a profile of the notifier's benchmark. The few mails it does not cover (a
non-ASCII address or sender, a line break in a header) are still built by the `email` package, which refuses what
must be refused.
"""

from __future__ import annotations

import binascii
import contextlib
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import aiosmtplib

from passerelle.libs.mail import Mail, email_message
from passerelle.notifier.service_layer.ports import MailRefused, OutgoingMail

# A subject written as it is: ASCII, and short enough for "Subject: " and it to stay within a 78-character line.
PLAIN_SUBJECT_MAX = 60


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
        # The From header and the envelope's sender, once: ASCII as configured, else left to the `email` package.
        self._from_address = parseaddr(sender)[1]
        ascii_sender = sender.isascii() and "\r" not in sender and "\n" not in sender and bool(self._from_address)
        self._from_header = sender if ascii_sender else None

    def raw_message(self, mail: OutgoingMail) -> bytes | None:
        """The message as it goes on the wire (lines ending in LF: the client sends them as CRLF), or None when it
        needs the `email` package (`message`). Both parts are quoted-printable: 7-bit, whatever the server accepts,
        and the boundary holds `=_`, which quoted-printable never writes."""
        headers = (mail.to_address, mail.subject)
        if not mail.to_address.isascii() or any("\r" in v or "\n" in v for v in headers) or not self._from_header:
            return None
        subject = mail.subject
        if not subject.isascii() or len(subject) > PLAIN_SUBJECT_MAX:
            subject = Header(subject, "utf-8", header_name="Subject").encode()  # encoded words, folded
        boundary = f"=_{mail.mail_id.hex}"
        head = (
            f"From: {self._from_header}\n"
            f"To: {mail.to_address}\n"
            f"Subject: {subject}\n"
            f"Date: {formatdate()}\n"
            f"Message-ID: {self.message_id(mail)}\n"
            f"X-Passerelle-Mail-Id: {mail.mail_id}\n"
            "MIME-Version: 1.0\n"
            f'Content-Type: multipart/alternative;\n boundary="{boundary}"\n\n'
        )
        parts = [head.encode("ascii")]
        for subtype, body in (("plain", mail.text_body), ("html", mail.html_body)):
            parts += [
                f'--{boundary}\nContent-Type: text/{subtype}; charset="utf-8"\n'
                "Content-Transfer-Encoding: quoted-printable\n\n".encode("ascii"),
                binascii.b2a_qp(body.encode("utf-8"), istext=True),
                b"\n",
            ]
        parts.append(f"--{boundary}--\n".encode("ascii"))
        return b"".join(parts)

    @staticmethod
    def message_id(mail: OutgoingMail) -> str:
        # One id per stored message, derived from it alone: a resend after a crash carries the same Message-ID, so a
        # mail client recognises it (make_msgid would add the time and a random number, a new id at every send).
        return f"<{mail.mail_id.hex}@passerelle.local>"

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
        message.replace_header("Message-ID", self.message_id(mail))
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
            raw = self.raw_message(mail)
            if raw is None:
                await client.send_message(self.message(mail))
            else:
                await client.sendmail(self._from_address, [mail.to_address], raw)
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
