"""Issue #13's "done when", on the real stack: identity, contracts and the notifier as real processes, real
PostgreSQL, Kafka and SMTP (the mail catcher's API), a real SSE client over HTTP.

A CFA proposes a contract to an employer address that has no account; the e-mail arrives with a link that
carries the address and the contract; the employer registers with it, accepts, completes and transmits; the CFA
is told live on its open stream and by e-mail. The OPCO's anomaly and engagement (produced onto their Kafka
topics through contracts-schemas' envelope: opco-processing is not on main yet) reach both sides exactly once,
although the notifier is killed with SIGKILL and restarted in the middle (one message each: the one mail a killed
sender had in flight may reach SMTP again, as the same message, and only if the notifier counted it). A join request reaches the
administrator. A person who switched a kind off receives nothing for it, and cannot switch off a legal notice.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import psycopg
import pytest

from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SIRET,
    complete_apprenticeship_form,
)
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.kafka import start_group_at_end
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.sse import SseStream
from passerelle.libs.testing.stack import REPO
from passerelle.notifier.config import Settings
from passerelle.notifier.entrypoints.consumers import HANDLERS
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.events.opco import Anomaly, AnomalyRaised, ContractEngaged
from tests.e2e.test_contract_drafting import publish, tab
from tests.e2e.test_identity_access import Identity, Mailbox, new_email
from tests.e2e.versioned import VersionedAsyncClient

pytestmark = pytest.mark.e2e
PORTAL = "http://portail.e2e"


@pytest.fixture(scope="module")
def platform(stack, log_dir):
    identity = ServiceProcess.uvicorn(
        "identity",
        "passerelle.identity.main:app",
        {
            "IDENTITY_DATABASE_URL": fresh_service_database(REPO / "services" / "identity", "e2e_notif_identity"),
            "IDENTITY_PORTAL_URL": PORTAL,
            "IDENTITY_MAIL_POLL_SECONDS": "0.2",
        },
        log_dir,
    ).start()
    jwks = {"PASSERELLE_IDENTITY_URL": identity.url}
    contracts = ServiceProcess.uvicorn(
        "contracts",
        "passerelle.contracts.main:app",
        {
            **jwks,
            "CONTRACTS_DATABASE_URL": fresh_service_database(REPO / "services" / "contracts", "e2e_notif_contracts"),
            "CONTRACTS_CONSUMER_GROUP": f"contracts-e2e-notif-{uuid.uuid4().hex[:8]}",
        },
        log_dir,
    ).start()
    group = f"notifier-e2e-{uuid.uuid4().hex[:8]}"
    notifier_database = fresh_service_database(REPO / "services" / "notifier", "e2e_notif_notifier")
    asyncio.run(start_group_at_end(stack["PASSERELLE_KAFKA_BOOTSTRAP"], group, [e.topic for e in HANDLERS]))
    notifier = ServiceProcess.uvicorn(
        "notifier",
        "passerelle.notifier.main:app",
        {
            **jwks,
            "NOTIFIER_DATABASE_URL": notifier_database,
            "NOTIFIER_CONSUMER_GROUP": group,
            "NOTIFIER_PORTAL_URL": PORTAL,
            "NOTIFIER_MAIL_POLL_SECONDS": "0.2",
            "NOTIFIER_STREAM_KEEPALIVE_SECONDS": "2",
        },
        log_dir,
    ).start()
    try:
        yield identity, contracts, notifier, notifier_database
    except BaseException:
        for process in (identity, contracts, notifier):
            print(f"--- {process.name}\n{process.tail(60)}")
        raise
    finally:
        for process in (notifier, contracts, identity):
            process.stop()


class Person:
    """One account; its access token is kept until `renew()` (after it joined an organisation)."""

    def __init__(self, idp: Identity, email: str) -> None:
        self.idp, self.email = idp, email
        self._token: str | None = None

    def renew(self) -> None:
        self._token = None

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.idp.token(self.email)
        return self._token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def mails(mailbox: Mailbox, to: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as http:
        return (await http.get(f"{mailbox.api}/api/messages", params={"to": to})).json()  # type: ignore[no-any-return]


async def wait_mail(mailbox: Mailbox, to: str, contains: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in await mails(mailbox, to):
            if contains in message["subject"]:
                return message
        await asyncio.sleep(0.2)
    raise AssertionError(f"no mail to {to} about {contains!r}: {[m['subject'] for m in await mails(mailbox, to)]}")


async def subjects(mailbox: Mailbox, to: str, in_doubt: set[str]) -> Counter[str]:
    """Each mail once by subject. A mail the server got twice must be the one a killed sender had in flight, which
    the notifier counted as sent again (`in_doubt`), and the same message both times (one Message-ID)."""
    delivered: dict[str, list[dict[str, Any]]] = {}
    for message in await mails(mailbox, to):
        # The notifier's mails carry their row's id; identity's (confirmation, codes) count one by one.
        mail_id = message["headers"].get("X-Passerelle-Mail-Id") or f"other:{message['id']}"
        delivered.setdefault(mail_id, []).append(message)
    twice = {uuid.UUID(mail_id).hex for mail_id, copies in delivered.items() if len(copies) > 1}
    assert twice <= in_doubt, (twice, in_doubt)
    assert all(len({m["headers"]["Message-ID"] for m in copies}) == 1 for copies in delivered.values())
    return Counter(copies[0]["subject"] for copies in delivered.values())


def mails_in_doubt(database_url: str) -> set[str]:
    """The notifier's mails sent again because their sender was killed during the attempt."""
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return {row[0].hex for row in conn.execute("SELECT id FROM mails WHERE resent_in_doubt > 0")}


