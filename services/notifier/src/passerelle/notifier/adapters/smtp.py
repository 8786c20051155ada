"""Async SMTP client: the kit's message and transport (libs.mail, aiosmtplib), with the server's refusals
classified for the delivery status (permanent 5xx: bounced; anything else: retried)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from passerelle.libs.mail import Mail, email_message
from passerelle.notifier.service_layer.ports import MailRefused, OutgoingMail


class SmtpMailer:
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
        # One id per stored message: a resend after a crash carries the same id, so it can be recognised.
        message.replace_header("Message-ID", make_msgid(idstring=mail.mail_id.hex, domain="passerelle.local"))
        return message

    async def send(self, mail: OutgoingMail) -> None:
        try:
            _, _ = await aiosmtplib.send(
                self.message(mail),
                hostname=self.host,
                port=self.port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            raise MailRefused(str(refused or exc), refused.code if refused else 550) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise MailRefused(f"{exc.code} {exc.message}", exc.code) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailRefused(repr(exc), None) from exc
