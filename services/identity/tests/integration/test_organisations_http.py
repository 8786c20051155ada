"""Organisations, members, machine clients and events over HTTP, on the real database, Kafka and mail server."""

import random
import uuid

import pytest
from stdnum import luhn

from passerelle.libs.identifiers import UAI_LETTERS
from passerelle.libs.testing.kafka import read_topic
from passerelle.schemas import decode_record

pytestmark = pytest.mark.integration


def new_email(label="personne"):
    return f"{label}.{uuid.uuid4().hex[:10]}@integration.example.fr"


def new_siret(siren=None):
    if siren is None:
        body = f"{random.randint(10_000_000, 99_999_999)}"
        siren = body + luhn.calc_check_digit(body)
    body = siren + f"{random.randint(0, 9999):04d}"
    return body + luhn.calc_check_digit(body)


def new_uai():
    digits = f"{random.randint(0, 9_999_999):07d}"
    return digits + UAI_LETTERS[int(digits) % 23]


async def test_invalid_identifiers_get_a_clear_french_error(client, api):
    email = new_email()
    await api.confirmed_account(email)
    headers = await api.headers(email)
    r = await client.post(
        "/organisations",
        json={"kind": "training", "name": "CFA", "siret": "12345678901234", "uai": "0754321Q"},
        headers=headers,
    )
    assert r.status_code == 422
    fields = {f["path"]: f for f in r.json()["error"]["fields"]}
    assert fields["siret"]["code"] == "siret_checksum" and "clé de contrôle" in fields["siret"]["message"]
    assert fields["uai"]["code"] == "uai_checksum" and "lettre de contrôle" in fields["uai"]["message"]
    r = await client.post("/organisations", json={"kind": "bank", "name": "X"}, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["path"] == "kind"


async def test_invite_promote_revoke_with_audit_and_events(client, api, mailbox, db):
    admin_email, colleague_email = new_email("admin"), new_email("collegue")
    await api.confirmed_account(admin_email, "Claire Dupain")
    await api.confirmed_account(colleague_email, "Paul Lefort")
    admin = await api.headers(admin_email)
    siret = new_siret()
    org = await api.employer(admin, siret)
    assert org["siren"] == siret[:9]
    org_id = org["id"]

    # The colleague is not a member: no access, and refused administration changes nothing.
    colleague = await api.headers(colleague_email)
    assert (await client.get(f"/organisations/{org_id}/members", headers=colleague)).status_code == 403
    r = await client.post(
        f"/organisations/{org_id}/invitations", json={"email": new_email(), "role": "admin"}, headers=colleague
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_member"
    assert db.scalar("SELECT count(*) FROM invitations WHERE organisation_id = :o", o=org_id) == 0

    r = await client.post(
        f"/organisations/{org_id}/invitations", json={"email": colleague_email, "role": "contributor"}, headers=admin
    )
    assert r.status_code == 201, r.text
    secret = await mailbox.link_secret(colleague_email, "/invitations/accepter")
    accepted = await client.post("/invitations/accept", json={"token": secret}, headers=colleague)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["role"] == "contributor"
    assert (await client.post("/invitations/accept", json={"token": secret}, headers=colleague)).status_code == 410

    members = (await client.get(f"/organisations/{org_id}/members", headers=admin)).json()
    membership_id = next(m["membership_id"] for m in members if m["email"] == colleague_email)
    # A contributor cannot promote themself.
    colleague = await api.headers(colleague_email)
    denied = await client.patch(
        f"/organisations/{org_id}/members/{membership_id}", json={"role": "admin"}, headers=colleague
    )
    assert denied.status_code == 403
    promoted = await client.patch(
        f"/organisations/{org_id}/members/{membership_id}", json={"role": "admin"}, headers=admin
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    tokens = await api.login(colleague_email)
    me = (await client.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})).json()
    assert [(m["organisation"]["siret"], m["role"]) for m in me["memberships"]] == [(siret, "admin")]

    revoked = await client.delete(f"/organisations/{org_id}/members/{membership_id}", headers=admin)
    assert revoked.status_code == 204
    # The next token (a refresh) no longer carries the organisation.
    refreshed = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    verifier = client._transport.app.state.service.context.verifier  # noqa: SLF001
    principal = await verifier.verify(refreshed.json()["access_token"])
    assert principal.memberships == ()

    audit = (await client.get(f"/organisations/{org_id}/audit", headers=admin)).json()
    actions = [e["action"] for e in audit]
    for action in (
        "organisation.registered",
        "invitation.sent",
        "invitation.accepted",
        "membership.role_changed",
        "membership.revoked",
    ):
        assert action in actions
    revoke_entry = next(e for e in audit if e["action"] == "membership.revoked")
    assert revoke_entry["target_account_id"] == principal.subject.__str__()

    assert db.topics(org_id) == [
        "organisation.registered",
        "membership.granted",
        "organisation.verified",  # proof of control given (#10.1): the private drafts become the organisation's
        "invitation.sent",
        "membership.granted",
        "membership.role_changed",
        "membership.revoked",
    ]


async def test_a_second_siret_of_the_same_siren_and_accounts_under_one_uai(client, api, mailbox):
    admin_email = new_email("direction")
    await api.confirmed_account(admin_email)
    admin = await api.headers(admin_email)
    first = await api.employer(admin, new_siret())
    siren = first["siren"]
    second_siret = new_siret(siren)
    boss = new_email("boulogne")
    r = await client.post(
        f"/organisations/{first['id']}/establishments",
        json={"siret": second_siret, "name": "Établissement de Boulogne", "administrator_email": boss},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["siren"] == siren
    # The new SIRET's own administrator registers from the invitation.
    secret = await mailbox.link_secret(boss, "/invitations/accepter")
    r = await client.post(
        "/invitations/register",
        json={"token": secret, "full_name": "Marc Petit", "password": "velo-rouge-sous-la-pluie"},
    )
    assert r.status_code == 201 and r.json()["email_confirmed"]
    boss_tokens = await api.login(boss, "velo-rouge-sous-la-pluie")
    me = (await client.get("/me", headers={"Authorization": f"Bearer {boss_tokens['access_token']}"})).json()
    assert [(m["organisation"]["siret"], m["role"]) for m in me["memberships"]] == [(second_siret, "admin")]
    listed = (await client.get(f"/organisations/{first['id']}/establishments", headers=admin)).json()
    assert {o["siret"] for o in listed} == {first["siret"], second_siret}
    other = await client.post(
        f"/organisations/{first['id']}/establishments", json={"siret": new_siret(), "name": "Ailleurs"}, headers=admin
    )
    assert other.status_code == 422 and other.json()["error"]["fields"][0]["code"] == "siret_other_company"

    # A training organisation (UAI + SIRET) with two accounts; the second joins by request.
    cfa_admin, cfa_staff = new_email("cfa"), new_email("formation")
    await api.confirmed_account(cfa_admin)
    await api.confirmed_account(cfa_staff)
    uai = new_uai()
    cfa_headers = await api.headers(cfa_admin)
    cfa = await client.post(
        "/organisations",
        json={"kind": "training", "name": "CFA Test", "siret": new_siret(), "uai": uai.lower()},
        headers=cfa_headers,
    )
    assert cfa.status_code == 201 and cfa.json()["uai"] == uai
    staff = await api.headers(cfa_staff)
    # Registering the same UAI again: conflict, with the id to ask to join.
    again = await client.post(
        "/organisations", json={"kind": "training", "name": "CFA Test", "siret": new_siret(), "uai": uai}, headers=staff
    )
    assert again.status_code == 409 and again.json()["error"]["details"]["organisation_id"] == cfa.json()["id"]
    found = (await client.get("/organisations/lookup", params={"uai": uai}, headers=staff)).json()
    asked = await client.post(f"/organisations/{found['id']}/join-requests", json={"message": "Bonjour"}, headers=staff)
    assert asked.status_code == 201
    pending = (await client.get(f"/organisations/{found['id']}/join-requests", headers=cfa_headers)).json()
    assert [p["email"] for p in pending] == [cfa_staff]
    ok = await client.post(
        f"/organisations/{found['id']}/join-requests/{pending[0]['id']}/accept", json={}, headers=cfa_headers
    )
    assert ok.status_code == 200 and ok.json()["role"] == "contributor"
    members = (await client.get(f"/organisations/{found['id']}/members", headers=staff)).json()
    assert {m["email"] for m in members} == {cfa_admin, cfa_staff}


async def test_machine_client_credentials(client, api):
    email = new_email()
    await api.confirmed_account(email)
    admin = await api.headers(email)
    org = await api.employer(admin, new_siret())
    created = await client.post(
        f"/organisations/{org['id']}/api-clients", json={"name": "Logiciel de paie"}, headers=admin
    )
    assert created.status_code == 201
    credentials = created.json()
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
    }
    r = await client.post("/oauth/token", data=form)
    assert r.status_code == 200, r.text
    assert r.json()["refresh_token"] is None and r.headers["cache-control"] == "no-store"
    verifier = client._transport.app.state.service.context.verifier  # noqa: SLF001
    principal = await verifier.verify(r.json()["access_token"])
    assert principal.kind == "client" and principal.sirets() == {org["siret"]}
    basic = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials["client_id"], credentials["client_secret"]),
    )
    assert basic.status_code == 200
    # A client token cannot administer people.
    client_headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert (await client.get(f"/organisations/{org['id']}/members", headers=client_headers)).status_code == 403
    bad = await client.post("/oauth/token", data={**form, "client_secret": "pcs_faux"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_client"
    missing = await client.post("/oauth/token", data={"grant_type": "password"})
    assert missing.status_code == 422
    assert {f["path"] for f in missing.json()["error"]["fields"]} == {"grant_type", "client_id", "client_secret"}
    revoke = await client.delete(f"/organisations/{org['id']}/api-clients/{credentials['id']}", headers=admin)
    assert revoke.status_code == 204
    assert (await client.post("/oauth/token", data=form)).status_code == 401


async def test_events_reach_kafka_through_the_outbox(client, api):
    import os

    email = new_email()
    await api.confirmed_account(email)
    org = await api.employer(await api.headers(email), new_siret())
    records = await read_topic(
        os.environ["PASSERELLE_KAFKA_BOOTSTRAP"], "membership.granted", key=org["id"].encode(), until=bool
    )
    envelope, event = decode_record(records[0].value, records[0].headers)
    assert envelope.producer == "identity" and event.role == "admin" and event.email == email
