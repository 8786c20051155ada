"""The postal service: verification codes by post to an establishment's registered address.

`PrintedLetters` is the local and test adapter: the letter is queued as a mail to a postal inbox named after
the SIRET (`courrier.<siret>@courrier.passerelle.local`), so the mail catcher shows it as it would be printed.
A production adapter hands the same letter to a mailing house's API with the address from the SIRENE
register; it is not written yet.
"""

from __future__ import annotations

from datetime import datetime

from passerelle.identity.domain.model import Organisation, OutgoingMail
from passerelle.identity.service_layer import mails

POSTAL_DOMAIN = "courrier.passerelle.local"


def postal_inbox(siret: str | None) -> str:
    return f"courrier.{siret or 'inconnu'}@{POSTAL_DOMAIN}"


class PrintedLetters:
    def verification_letter(self, organisation: Organisation, code: str, now: datetime) -> OutgoingMail:
        return mails.postal_verification(
            postal_inbox(organisation.siret), organisation.name, organisation.siret, code, now
        )
