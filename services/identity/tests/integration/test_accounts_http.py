"""Accounts and sessions over HTTP, on the real database and mail server."""

import asyncio
import base64
import json

import pytest

from passerelle.libs.auth import TokenVerifier
from passerelle.libs.testing.tokens import tampered

pytestmark = pytest.mark.integration

PASSWORD = "cheval-agrafe-lune-42"


def new_email(label="personne"):
    import uuid

    return f"{label}.{uuid.uuid4().hex[:10]}@integration.example.fr"


async def test_health_ready_and_openapi(client):
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text
    spec = (await client.get("/openapi.json")).json()
    for path in (
        "/auth/login",
        "/oauth/token",
        "/.well-known/jwks.json",
        "/organisations/{organisation_id}/invitations",
    ):
        assert path in spec["paths"]
    assert "jeton" in spec["components"]["securitySchemes"]


async def test_register_confirm_login_and_verify_the_token_with_the_published_keys(client, api, mailbox, db):
    email = new_email("camille")
    await api.register(email, "Camille Martin")
    # Not confirmed yet: the login says so (after a right password only).
    r = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 403 and r.json()["error"]["code"] == "email_not_confirmed"
    secret = await mailbox.link_secret(email, "/compte/confirmer")
    assert (await client.post("/accounts/confirmation", json={"token": secret})).json()["email_confirmed"]
    again = await client.post("/accounts/confirmation", json={"token": secret})
    assert again.status_code == 410 and again.json()["error"]["code"] == "invalid_link"
    tokens = await api.login(email)
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 600

    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert jwks["keys"] and all(k["kty"] == "OKP" and k["alg"] == "EdDSA" and "d" not in k for k in jwks["keys"])
    verifier = TokenVerifier("http://unused.invalid", "passerelle-identity", "passerelle")
    verifier.set_jwks(jwks)
    principal = await verifier.verify(tokens["access_token"])
    assert principal.email == email and principal.kind == "user" and principal.memberships == ()

    me = await client.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200 and me.json()["full_name"] == "Camille Martin"
    account_id = me.json()["id"]
    assert db.topics(account_id)[:2] == ["account.registered", "account.confirmed"]
    # The password is stored as Argon2id, never in clear.
    stored = db.scalar("SELECT password_hash FROM accounts WHERE email = :e", e=email)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_registering_an_existing_address_answers_the_same(client, api, mailbox):
    email = new_email()
    await api.confirmed_account(email)
    r = await client.post(
        "/accounts", json={"email": email, "full_name": "Dominique Roux", "password": "une-autre-phrase-longue"}
    )
    assert r.status_code == 202
    subjects = [m["subject"] for m in await mailbox.messages(email, at_least=2)]
    assert "Vous avez déjà un compte Passerelle" in subjects


async def test_bad_input_gets_422_naming_each_field_in_french(client):
    r = await client.post("/accounts", json={"email": "pas-une-adresse", "password": "court"})
    assert r.status_code == 422
    fields = {f["path"]: f["message"] for f in r.json()["error"]["fields"]}
    assert fields == {"full_name": "Ce champ est obligatoire."}
    r = await client.post("/accounts", json={"email": "pas-une-adresse", "password": "motdepasse123", "full_name": "A"})
    fields = {f["path"]: f for f in r.json()["error"]["fields"]}
    assert set(fields) == {"email", "password"}
    assert fields["password"]["code"] == "password_common"
    assert "trop courant" in fields["password"]["message"]


