"""Forged input on the identity API (issue #10, items 6 and 9): French 4xx naming the field, never a 500."""

from __future__ import annotations

import base64

import pytest

from .conftest import new_email, new_siret

pytestmark = pytest.mark.integration


def paths(response) -> dict[str, str]:
    return {f["path"]: f["code"] for f in response.json()["error"]["fields"]}


async def test_nul_bytes_never_reach_the_database(client, api):
    login = await client.post("/auth/login", json={"email": "a\x00@b.fr", "password": "x" * 12})
    assert login.status_code == 422 and paths(login) == {"email": "forbidden_character"}
    register = await client.post(
        "/accounts", json={"email": new_email(), "full_name": "Ca\x00mille", "password": "cheval-agrafe-lune-42"}
    )
    assert register.status_code == 422 and paths(register) == {"full_name": "forbidden_character"}
    form = {"grant_type": "client_credentials", "client_id": "pcl_\x00", "client_secret": "s"}
    token = await client.post("/oauth/token", data=form)
    assert token.status_code == 422 and paths(token) == {"client_id": "forbidden_character"}
    plain = await client.post(
        "/oauth/token",
        content=b"grant_type=client_credentials&client_id=pcl_%00&client_secret=s",
        headers={"content-type": "text/plain"},
    )
    assert plain.status_code == 422 and paths(plain) == {"client_id": "forbidden_character"}
    basic = base64.b64encode(b"pcl_\x00:secret").decode()
    r = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert r.status_code == 422 and paths(r) == {"Authorization": "forbidden_character"}

    email = new_email()
    await api.confirmed_account(email)
    admin = await api.headers(email)
    org = await api.employer(admin, new_siret())
    client_name = await client.post(f"/organisations/{org['id']}/api-clients", json={"name": "Paie\x00"}, headers=admin)
    assert client_name.status_code == 422 and paths(client_name) == {"name": "forbidden_character"}


@pytest.mark.parametrize("name", ["Camille \u202eniaM", "Camille\u2066 Martin", "Camille\x1bMartin"])
async def test_names_refuse_bidi_and_control_characters(client, api, name):
    register = await client.post(
        "/accounts", json={"email": new_email(), "full_name": name, "password": "cheval-agrafe-lune-42"}
    )
    assert register.status_code == 422 and paths(register) == {"full_name": "forbidden_character"}
    email = new_email()
    await api.confirmed_account(email)
    org = await client.post(
        "/organisations",
        json={"kind": "employer", "name": name, "siret": new_siret()},
        headers=await api.headers(email),
    )
    assert org.status_code == 422 and paths(org) == {"name": "forbidden_character"}


async def test_a_non_utf8_token_request_is_a_french_400(client):
    r = await client.post(
        "/oauth/token",
        content=b"grant_type=client_credentials&client_id=\xe9t\xe9&client_secret=s",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and paths(r) == {"client_id": "body_not_utf8"}
    r = await client.post("/oauth/token", content=b"client_id=%e9t%e9", headers={"content-type": "text/plain"})
    assert r.status_code == 422 and paths(r) == {"body": "body_not_utf8"}
    r = await client.post("/auth/login", content=b'{"email": "\xe9"}', headers={"content-type": "application/json"})
    assert r.status_code == 400 and paths(r) == {"body": "body_not_utf8"}


async def test_security_headers_and_no_store_on_token_answers(client, api):
    email = new_email()
    await api.confirmed_account(email)
    login = await client.post("/auth/login", json={"email": email, "password": "cheval-agrafe-lune-42"})
    assert login.status_code == 200
    for r in (login, await client.get("/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"})):
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in r.headers["content-security-policy"]
    jwks = await client.get("/.well-known/jwks.json")
    assert jwks.headers["cache-control"] == "public, max-age=60"  # public keys may be cached
