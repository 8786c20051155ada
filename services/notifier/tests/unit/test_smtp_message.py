"""The message the SMTP adapter sends for one stored mail: sent again after a crash, it is the same message; written
directly as MIME, it reads as the `email` package's own would."""

from email import message_from_bytes, policy
from uuid import uuid4

import pytest

from passerelle.notifier.adapters.smtp import SmtpMailer
from passerelle.notifier.service_layer.ports import OutgoingMail

SENDER = "Passerelle <ne-pas-repondre@passerelle.local>"
TEXT = (
    "Bonjour Léa,\n\nLe contrat d'apprentissage de Léa Petit a été transmis à l'OPCO.\n"
    ".Une ligne qui commence par un point\nFrom une ligne qui commence par From\n"
    "Une ligne avec un signe = et des espaces à la fin   \n" + "une très longue ligne " * 20 + "\n"
)
HTML = '<p class="fr-text">Bonjour L&eacute;a,</p>\n<a href="https://portail.test/contrats/x?a=1&amp;b=2">Voir</a>' * 8


def parsed(raw: bytes):  # noqa: ANN201 - the email package's message
    return message_from_bytes(raw.replace(b"\n", b"\r\n"), policy=policy.default)


def test_a_resent_mail_carries_the_same_message_id():
    mailer = SmtpMailer("127.0.0.1", 25, SENDER)
    mail = OutgoingMail(uuid4(), "paul@example.fr", "Contrat engagé", "Bonjour", "<p>Bonjour</p>")
    first, again = parsed(mailer.raw_message(mail)), parsed(mailer.raw_message(mail))
    assert first["Message-ID"] == again["Message-ID"] == f"<{mail.mail_id.hex}@passerelle.local>"
    assert first["X-Passerelle-Mail-Id"] == str(mail.mail_id)
    assert mailer.message(mail)["Message-ID"] == first["Message-ID"]  # the `email` package's path too
    other = OutgoingMail(uuid4(), "paul@example.fr", "Contrat engagé", "Bonjour", "<p>Bonjour</p>")
    assert parsed(mailer.raw_message(other))["Message-ID"] != first["Message-ID"]


@pytest.mark.parametrize(
    "subject",
    [
        "Contrat engagé",
        "Contract sent",
        "Anomalie sur le contrat de Léa Petit-Durand de la Fontaine : action requise sur le dossier n° 2026-0001",
        "A plain ASCII subject that is long enough to be folded by the header encoder, as it should be",
    ],
)
def test_the_message_written_directly_reads_as_the_email_packages(subject):
    mailer = SmtpMailer("127.0.0.1", 25, SENDER)
    mail = OutgoingMail(uuid4(), "paul.dupain@example.fr", subject, TEXT, HTML)
    raw = mailer.raw_message(mail)
    assert raw is not None and raw.isascii()  # 7-bit: any server takes it
    assert max(len(line) for line in raw.split(b"\n")) <= 78
    ours, theirs = parsed(raw), parsed(mailer.message(mail).as_bytes())
    for header in ("From", "To", "Subject", "Message-ID", "X-Passerelle-Mail-Id", "MIME-Version"):
        assert ours[header] == theirs[header], header
    assert ours.get_content_type() == theirs.get_content_type() == "multipart/alternative"
    body = ours.get_body(preferencelist=("plain",))
    assert body.get_content_charset() == "utf-8"
    assert body.get_content().replace("\r\n", "\n") == TEXT
    assert ours.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n") == HTML
    assert [p.get_content_type() for p in ours.iter_parts()] == ["text/plain", "text/html"]


@pytest.mark.parametrize(
    ("to_address", "subject", "sender"),
    [
        ("léa@exemple.fr", "Contrat engagé", SENDER),  # a UTF-8 address: SMTPUTF8, the package's affair
        ("paul@example.fr", "Contrat\r\nBcc: pirate@example.com", SENDER),  # a header injection
        ("paul@example.fr\nBcc: pirate@example.com", "Contrat", SENDER),
        ("paul@example.fr", "Contrat", "Passerelle Île-de-France <ne-pas-repondre@passerelle.local>"),
    ],
)
def test_what_the_direct_writer_does_not_cover_is_left_to_the_email_package(to_address, subject, sender):
    mailer = SmtpMailer("127.0.0.1", 25, sender)
    mail = OutgoingMail(uuid4(), to_address, subject, "Bonjour", "<p>Bonjour</p>")
    assert mailer.raw_message(mail) is None


def test_a_line_break_in_a_header_is_refused_not_sent():
    mailer = SmtpMailer("127.0.0.1", 25, SENDER)
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        mailer.message(OutgoingMail(uuid4(), "paul@example.fr", "Contrat\r\nBcc: x@example.com", "a", "<p>a</p>"))