async def test_same_answer_for_unknown_account_and_wrong_password_then_throttled(client, api):
    email = new_email()
    await api.confirmed_account(email)
    wrong = await client.post("/auth/login", json={"email": email, "password": "pas-le-bon-mot-de-passe"})
    unknown = await client.post("/auth/login", json={"email": new_email(), "password": "pas-le-bon-mot-de-passe"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["message"] == "Identifiant ou mot de passe incorrect."
    for _ in range(4):
        await client.post("/auth/login", json={"email": email, "password": "pas-le-bon-mot-de-passe"})
    throttled = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 900


async def test_refresh_rotation_logout_and_logout_everywhere(client, api):
    email = new_email()
    await api.confirmed_account(email)
    first = await api.login(email)
    other = await api.login(email)
    refreshed = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != first["refresh_token"]
    replay = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "refresh_token_reused"
    # The replay ended that session: its newest token is dead too.
    dead = await client.post("/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]})
    assert dead.status_code == 401

    third = await api.login(email)
    assert (await client.post("/auth/logout", json={"refresh_token": third["refresh_token"]})).status_code == 204
    assert (await client.post("/auth/refresh", json={"refresh_token": third["refresh_token"]})).status_code == 401

    headers = {"Authorization": f"Bearer {other['access_token']}"}
    assert (await client.post("/auth/logout-all", headers=headers)).status_code == 204
    assert (await client.post("/auth/refresh", json={"refresh_token": other["refresh_token"]})).status_code == 401


async def test_tampered_expired_and_missing_tokens_get_401(client, api, app):
    email = new_email()
    await api.confirmed_account(email)
    token = (await api.login(email))["access_token"]
    assert (await client.get("/me")).status_code == 401
    bad = await client.get("/me", headers={"Authorization": f"Bearer {tampered(token)}"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "token_invalid"
    # An expired token: re-signed by the service's own current key, with exp in the past.
    identity = app.state.service.context
    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] = claims["iat"] - 1
    expired = await identity.ports.signer.sign(claims)
    r = await client.get("/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_expired"
    garbage = await client.get("/me", headers={"Authorization": "Bearer pas.un.jeton"})
    assert garbage.status_code == 401


async def test_password_reset_by_mail_link(client, api, mailbox):
    email = new_email()
    await api.confirmed_account(email)
    session = await api.login(email)
    r = await client.post("/auth/password-reset", json={"email": email})
    assert r.status_code == 202
    unknown = await client.post("/auth/password-reset", json={"email": new_email()})
    assert unknown.status_code == 202 and unknown.json() == r.json()
    secret = await mailbox.link_secret(email, "/compte/reinitialiser")
    weak = await client.post("/auth/password-reset/confirm", json={"token": secret, "new_password": "azertyuiop123"})
    assert weak.status_code == 422 and weak.json()["error"]["fields"][0]["path"] == "new_password"
    new_password = "nouvelle-phrase-secrete-7"
    ok = await client.post("/auth/password-reset/confirm", json={"token": secret, "new_password": new_password})
    assert ok.status_code == 204
    reused = await client.post(
        "/auth/password-reset/confirm", json={"token": secret, "new_password": new_password + "x"}
    )
    assert reused.status_code == 410
    assert (await client.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})).status_code == 401
    assert (await api.login(email, new_password))["access_token"]


async def test_profile_and_password_change(client, api):
    email = new_email()
    await api.confirmed_account(email)
    headers = await api.headers(email)
    r = await client.patch("/me", json={"full_name": "Camille Durand", "phone": "06 12 34 56 78"}, headers=headers)
    assert r.status_code == 200 and r.json()["full_name"] == "Camille Durand"
    wrong = await client.post(
        "/me/password", json={"current_password": "faux", "new_password": "nouvelle-phrase-secrete-7"}, headers=headers
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["fields"][0]["path"] == "current_password"
    ok = await client.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": "nouvelle-phrase-secrete-7"},
        headers=headers,
    )
    assert ok.status_code == 204
    await api.login(email, "nouvelle-phrase-secrete-7")


async def test_concurrent_refreshes_with_one_token_rotate_it_once(client, api):
    email = new_email()
    await api.confirmed_account(email)
    tokens = await api.login(email)
    results = await asyncio.gather(
        *(client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}) for _ in range(3))
    )
    assert sorted(r.status_code for r in results) == [200, 401, 401]
