"""The portal's own behaviour behind its pages, with identity answered by a fake transport (no network)."""

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from passerelle.portal.adapters.identity import IdentityClient
from passerelle.portal.bootstrap import bootstrap
from passerelle.portal.config import Settings

ME = {
    "id": "6a1c5a55-0d4e-4a43-9a09-0a0ad7a4a1a1",
    "email": "lea@exemple.fr",
    "full_name": "Léa Martin",
    "email_confirmed": True,
    "memberships": [],
}


def identity_answers(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/auth/login":
        body = json.loads(request.content)
        if body["password"] != "bon-mot-de-passe":
            return httpx.Response(
                401, json={"error": {"code": "invalid_credentials", "message": "Identifiants invalides.", "fields": []}}
            )
        return httpx.Response(
            200,
            json={"access_token": "access", "expires_in": 600, "refresh_token": "refresh", "refresh_expires_in": 3600},
        )
    if request.url.path == "/me":
        assert request.headers["Authorization"] == "Bearer access"
        return httpx.Response(200, json=ME)
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("PORTAL_CONSUMERS_ENABLED", "false")
    service = bootstrap(Settings(environment="local", notifier_url="http://127.0.0.1:9"))
    service.context.identity = IdentityClient(
        httpx.AsyncClient(base_url="http://identity", transport=httpx.MockTransport(identity_answers))
    )
    with TestClient(service.app(), follow_redirects=False) as c:
        yield c


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    marker = 'name="csrf_token" value="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


def test_a_form_posted_without_its_csrf_token_is_refused_in_french(client):
    refused = client.post("/connexion", data={"email": "lea@exemple.fr", "password": "bon-mot-de-passe"})
    assert refused.status_code == 400
    assert "Le formulaire a expiré" in refused.text
    assert "text/html" in refused.headers["content-type"]


def test_log_in_keeps_only_the_refresh_token_in_an_httponly_cookie(client):
    token = csrf_of(client, "/connexion")
    answer = client.post(
        "/connexion", data={"csrf_token": token, "email": "lea@exemple.fr", "password": "bon-mot-de-passe"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/tableau-de-bord"
    cookie = [c for c in answer.headers.get_list("set-cookie") if c.startswith("passerelle_session=")][0]
    assert "passerelle_session=refresh" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "access" not in cookie.split(";")[0].split("=", 1)[1]
    profile = client.get("/profil")
    assert profile.status_code == 200 and "Léa Martin" in profile.text


def test_wrong_credentials_are_explained_beside_the_form(client):
    token = csrf_of(client, "/connexion")
    answer = client.post("/connexion", data={"csrf_token": token, "email": "lea@exemple.fr", "password": "faux"})
    assert answer.status_code == 401
    assert "Adresse électronique ou mot de passe incorrect." in answer.text
    assert 'id="resume-erreurs"' in answer.text


def test_a_page_needing_a_session_sends_to_the_login_and_back(client):
    answer = client.get("/tableau-de-bord?q=Durand")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/connexion?suite=/tableau-de-bord?q=Durand")


def test_unknown_pages_answer_the_french_404_page_not_json(client):
    answer = client.get("/nulle-part")
    assert answer.status_code == 404
    assert "Page non trouvée" in answer.text and "{" not in answer.text.split("<body", 1)[1][:200]


def test_typed_text_is_escaped(client):
    answer = client.get("/inscription?courriel=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;" in answer.text or "&#34;&gt;&lt;script&gt;" in answer.text


def test_the_neutral_theme_has_no_republique_francaise_block(monkeypatch):
    service = bootstrap(Settings(environment="local", theme="neutral", site_name="Portail des contrats"))
    with TestClient(service.app()) as c:
        page = c.get("/connexion").text
    assert "fr-logo" not in page and "République" not in page
    assert "/static/portal/brand/neutral/brand.css" in page and "Portail des contrats" in page


def test_pages_carry_a_policy_that_loads_their_own_files_and_posts_their_own_forms(client):
    policy = client.get("/connexion").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "form-action 'self'" in policy
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
