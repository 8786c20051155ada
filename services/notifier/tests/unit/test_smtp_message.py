"""The message the SMTP adapter sends for one stored mail: sent again after a crash, it is the same message."""

from uuid import uuid4

from passerelle.notifier.adapters.smtp import SmtpMailer
from passerelle.notifier.service_layer.ports import OutgoingMail


def test_a_resent_mail_carries_the_same_message_id():
    mailer = SmtpMailer("127.0.0.1", 25, "Passerelle <ne-pas-repondre@passerelle.local>")
    mail = OutgoingMail(uuid4(), "paul@example.fr", "Contrat engagé", "Bonjour", "<p>Bonjour</p>")
    first, again = mailer.message(mail), mailer.message(mail)
    assert first["Message-ID"] == again["Message-ID"] == f"<{mail.mail_id.hex}@passerelle.local>"
    assert first["X-Passerelle-Mail-Id"] == str(mail.mail_id)
    other = mailer.message(OutgoingMail(uuid4(), "paul@example.fr", "Contrat engagé", "Bonjour", "<p>Bonjour</p>"))
    assert other["Message-ID"] != first["Message-ID"]
