"""The new-contract form offers the person's establishments; a 409 page says the service's reason, and only a real
version conflict is titled "Le dossier a changé entre-temps". Identity and contracts answer through fake
transports (no network)."""

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.adapters.contracts import ContractsClient
from passerelle.portal.adapters.identity import IdentityClient
from passerelle.portal.adapters.notifier import NotifierClient
from passerelle.portal.bootstrap import bootstrap
from passerelle.portal.config import Settings

from .test_pages import ME, csrf_of


def employer(siret: str, name: str) -> dict:
    org = {"id": f"00000000-0000-4000-8000-{siret[-12:]}", "kind": "employer", "name": name, "siret": siret}
    return {"membership_id": f"00000000-0000-4000-9000-{siret[-12:]}", "role": "admin", "organisation": org}


TRANSMITTED = (
    "Le contrat est transmis à l'OPCO et attend sa décision : il pourra être archivé une fois la décision reçue."
)


def signed_in(monkeypatch, identity, contracts, notifier=None) -> TestClient:
    """A portal whose identity and contracts (and, if given, the notifier) answer through these handlers, with a
    person signed in."""
    monkeypatch.setenv("PORTAL_CONSUMERS_ENABLED", "false")
    service = bootstrap(Settings(environment="local", notifier_url="http://127.0.0.1:9"))
    service.context.identity = IdentityClient(
        httpx.AsyncClient(base_url="http://identity", transport=httpx.MockTransport(identity))
    )
    service.context.contracts = ContractsClient(
        httpx.AsyncClient(base_url="http://contracts", transport=httpx.MockTransport(contracts))
    )
    if notifier is not None:
        service.context.notifier = NotifierClient(
            httpx.AsyncClient(base_url="http://notifier", transport=httpx.MockTransport(notifier))
        )
    client = TestClient(service.app(), follow_redirects=False)
    token = csrf_of(client, "/connexion")
    client.post("/connexion", data={"csrf_token": token, "email": ME["email"], "password": "x"})
    return client


def make_client(monkeypatch, memberships: list[dict], created: list[dict]) -> TestClient:
    def identity(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/login":
            tokens = {"access_token": "access", "expires_in": 600, "refresh_token": "r", "refresh_expires_in": 3600}
            return httpx.Response(200, json=tokens)
        if request.url.path == "/me":
            return httpx.Response(200, json={**ME, "memberships": memberships})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})

    def contracts(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/contracts":
            return httpx.Response(200, json={"items": [], "total": 0, "page": 1, "page_size": 20})
        if request.method == "POST" and request.url.path == "/contracts":
            created.append(json.loads(request.content))
            return httpx.Response(201, json={"id": "6a1c5a55-0d4e-4a43-9a09-0a0ad7a4a1b2", "version": 1})
        if request.url.path.endswith("/archive"):
            if request.headers.get("If-Match") == '"1"':
                error = {"code": "contract_version_outdated", "message": "Ce contrat a été modifié.", "fields": []}
                return httpx.Response(412, json={"error": error})
            error = {"code": "CONTRACT_INVALID_TRANSITION", "message": TRANSMITTED, "fields": []}
            return httpx.Response(409, json={"error": error})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})

    return signed_in(monkeypatch, identity, contracts)


@pytest.fixture
def created() -> list[dict]:
    return []


def test_several_establishments_are_offered_in_a_select(monkeypatch, created):
    memberships = [employer("81208328500013", "Boulangerie Dupain SAS"), employer("81208328500021", "Dupain Lyon")]
    with make_client(monkeypatch, memberships, created) as client:
        page = client.get("/tableau-de-bord").text
        assert '<select class="fr-select" id="f-employer_siret" name="employer_siret"' in page
        assert '<option value="81208328500013">Boulangerie Dupain SAS — SIRET 81208328500013</option>' in page
        assert '<option value="81208328500021">Dupain Lyon — SIRET 81208328500021</option>' in page
        token = csrf_of(client, "/tableau-de-bord")
        answer = client.post(
            "/contrats",
            data={"csrf_token": token, "contract_type": "apprentissage", "employer_siret": "81208328500021"},
        )
        assert answer.status_code == 303
    assert created[0]["employer_siret"] == "81208328500021"


def test_one_establishment_is_filled_in(monkeypatch, created):
    with make_client(monkeypatch, [employer("81208328500013", "Boulangerie Dupain SAS")], created) as client:
        page = client.get("/tableau-de-bord").text
    assert "<select" not in page.split('id="nouveau-titre"', 1)[1]
    assert 'id="f-employer_siret" name="employer_siret" inputmode="numeric" value="81208328500013"' in page


def test_a_business_rule_409_shows_the_service_reason_not_a_concurrent_change(monkeypatch, created):
    contract = "6a1c5a55-0d4e-4a43-9a09-0a0ad7a4a1b2"
    with make_client(monkeypatch, [], created) as client:
        token = csrf_of(client, "/tableau-de-bord")
        refused = client.post(f"/contrats/{contract}/archiver", data={"csrf_token": token, "version": "3"})
        outdated = client.post(f"/contrats/{contract}/archiver", data={"csrf_token": token, "version": "1"})
    assert refused.status_code == 409
    assert "<h1>Action impossible</h1>" in refused.text
    assert "attend sa décision" in refused.text and "changé entre-temps" not in refused.text
    assert outdated.status_code == 412
    assert "<h1>Le dossier a changé entre-temps</h1>" in outdated.text


def test_a_409_without_a_message_is_not_called_a_concurrent_change():
    answer = httpx.Response(409, json={"detail": "?"})
    assert "entre-temps" not in ApiError.of(answer).message


def test_a_token_revoked_by_a_change_of_rights_is_renewed_once_not_a_logout(monkeypatch):
    # The OPCO verified the person's organisation: services refuse the access tokens issued before (token_revoked).
    # The portal renews the token and asks the page again, instead of logging the person out; a token refused
    # again at once means the session is over.
    issued: list[str] = []
    revoked = {"access"}

    def identity(request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/auth/login", "/auth/refresh"):
            token = f"access{len(issued) or ''}"
            issued.append(token)
            pair = {
                "access_token": token,
                "expires_in": 600,
                "refresh_token": f"r{len(issued)}",
                "refresh_expires_in": 3600,
            }
            return httpx.Response(200, json=pair)
        if request.url.path == "/me":
            return httpx.Response(200, json={**ME, "memberships": [employer("12345678200010", "Boulangerie")]})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})

    def contracts(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"].removeprefix("Bearer ") in revoked:
            error = {"code": "token_revoked", "message": "Cette session a été révoquée.", "fields": []}
            return httpx.Response(401, json={"error": error})
        return httpx.Response(200, json={"items": [], "total": 0, "page": 1, "page_size": 20})

    client = signed_in(monkeypatch, identity, contracts)

    first = client.get("/tableau-de-bord?statut=draft")
    assert first.status_code == 303 and first.headers["location"] == "/tableau-de-bord?statut=draft"
    again = client.get(first.headers["location"])
    assert again.status_code == 200 and issued == ["access", "access1"]

    revoked.add("access1")  # the renewed token refused again within the minute: the session is over
    over = client.get("/tableau-de-bord")
    assert over.status_code == 303 and over.headers["location"].startswith("/connexion")
