"""Identity and access on the real stack: real identity and contracts processes, real PostgreSQL, Kafka, SMTP.

Two employer accounts under one SIRET and one under a second SIRET of the same SIREN, a training
organisation with two accounts under one UAI, OPCO staff; an administrator invites, promotes and revokes a
colleague whose next token no longer grants access; the contracts service verifies identity's tokens offline
(published keys) and accepts or refuses them.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from stdnum import luhn

from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.testing.database import fresh_service_database, recreate_database
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO
from passerelle.schemas import decode_record

pytestmark = pytest.mark.e2e

PASSWORD = "velo-rouge-sous-la-pluie"
DEMO_PASSWORD = "demo-alternance-2026"
# Short-lived access tokens, so that expiry is observed for real.
ACCESS_TTL = 5
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def new_siren() -> str:
    body = f"{random.randint(10_000_000, 99_999_999)}"
    return body + luhn.calc_check_digit(body)


def new_siret(siren: str) -> str:
    body = siren + f"{random.randint(0, 9999):04d}"
    return body + luhn.calc_check_digit(body)


def new_uai() -> str:
    digits = f"{random.randint(0, 9_999_999):07d}"
    return digits + UAI_LETTERS[int(digits) % 23]


def new_email(label: str) -> str:
    return f"{label}.{uuid.uuid4().hex[:8]}@e2e.example.fr"


class Mailbox:
    def __init__(self, api: str) -> None:
        self.api = api.rstrip("/")

    def link_secret(self, to: str, path: str, timeout: float = 20.0) -> str:
        pattern = re.compile(re.escape(path) + r"\?jeton=([^\s]+)")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in httpx.get(f"{self.api}/api/messages", params={"to": to}, timeout=5).json():
                match = pattern.search(message["text"])
                if match:
                    return unquote(match.group(1))
            time.sleep(0.2)
        raise AssertionError(f"no {path} link mailed to {to}")


class Identity:
    """The identity service seen from outside: its HTTP API and the mails it sends."""

    def __init__(self, url: str, mailbox: Mailbox) -> None:
        self.http = httpx.Client(base_url=url, timeout=15)
        self.mailbox = mailbox

    def call(self, method: str, path: str, token: str | None = None, expect: int | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.http.request(method, path, headers=headers, **kw)
        if expect is not None:
            assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response

    def sign_up(self, email: str, full_name: str) -> None:
        body = {"email": email, "full_name": full_name, "password": PASSWORD}
        self.call("POST", "/accounts", json=body, expect=202)
        secret = self.mailbox.link_secret(email, "/compte/confirmer")
        self.call("POST", "/accounts/confirmation", json={"token": secret}, expect=200)

    def sign_up_from_invitation(self, email: str, full_name: str) -> None:
        secret = self.mailbox.link_secret(email, "/invitations/accepter")
        body = {"token": secret, "full_name": full_name, "password": PASSWORD}
        self.call("POST", "/invitations/register", json=body, expect=201)

    def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        return self.call("POST", "/auth/login", json={"email": email, "password": password}, expect=200).json()

    def token(self, email: str, password: str = PASSWORD) -> str:
        return self.login(email, password)["access_token"]

    def verify_by_post(self, email: str, org: dict[str, Any]) -> dict[str, Any]:
        """Proof of control (issue #10, item 1): the code the local postal adapter prints to the mail catcher.

        Several tests register the demonstration SIRETs on one mail catcher: only a letter that arrives after this
        request counts, and only one naming this organisation."""
        path = f"/organisations/{org['id']}/verification/postal-code"
        inbox = f"courrier.{org['siret']}@courrier.passerelle.local"

        def letters() -> list[dict[str, Any]]:
            found = httpx.get(f"{self.mailbox.api}/api/messages", params={"to": inbox}, timeout=5).json()
            return [m for m in found if org["name"] in m["text"]]

        seen = {m["id"] for m in letters()}
        self.call("POST", path, self.token(email), expect=202)
        deadline = time.monotonic() + 20
        while not (fresh := [m for m in letters() if m["id"] not in seen]):
            assert time.monotonic() < deadline, f"no letter to {inbox}"
            time.sleep(0.2)
        [letter] = fresh
        code = "".join(re.search(r"(\d{4}) (\d{4})", letter["text"]).group(1, 2))  # type: ignore[union-attr]
        return self.call("POST", f"{path}/confirm", self.token(email), json={"code": code}, expect=200).json()


def wait_for_exit(proc: ServiceProcess, timeout: float = 120) -> int:
    assert proc.proc is not None
    try:
        return proc.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


async def published(bootstrap: str, topic: str, key: str, timeout: float = 60) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        **kafka_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while not found and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [decode_record(r.value, r.headers)[1] for r in records if r.key == key.encode()]
    finally:
        await consumer.stop()
    return found


def tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["orgs"] = [{**o, "role": "admin"} for o in claims["orgs"]] or [{"id": str(uuid.uuid4()), "kind": "employer"}]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.fixture(scope="module")
def services(stack, log_dir):
    identity_url = fresh_service_database(REPO / "services" / "identity", "e2e_identity")
    contracts_url = recreate_database("e2e_identity_contracts")
    identity = ServiceProcess.uvicorn(
        "identity",
        "passerelle.identity.main:app",
        {
            "IDENTITY_DATABASE_URL": identity_url,
            "IDENTITY_ACCESS_TOKEN_TTL_SECONDS": str(ACCESS_TTL),
            "IDENTITY_PORTAL_URL": "http://portail.e2e",
            "IDENTITY_MAIL_POLL_SECONDS": "0.2",
        },
        log_dir,
    ).start()
    # Contracts only verifies tokens here: its consumers and relay stay off, its database stays empty.
    contracts = ServiceProcess.uvicorn(
        "contracts",
        "passerelle.contracts.main:app",
        {
            "CONTRACTS_DATABASE_URL": contracts_url,
            "PASSERELLE_IDENTITY_URL": identity.url,
            "CONTRACTS_JWKS_URL": f"{identity.url}/.well-known/jwks.json",
            "CONTRACTS_CONSUMERS_ENABLED": "false",
            "CONTRACTS_RELAY_IN_PROCESS": "false",
        },
        log_dir,
    ).start()
    seed = ServiceProcess(
        "identity-seed",
        [sys.executable, "-m", "passerelle.identity.cli", "--skip-migrations"],
        # This run's OPCO API clients are not recorded in the stack's file (a host path a container cannot reach).
        {
            "IDENTITY_DATABASE_URL": identity_url,
            "PASSERELLE_DEMO_PASSWORD": DEMO_PASSWORD,
            "OPCO_PROCESSING_MACHINE_CLIENTS_FILE": "",
        },
        log_dir,
    ).start()
    assert wait_for_exit(seed) == 0, seed.tail()
    try:
        yield identity, contracts
    finally:
        contracts.stop()
        identity.stop()


def test_people_organisations_roles_and_tokens_every_service_trusts(services, stack):
    identity_process, contracts_process = services
    idp = Identity(identity_process.url, Mailbox(os.environ["PASSERELLE_MAIL_API"]))
    contracts = httpx.Client(base_url=contracts_process.url, timeout=15)

    def contracts_me(token: str) -> httpx.Response:
        return contracts.get("/me", headers={"Authorization": f"Bearer {token}"})

    # --- An employer: two accounts under one SIRET, a third under a second SIRET of the same SIREN.
    siren = new_siren()
    siret_paris, siret_boulogne = new_siret(siren), new_siret(siren)
    while siret_boulogne == siret_paris:
        siret_boulogne = new_siret(siren)
    claire, paul, marc = new_email("claire"), new_email("paul"), new_email("marc")
    idp.sign_up(claire, "Claire Dupain")
    paris = idp.call(
        "POST",
        "/organisations",
        idp.token(claire),
        json={"kind": "employer", "name": "Boulangerie Dupain", "siret": siret_paris},
        expect=201,
    ).json()
    assert not paris["verified"]
    assert contracts_me(idp.token(claire)).json()["memberships"] == []  # claimed, not proven: nothing opens
    paris = idp.verify_by_post(claire, paris)
    body = {"email": paul, "role": "contributor"}
    idp.call("POST", f"/organisations/{paris['id']}/invitations", idp.token(claire), json=body, expect=201)
    idp.sign_up_from_invitation(paul, "Paul Lefort")
    body = {"siret": siret_boulogne, "name": "Boulangerie Dupain - Boulogne", "administrator_email": marc}
    boulogne = idp.call(
        "POST", f"/organisations/{paris['id']}/establishments", idp.token(claire), json=body, expect=201
    ).json()
    assert boulogne["siren"] == paris["siren"] == siren
    idp.sign_up_from_invitation(marc, "Marc Petit")
    members = idp.call("GET", f"/organisations/{paris['id']}/members", idp.token(paul), expect=200).json()
    assert {m["email"]: m["role"] for m in members} == {claire: "admin", paul: "contributor"}
    marc_orgs = contracts_me(idp.token(marc)).json()["memberships"]
    assert [(m["siret"], m["siren"], m["role"]) for m in marc_orgs] == [(siret_boulogne, siren, "admin")]

    # --- A training organisation with two accounts under one UAI (the second asks to join).
    uai = new_uai()
    sophie, julien = new_email("sophie"), new_email("julien")
    idp.sign_up(sophie, "Sophie Bernard")
    idp.sign_up(julien, "Julien Moreau")
    body = {"kind": "training", "name": "CFA des Métiers", "siret": new_siret(new_siren()), "uai": uai}
    cfa = idp.call("POST", "/organisations", idp.token(sophie), json=body, expect=201).json()
    cfa = idp.verify_by_post(sophie, cfa)
    found = idp.call("GET", "/organisations/lookup", idp.token(julien), params={"uai": uai}, expect=200).json()
    assert found["id"] == cfa["id"]
    idp.call("POST", f"/organisations/{cfa['id']}/join-requests", idp.token(julien), json={}, expect=201)
    [request] = idp.call("GET", f"/organisations/{cfa['id']}/join-requests", idp.token(sophie), expect=200).json()
    path = f"/organisations/{cfa['id']}/join-requests/{request['id']}/accept"
    idp.call("POST", path, idp.token(sophie), json={}, expect=200)
    for email in (sophie, julien):
        [m] = contracts_me(idp.token(email)).json()["memberships"]
        assert (m["kind"], m["uai"]) == ("training", uai)

    # --- OPCO staff: the seeded OPCO administrator brings in a reviewer and makes them supervisor.
    opco_admin = idp.token("admin@opcommerce.example.fr", DEMO_PASSWORD)
    [opco] = [m for m in contracts_me(opco_admin).json()["memberships"] if m["kind"] == "opco"]
    emma = new_email("emma")
    body = {"email": emma, "role": "reviewer"}
    idp.call("POST", f"/organisations/{opco['organisation_id']}/invitations", opco_admin, json=body, expect=201)
    idp.sign_up_from_invitation(emma, "Emma Girard")
    [m] = contracts_me(idp.token(emma)).json()["memberships"]
    assert (m["kind"], m["role"], m["opco_code"]) == ("opco", "reviewer", "OPCOMMERCE")
    staff = idp.call("GET", f"/organisations/{opco['organisation_id']}/members", idp.token(emma), expect=200).json()
    emma_membership = next(s["membership_id"] for s in staff if s["email"] == emma)
    path = f"/organisations/{opco['organisation_id']}/members/{emma_membership}"
    # A reviewer cannot promote themself; the OPCO administrator can.
    idp.call("PATCH", path, idp.token(emma), json={"role": "supervisor"}, expect=403)
    idp.call(
        "PATCH", path, idp.token("admin@opcommerce.example.fr", DEMO_PASSWORD), json={"role": "supervisor"}, expect=200
    )
    assert contracts_me(idp.token(emma)).json()["memberships"][0]["role"] == "supervisor"

    # --- Invite, promote, revoke a colleague: the next token no longer grants access.
    paul_session = idp.login(paul)
    paul_membership = next(m["membership_id"] for m in members if m["email"] == paul)
    member_path = f"/organisations/{paris['id']}/members/{paul_membership}"
    # Paul (contributor) cannot administer: 403, and nothing changes.
    idp.call("PATCH", member_path, paul_session["access_token"], json={"role": "admin"}, expect=403)
    body = {"email": new_email("x"), "role": "admin"}
    idp.call("POST", f"/organisations/{paris['id']}/invitations", paul_session["access_token"], json=body, expect=403)
    assert idp.call("GET", f"/organisations/{paris['id']}/invitations", idp.token(claire), expect=200).json() == []
    idp.call("PATCH", member_path, idp.token(claire), json={"role": "admin"}, expect=200)
    refreshed = idp.call("POST", "/auth/refresh", json={"refresh_token": paul_session["refresh_token"]}, expect=200)
    [m] = contracts_me(refreshed.json()["access_token"]).json()["memberships"]
    assert (m["siret"], m["role"]) == (siret_paris, "admin")
    idp.call("DELETE", member_path, idp.token(claire), expect=204)
    after = idp.call("POST", "/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]}, expect=200)
    assert contracts_me(after.json()["access_token"]).json()["memberships"] == []
    idp.call("GET", f"/organisations/{paris['id']}/members", after.json()["access_token"], expect=403)
    audit = idp.call("GET", f"/organisations/{paris['id']}/audit", idp.token(claire), expect=200).json()
    assert {"invitation.sent", "membership.role_changed", "membership.revoked"} <= {e["action"] for e in audit}

    # --- Another service accepts and refuses tokens correctly.
    good = idp.token(claire)
    me = contracts_me(good)
    assert me.status_code == 200 and me.json()["email"] == claire
    assert {m["siret"] for m in me.json()["memberships"]} == {siret_paris, siret_boulogne}
    tampered = contracts_me(tamper(good))
    assert tampered.status_code == 401 and tampered.json()["error"]["code"] == "token_invalid"
    assert contracts.get("/me").status_code == 401
    assert contracts_me("pas-un-jeton").status_code == 401
    time.sleep(ACCESS_TTL + 1)
    expired = contracts_me(good)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "token_expired"

    # --- A machine client of the establishment: its token carries that organisation only.
    body = {"name": "Logiciel de paie"}
    credentials = idp.call(
        "POST", f"/organisations/{paris['id']}/api-clients", idp.token(claire), json=body, expect=201
    ).json()
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
    }
    machine = idp.call("POST", "/oauth/token", data=form, expect=200).json()["access_token"]
    me = contracts_me(machine).json()
    assert me["kind"] == "client" and [m["siret"] for m in me["memberships"]] == [siret_paris]
    idp.call("DELETE", f"/organisations/{paris['id']}/api-clients/{credentials['id']}", idp.token(claire), expect=204)
    idp.call("POST", "/oauth/token", data=form, expect=401)

    # --- Other services learn all this from the events, through the outbox and Kafka.
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    revoked = asyncio.run(published(bootstrap, "membership.revoked", paris["id"]))
    assert [e.membership_id for e in revoked] == [uuid.UUID(paul_membership)]
    granted = asyncio.run(published(bootstrap, "membership.granted", boulogne["id"]))
    assert {e.email for e in granted} >= {claire}


def test_forwarded_for_is_not_believed_and_answers_carry_security_headers(services):
    """Issue #10, items 8 and 9, on the real server: a client cannot pick the address its failures are counted
    under, a guesser's address is locked while the owner is not, and uvicorn announces nothing."""
    identity_process, _ = services
    idp = Identity(identity_process.url, Mailbox(os.environ["PASSERELLE_MAIL_API"]))
    email = new_email("xff")
    idp.sign_up(email, "Xavier Forwarded")
    for i in range(5):
        r = idp.http.post(
            "/auth/login",
            json={"email": email, "password": f"mauvais-mot-de-passe-{i}"},
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        )
        assert r.status_code == 401, r.text
    spoofed = idp.http.post(
        "/auth/login", json={"email": email, "password": PASSWORD}, headers={"X-Forwarded-For": "203.0.113.99"}
    )
    assert spoofed.status_code == 429, spoofed.text
    assert "server" not in spoofed.headers
    for header, value in (
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
    ):
        assert spoofed.headers[header] == value
    assert "frame-ancestors 'none'" in spoofed.headers["content-security-policy"]


def _until_refused(call, timeout: float = 15.0) -> tuple[httpx.Response, float]:
    """Polls until the answer is 401; returns it with the seconds it took."""
    start = time.monotonic()
    while True:
        response = call()
        if response.status_code == 401 or time.monotonic() - start > timeout:
            return response, time.monotonic() - start
        time.sleep(0.05)


def test_ended_sessions_and_removed_memberships_stop_working_in_every_service_within_seconds(services):
    """Issue #10, item 7: logout, removal from an organisation and account closure reach contracts (and identity
    itself) through identity's events, long before the access token expires."""
    identity_process, contracts_process = services
    idp = Identity(identity_process.url, Mailbox(os.environ["PASSERELLE_MAIL_API"]))
    contracts = httpx.Client(base_url=contracts_process.url, timeout=15)

    def me(token: str) -> httpx.Response:
        return contracts.get("/me", headers={"Authorization": f"Bearer {token}"})

    admin, member = new_email("revoc-admin"), new_email("revoc-membre")
    idp.sign_up(admin, "Alice Revoque")
    org = idp.call(
        "POST",
        "/organisations",
        idp.token(admin),
        json={"kind": "employer", "name": "Revocation SA", "siret": new_siret(new_siren())},
        expect=201,
    ).json()
    org = idp.verify_by_post(admin, org)
    figures = {}

    # 1. Logout: the session's access token stops working.
    session = idp.login(admin)
    assert me(session["access_token"]).status_code == 200
    idp.call("POST", "/auth/logout", json={"refresh_token": session["refresh_token"]}, expect=204)
    refused, figures["logout"] = _until_refused(lambda: me(session["access_token"]))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_revoked", refused.text
    assert idp.call("GET", "/me", session["access_token"]).status_code == 401  # identity too
    other = idp.login(admin)  # another session of the same account is not affected
    assert me(other["access_token"]).status_code == 200

    # 2. Removal from the organisation: the member's token (which still lists it) stops working.
    idp.call(
        "POST",
        f"/organisations/{org['id']}/invitations",
        idp.token(admin),
        json={"email": member, "role": "contributor"},
        expect=201,
    )
    idp.sign_up_from_invitation(member, "Bruno Membre")
    members = idp.call("GET", f"/organisations/{org['id']}/members", idp.token(admin), expect=200).json()
    membership = next(m["membership_id"] for m in members if m["email"] == member)
    admin_token = idp.token(admin)
    member_session = idp.login(member)
    assert [m["siret"] for m in me(member_session["access_token"]).json()["memberships"]] == [org["siret"]]
    idp.call("DELETE", f"/organisations/{org['id']}/members/{membership}", admin_token, expect=204)
    refused, figures["membership_removed"] = _until_refused(lambda: me(member_session["access_token"]))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_revoked", refused.text
    refreshed = idp.call("POST", "/auth/refresh", json={"refresh_token": member_session["refresh_token"]}, expect=200)
    assert me(refreshed.json()["access_token"]).json()["memberships"] == []  # the new token says the truth

    # 3. Closing the account.
    last = idp.login(admin)
    idp.call("POST", "/me/close", last["access_token"], json={"password": PASSWORD}, expect=204)
    refused, figures["account_closed"] = _until_refused(lambda: me(last["access_token"]))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_revoked", refused.text
    print(
        "revocation reached contracts in: "
        + ", ".join(f"{what} {seconds * 1000:.0f} ms" for what, seconds in figures.items())
        + f" (access token lifetime {ACCESS_TTL} s)"
    )
    # The tokens live ACCESS_TTL seconds here: "token_revoked" (not "token_expired") is the proof.