def kind_is(kind: str):
    return lambda e: e.event == "notification" and e.json()["notification"]["kind"] == kind


async def test_everyone_concerned_is_told_by_mail_and_live_exactly_once(platform, stack):
    identity_process, contracts_process, notifier_process, notifier_database = platform
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    mailbox = Mailbox(os.environ.get("PASSERELLE_MAIL_API") or stack["PASSERELLE_MAIL_API"])
    idp = Identity(identity_process.url, mailbox)
    contracts = VersionedAsyncClient(base_url=contracts_process.url, timeout=30)
    notifier = httpx.AsyncClient(base_url=notifier_process.url, timeout=30)
    stream_url = f"{notifier_process.url}/notifications/stream"

    # --- The CFA: an account, its organisation (it is the administrator), its stream open.
    cfa = Person(idp, new_email("sophie"))
    idp.sign_up(cfa.email, "Sophie Bernard")
    body = {"kind": "training", "name": "CFA des Métiers", "siret": DEMO_CFA_SIRET, "uai": DEMO_CFA_UAI}
    cfa_org = idp.call("POST", "/organisations", cfa.token, json=body, expect=201).json()
    # Until it proves control (the code mailed to its registered address), its token carries nothing (#10).
    assert not cfa_org["verified"]
    assert idp.verify_by_post(cfa.email, cfa_org)["verified"]
    cfa.renew()
    cfa_stream = await SseStream(stream_url, cfa.headers).__aenter__()
    assert cfa_stream.status_code == 200

    # --- It pre-fills its part and proposes the contract to an address with no account.
    form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
    employer_address = new_email("recrutement")
    created = await contracts.post(
        "/contracts",
        headers=cfa.headers,
        json={"contract_type": "apprentissage", "training_uai": DEMO_CFA_UAI, "employer_siret": DEMO_EMPLOYER_SIRET},
    )
    assert created.status_code == 201, created.text
    contract_id = created.json()["id"]
    saved = await contracts.put(
        f"/contracts/{contract_id}/tabs/formation", headers=cfa.headers, json=tab(form, "formation")
    )
    assert saved.status_code == 200, saved.text
    proposed = await contracts.post(
        f"/contracts/{contract_id}/propose", headers=cfa.headers, json={"employer_email": employer_address}
    )
    assert proposed.status_code == 200, proposed.text

    # --- The e-mail arrives, French, with a link that carries the address and the contract.
    invitation = await wait_mail(mailbox, employer_address, "vous propose un contrat")
    assert "Vous n'avez pas encore de compte Passerelle" in invitation["text"]
    link = next(word for word in invitation["text"].split() if word.startswith(f"{PORTAL}/inscription?"))
    query = parse_qs(urlparse(link).query)
    assert query == {"courriel": [employer_address], "contrat": [contract_id]}
    assert link.replace("&", "&amp;") in invitation["html"]

    # --- The employer registers with that address, registers its establishment, finds and accepts the contract.
    employer = Person(idp, query["courriel"][0])
    idp.sign_up(employer.email, "Paul Dupain")
    body = {"kind": "employer", "name": "Boulangerie Dupain", "siret": DEMO_EMPLOYER_SIRET}
    employer_org = idp.call("POST", "/organisations", employer.token, json=body, expect=201).json()
    employer.renew()
    # Unverified, the establishment sees nothing addressed to its SIRET yet, not even the proposal.
    hidden = await contracts.get(f"/contracts/{query['contrat'][0]}", headers=employer.headers)
    assert hidden.status_code in (403, 404), hidden.text
    assert idp.verify_by_post(employer.email, employer_org)["verified"]
    employer.renew()
    found = await contracts.get(f"/contracts/{query['contrat'][0]}", headers=employer.headers)
    assert found.status_code == 200 and found.json()["status"] == "proposed", found.text
    accepted = await contracts.post(f"/contracts/{contract_id}/accept", headers=employer.headers)
    assert accepted.status_code == 200, accepted.text

    # The CFA is told live and by e-mail.
    live = await cfa_stream.wait_for(kind_is("contract_accepted"))
    assert live.json()["notification"]["link"] == f"{PORTAL}/contrats/{contract_id}"
    await wait_mail(mailbox, cfa.email, "a accepté votre proposition")

    # --- The employer silences "document received", and cannot silence a legal notice.
    off = await notifier.put(
        "/preferences/document_received", json={"web": "off", "email": "off"}, headers=employer.headers
    )
    assert off.status_code == 200
    legal = await notifier.put(
        "/preferences/anomaly_raised", json={"web": "off", "email": "off"}, headers=employer.headers
    )
    assert legal.status_code == 422 and legal.json()["error"]["code"] == "legal_notice_required"

    # --- The employer completes every tab; the training agreement is stored (document.uploaded); transmits.
    for name in ("introduction", "employeur", "salarie", "tuteur", "contrat", "synthese"):
        saved = await contracts.put(
            f"/contracts/{contract_id}/tabs/{name}", headers=employer.headers, json=tab(form, name)
        )
        assert saved.status_code == 200, (name, saved.text)
    await publish(bootstrap, agreement(contract_id))
    deadline = time.monotonic() + 30
    while not (await contracts.get(f"/contracts/{contract_id}", headers=employer.headers)).json()["documents"]:
        assert time.monotonic() < deadline, "the training agreement never reached contracts"
        await asyncio.sleep(0.3)
    sent = await contracts.post(f"/contracts/{contract_id}/transmit", headers=employer.headers)
    assert sent.status_code == 200, sent.text

    live = await cfa_stream.wait_for(kind_is("contract_transmitted"))
    assert live.json()["notification"]["contract_id"] == contract_id
    await wait_mail(mailbox, cfa.email, "Contrat transmis à l'OPCO")
    # The CFA keeps the default for documents (web, and the digest).
    first_document = (await cfa_stream.wait_for(kind_is("document_received"))).json()["notification"]["id"]

    # --- The OPCO raises an anomaly; the notifier is killed with SIGKILL just after, then restarted.
    anomaly = AnomalyRaised(
        case_id=uuid.uuid4(),
        contract_id=uuid.UUID(contract_id),
        revision=1,
        anomalies=[
            Anomaly(
                code="WEEKLY_HOURS",
                kind="field_error",
                field="contract.weekly_hours",
                message="La durée hebdomadaire est à confirmer.",
            )
        ],
        letter_document_id=uuid.uuid4(),
        raised_at=datetime.now(UTC),
    )
    await publish(bootstrap, anomaly)
    await asyncio.sleep(0.05)
    notifier_process.kill()
    await cfa_stream.close()
    before_restart = cfa_stream.last_id
    notifier_process.start()

    # The CFA's page reconnects with Last-Event-ID: the anomaly arrives, once (on the old stream if the killed
    # notifier had pushed it before dying, which the replay then rightly skips, or on the new one).
    before_kill = cfa_stream
    cfa_stream = await SseStream(stream_url, cfa.headers, last_event_id=before_restart).__aenter__()
    if not [e for e in before_kill.events if kind_is("anomaly_raised")(e)]:
        await cfa_stream.wait_for(kind_is("anomaly_raised"))
    assert len([e for s in (before_kill, cfa_stream) for e in s.events if kind_is("anomaly_raised")(e)]) == 1
    await wait_mail(mailbox, cfa.email, "Anomalie sur le contrat")
    await wait_mail(mailbox, employer.email, "Anomalie sur le contrat")

    # --- The engagement: killed again the moment it is visible live (before its offsets are committed).
    engaged = ContractEngaged(
        case_id=anomaly.case_id,
        contract_id=uuid.UUID(contract_id),
        revision=1,
        opco_file_number="OPCOMMERCE-2026-000042",
        letter_document_id=uuid.uuid4(),
        engaged_at=datetime.now(UTC),
    )
    await publish(bootstrap, engaged)
    await cfa_stream.wait_for(kind_is("contract_engaged"))
    notifier_process.kill()
    await cfa_stream.close()
    before_restart = cfa_stream.last_id
    notifier_process.start()
    cfa_stream = await SseStream(stream_url, cfa.headers, last_event_id=before_restart).__aenter__()

    engaged_mail = await wait_mail(mailbox, employer.email, "Contrat engagé")
    assert "OPCOMMERCE-2026-000042" in engaged_mail["text"]
    assert f"{PORTAL}/contrats/{contract_id}/documents/{engaged.letter_document_id}" in engaged_mail["text"]
    assert not engaged_mail.get("attachments")
    await wait_mail(mailbox, cfa.email, "Contrat engagé")

    # --- A colleague asks to join the CFA: its administrator is told.
    colleague = new_email("julien")
    idp.sign_up(colleague, "Julien Moreau")
    idp.call("POST", f"/organisations/{cfa_org['id']}/join-requests", idp.token(colleague), json={}, expect=201)
    join = await wait_mail(mailbox, cfa.email, "demande à rejoindre")
    assert f"{PORTAL}/organisations/{cfa_org['id']}/demandes" in join["text"]

    # --- A second document while the employer has silenced that kind: the CFA is told, the employer is not.
    await publish(bootstrap, agreement(contract_id, version=2))
    await cfa_stream.wait_for(
        lambda e: kind_is("document_received")(e) and e.json()["notification"]["id"] != first_document
    )

    # --- Exactly once: each notice once per side, by e-mail and in the feed, after two SIGKILLs.
    await asyncio.sleep(3)  # let any duplicate that would come, come
    in_doubt = mails_in_doubt(notifier_database)
    senders = Settings.model_fields["mail_senders"].default
    assert len(in_doubt) <= 2 * senders, in_doubt  # at most one in flight per sender at each of the two kills
    print(f"  mails in flight at a kill, sent again and counted: {len(in_doubt)}")
    cfa_mails = await subjects(mailbox, cfa.email, in_doubt)
    employer_mails = await subjects(mailbox, employer.email, in_doubt)
    for counted in (cfa_mails, employer_mails):
        assert [n for s, n in counted.items() if s.startswith("Anomalie sur le contrat")] == [1], counted
        assert [n for s, n in counted.items() if s.startswith("Contrat engagé")] == [1], counted
    assert [n for s, n in cfa_mails.items() if s.startswith("Contrat transmis")] == [1]
    assert not [s for s in employer_mails if s.startswith("Document déposé")], employer_mails
    feeds = {}
    for who in (cfa, employer):
        listing = (
            await notifier.get(
                "/notifications", params={"contract_id": contract_id, "per_page": 100}, headers=who.headers
            )
        ).json()
        feeds[who.email] = Counter(n["kind"] for n in listing["items"])
    assert feeds[cfa.email]["anomaly_raised"] == feeds[employer.email]["anomaly_raised"] == 1
    assert feeds[cfa.email]["contract_engaged"] == feeds[employer.email]["contract_engaged"] == 1
    assert feeds[cfa.email]["document_received"] == 2 and feeds[employer.email]["document_received"] == 0
    assert feeds[employer.email]["contract_transmitted"] == 0  # the employer transmitted it: not told of it
    # The stream resumed after the engagement it had received: it never shows it twice.
    assert not [e for e in cfa_stream.events if kind_is("contract_engaged")(e)]
    await cfa_stream.close()
    await notifier.aclose()
    await contracts.aclose()


def agreement(contract_id: str, version: int = 1) -> DocumentUploaded:
    return DocumentUploaded(
        document_id=uuid.uuid4(),
        contract_id=uuid.UUID(contract_id),
        document_type="convention_formation",
        version=version,
        filename=f"convention-de-formation-v{version}.pdf",
        size=48_213,
        sha256="5f" * 32,
        media_type="application/pdf",
        uploaded_at=datetime.now(UTC),
    )
