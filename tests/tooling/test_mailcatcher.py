"""The development mail catcher's reading of a message: what its API shows of the platform's French e-mails."""

import importlib.util
from email import policy
from email.message import EmailMessage

from passerelle.libs.testing.stack import REPO

_spec = importlib.util.spec_from_file_location("mailcatcher", REPO / "deploy" / "native" / "mailcatcher.py")
assert _spec is not None and _spec.loader is not None
mailcatcher = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mailcatcher)


def french_mail() -> bytes:
    message = EmailMessage()
    message["Subject"] = "Contrat engagé : dossier n° OPCOEP-2026-000123, lettre d'accord de prise en charge à lire"
    message["From"] = "Équipe Passerelle <ne-pas-repondre@passerelle.example>"
    message["To"] = "Zoé Lefèvre <zoe@employeur.example>, rh@employeur.example"
    message["X-Passerelle-Mail-Id"] = "0b9a3f3e-7c1d-4d59-9a55-6f0c1c1b2a10"
    message.set_content("Bonjour Zoé,\nle contrat est engagé.\n")
    message.add_alternative("<p>Bonjour Zoé,</p><p>le contrat est <strong>engagé</strong>.</p>", subtype="html")
    message.add_attachment(b"%PDF-1.7 lettre", maintype="application", subtype="pdf", filename="lettre été.pdf")
    return message.as_bytes(policy=policy.SMTP)  # CRLF, folded and RFC 2047-encoded headers, as sent


def test_headers_are_decoded_and_unfolded_and_bodies_decoded():
    raw = french_mail()
    assert b"=?utf-8?" in raw and b"\r\n " in raw  # the message really carries encoded words and folded lines
    kept = mailcatcher.parse_message(raw, "", [])
    assert kept["subject"] == (
        "Contrat engagé : dossier n° OPCOEP-2026-000123, lettre d'accord de prise en charge à lire"
    )
    assert kept["headers"]["From"] == "Équipe Passerelle <ne-pas-repondre@passerelle.example>"
    assert kept["headers"]["X-Passerelle-Mail-Id"] == "0b9a3f3e-7c1d-4d59-9a55-6f0c1c1b2a10"
    assert kept["from"] == "ne-pas-repondre@passerelle.example"
    assert kept["to"] == ["zoe@employeur.example", "rh@employeur.example"]
    assert kept["text"] == "Bonjour Zoé,\nle contrat est engagé.\n"
    assert kept["html"] == "<p>Bonjour Zoé,</p><p>le contrat est <strong>engagé</strong>.</p>\n"
    assert kept["attachments"] == [{"filename": "lettre été.pdf", "content_type": "application/pdf", "size": 15}]


def test_the_envelope_wins_and_odd_charsets_do_not_fail():
    latin = EmailMessage()
    latin["Subject"] = "Relance"
    latin.set_content("Café à régler", charset="latin-1")
    kept = mailcatcher.parse_message(latin.as_bytes(), "robot@passerelle.example", ["bcc@cfa.example"])
    assert (kept["from"], kept["to"], kept["text"]) == (
        "robot@passerelle.example",
        ["bcc@cfa.example"],
        "Café à régler\n",
    )
    unknown = b"Subject: =?x-unknown?q?abc?=\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nbonjour\r\n"
    kept = mailcatcher.parse_message(unknown, "", ["a@b.example"])
    assert kept["text"] == "bonjour\n" and kept["subject"] == "=?x-unknown?q?abc?="
