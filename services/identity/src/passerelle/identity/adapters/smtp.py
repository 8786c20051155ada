"""Sends mails over SMTP (the local stack's mail catcher, or a relay in production)."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
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

    async def send(self, to_address: str, subject: str, body: str) -> None:
        await asyncio.to_thread(self._send, to_address, subject, body)

    def _send(self, to_address: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to_address
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="passerelle")
        message.set_content(body, charset="utf-8")
        with smtplib.SMTP(self.host, self.port, timeout=self._timeout) as client:
            if self._starttls:
                client.starttls()
            if self._username:
                client.login(self._username, self._password or "")
            client.send_message(message)
