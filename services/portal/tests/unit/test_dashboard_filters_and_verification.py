"""The dashboard's dates, person in charge and order travel in the URL to the contracts API and back onto the page;
a filter the page cannot read is named in the error summary; the verification page of an organisation asks for the
letter and takes its code. Identity and contracts answer through fake transports (no network)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from passerelle.portal.adapters.contracts import ContractsClient
from passerelle.portal.adapters.identity import IdentityClient
from passerelle.portal.bootstrap import bootstrap
from passerelle.portal.config import Settings

from .test_pages import ME, csrf_of

ORG_ID = "00000000-0000-4000-8000-812083285000"
COLLEAGUE = "00000000-0000-4000-8000-00000000c0de"


def summary(n: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "contract_type": "apprentissage",
        "status": "transmitted",
        "status_label": "Transmis à l'OPCO",
        "employer_siret": "81208328500013",
        "employee_name": f"Apprenti {n}",
        "owner_id": ME["id"],
        "created_at": "2026-03-05T23:30:00+00:00",
        "updated_at": "2026-11-20T12:00:00+00:00",
        "start_date": "2026-09-01",
        "transmitted_at": "2026-11-20T12:00:00+00:00",
        "in_charge": {"employer": COLLEAGUE},
    }


class World:
    """What the fake services hold and what they were asked."""

    def __init__(self, verified: bool = True) -> None:
        self.listings: list[dict[str, list[str]]] = []
        self.refuse_listing: dict[str, Any] | None = None
        self.org = {"id": ORG_ID, "kind": "employer", "name": "Boulangerie Dupain", "siret": "81208328500013"}
        self.org |= {"verified": verified, "verification": "postal_code" if verified else None}
        self.letters = 0
        self.codes: list[str] = []
        self.private: set[int] = set()  # the listing's drafts private to the person (#10.1)

    def identity(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in ("/auth/login", "/auth/refresh"):  # a verified organisation: the next token carries it
            tokens = {"access_token": "access", "expires_in": 600, "refresh_token": "r", "refresh_expires_in": 3600}
            return httpx.Response(200, json=tokens)
        if path == "/me":
            membership = {"membership_id": "00000000-0000-4000-9000-000000000001", "role": "admin"}
            return httpx.Response(200, json={**ME, "memberships": [{**membership, "organisation": self.org}]})
        if path == f"/organisations/{ORG_ID}":
            return httpx.Response(200, json=self.org)
        if path == f"/organisations/{ORG_ID}/members":
            colleague = {"id": "00000000-0000-4000-9000-000000000002", "role": "contributor"}
            colleague |= {"account_id": COLLEAGUE, "full_name": "Paul Dupain", "email": "paul@dupain.example.fr"}
            return httpx.Response(200, json=[colleague])
        if path.endswith("/verification/postal-code"):
            self.letters += 1
            self.org["postal_code_sent_at"] = "2026-12-01T10:00:00+00:00"
            return httpx.Response(202, json={"sent_at": "2026-12-01T10:00:00+00:00", "message": "Parti."})
        if path.endswith("/verification/postal-code/confirm"):
            code = json.loads(request.content)["code"]
            self.codes.append(code)
            if code != "12345678":
                error = {"code": "invalid_input", "message": "Données invalides.", "fields": []}
                error["fields"] = [
                    {"path": "code", "code": "postal_code_wrong", "message": "Ce code n'est pas celui du courrier."}
                ]
                return httpx.Response(422, json={"error": error})
            self.org |= {"verified": True, "verification": "postal_code", "verified_at": "2026-12-03T09:00:00+00:00"}
            return httpx.Response(200, json=self.org)
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})

    def contracts(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/contracts":
            params = parse_qs(request.url.query.decode())
            if params.get("status") == ["proposed"]:
                return httpx.Response(200, json={"items": [], "total": 0, "page": 1, "page_size": 100})
            self.listings.append(params)
            if self.refuse_listing:
                return httpx.Response(422, json={"error": self.refuse_listing})
            items = [summary(n) | {"private": n in self.private} for n in range(20)]
            return httpx.Response(
                200, json={"items": items, "total": 45, "page": int(params["page"][0]), "page_size": 20}
            )
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})


@pytest.fixture
def world() -> World:
    return World()


def signed_in(monkeypatch, world: World) -> TestClient:
    monkeypatch.setenv("PORTAL_CONSUMERS_ENABLED", "false")
    service = bootstrap(Settings(environment="local", notifier_url="http://127.0.0.1:9"))
    service.context.identity = IdentityClient(
        httpx.AsyncClient(base_url="http://identity", transport=httpx.MockTransport(world.identity))
    )
    service.context.contracts = ContractsClient(
        httpx.AsyncClient(base_url="http://contracts", transport=httpx.MockTransport(world.contracts))
    )
    client = TestClient(service.app(), follow_redirects=False)
    token = csrf_of(client, "/connexion")
    client.post("/connexion", data={"csrf_token": token, "email": ME["email"], "password": "x"})
    return client


def test_dates_person_in_charge_and_order_reach_the_api_and_stay_in_the_links(monkeypatch, world):
    with signed_in(monkeypatch, world) as client:
        page = client.get(
            "/tableau-de-bord",
            params={
                "created_from": "05/03/2026",  # typed by hand (no date picker): read as a French date
                "start_to": "2026-10-31",
                "transmitted_from": "2026-11-01",
                "in_charge": "moi",
                "sort": "start_date",
                "page": "2",
            },
        )
        assert page.status_code == 200
        [asked] = world.listings
        assert asked["created_from"] == ["2026-03-05"] and asked["start_to"] == ["2026-10-31"]
        assert asked["transmitted_from"] == ["2026-11-01"] and asked["sort"] == ["start_date"]
        assert asked["in_charge"] == [ME["id"]] and asked["page"] == ["2"]
        html = page.text
        assert 'id="f-created_from" name="created_from" value="2026-03-05"' in html
        assert '<option value="moi" selected>Moi</option>' in html
        assert f'<option value="{COLLEAGUE}">Paul Dupain</option>' in html
        assert '<option value="start_date" selected>Début du contrat, le plus proche d&#39;abord</option>' in html
        # The table shows the new columns, and the person in charge by name.
        assert "<td>01/09/2026</td>" in html and "<td>20/11/2026</td>" in html
        assert '<span class="portal-nowrap">Paul Dupain</span>' in html
        # Every page link keeps the whole search.
        next_link = html.split('fr-pagination__link--next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert parse_qs(urlsplit(next_link).query) == {
            "created_from": ["2026-03-05"],
            "start_to": ["2026-10-31"],
            "transmitted_from": ["2026-11-01"],
            "in_charge": ["moi"],
            "sort": ["start_date"],
            "page": ["3"],
        }


def test_an_unreadable_date_is_named_in_the_summary_and_nothing_is_searched(monkeypatch, world):
    with signed_in(monkeypatch, world) as client:
        page = client.get("/tableau-de-bord", params={"start_from": "31/02/2026", "sort": "n'importe quoi"})
        assert world.listings == []
        html = page.text
        assert "La recherche n&#39;a pas pu être faite" in html
        assert '<a href="#f-start_from">Début du contrat : du : Une date valide est attendue' in html
        assert 'aria-describedby="f-start_from-erreur"' in html
        assert "Corrigez les critères de recherche signalés ci-dessus." in html
        # An unknown order falls back to the default rather than failing.
        assert '<option value="-updated_at" selected>' in html


def test_a_period_the_service_refuses_is_shown_at_its_field(monkeypatch, world):
    message = "La fin de la période (création) doit être postérieure ou égale à son début."
    world.refuse_listing = {
        "code": "invalid_input",
        "message": "Une période de recherche est inversée.",
        "fields": [{"path": "created_to", "code": "range_reversed", "message": message}],
    }
    with signed_in(monkeypatch, world) as client:
        html = client.get("/tableau-de-bord", params={"created_from": "2026-05-01", "created_to": "2026-04-01"}).text
        assert f'<a href="#f-created_to">Création : au : {message}</a>' in html.replace("&#39;", "'")
        assert 'id="f-created_to-erreur"' in html


def test_an_unverified_organisation_is_verified_with_the_code_of_its_letter(monkeypatch):
    world = World(verified=False)
    with signed_in(monkeypatch, world) as client:
        dashboard = client.get("/tableau-de-bord").text
        assert f'href="/organisations/{ORG_ID}/verification">Vérifier Boulangerie Dupain</a>' in dashboard
        page = client.get(f"/organisations/{ORG_ID}/verification")
        assert "En attente de vérification" in page.text and "Recevoir un code par courrier" in page.text
        token = csrf_of(client, f"/organisations/{ORG_ID}/verification")
        sent = client.post(f"/organisations/{ORG_ID}/verification/courrier", data={"csrf_token": token})
        assert sent.status_code == 303 and world.letters == 1
        page = client.get(sent.headers["location"]).text
        assert "Courrier envoyé le 01/12/2026" in page and 'name="code"' in page

        wrong = client.post(
            f"/organisations/{ORG_ID}/verification/code", data={"csrf_token": token, "code": "1111 1111"}
        )
        assert wrong.status_code == 422
        assert '<a href="#f-code">Code reçu par courrier : Ce code n&#39;est pas celui du courrier.</a>' in wrong.text
        right = client.post(
            f"/organisations/{ORG_ID}/verification/code", data={"csrf_token": token, "code": "1234 5678"}
        )
        assert right.status_code == 303 and world.codes == ["11111111", "12345678"]
        page = client.get(right.headers["location"]).text
        assert "Organisation vérifiée" in page and "par le code reçu par courrier, le 03/12/2026" in page


def test_a_private_draft_is_shown_to_its_author_with_a_badge_until_verification(monkeypatch):
    """Issue #10.1: the dashboard marks the drafts that stay private until the organisation is verified, and the
    notice of the unverified organisation says drafts can already be prepared."""
    world = World(verified=False)
    world.private = {3}
    with signed_in(monkeypatch, world) as client:
        page = client.get("/tableau-de-bord").text
    assert "Vous pouvez déjà préparer des brouillons : ils restent visibles de vous seul" in page
    rows = page.split("<tr>")[2:]  # after the header row
    badged = [i for i, row in enumerate(rows) if "Privé jusqu'à la vérification</p>" in row]
    assert badged == [3]
