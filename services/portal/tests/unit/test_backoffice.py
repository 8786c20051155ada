"""The OPCO back office's pages and forms with identity, opco-processing, documents and contracts answered by fake
transports (no network): who may see what, what each page shows, and what each form sends."""

from __future__ import annotations

import json
from copy import deepcopy
from html import unescape
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from passerelle.contracts.domain.labels import field_registry
from passerelle.contracts.testing.samples import complete_apprenticeship_form, complete_professionalisation_form
from passerelle.libs.testing.samples import sample_pdf
from passerelle.portal.adapters.contracts import ContractsClient
from passerelle.portal.adapters.documents import DocumentsClient
from passerelle.portal.adapters.identity import IdentityClient
from passerelle.portal.adapters.opco import OpcoClient
from passerelle.portal.adapters.pdf_pages import page_count, page_png
from passerelle.portal.bootstrap import bootstrap
from passerelle.portal.config import Settings
from passerelle.portal.domain.backoffice import countdown, euros, field_label, snapshot_rows
from passerelle.portal.domain.forms import TAB_ROOTS
from passerelle.portal.service_layer.backoffice import field_choices

LETTER = sample_pdf(2000, b"courrier")
ORG = "0b8f5b8e-2f0e-4a55-8c1f-1a2b3c4d5e6f"
ME_ID = "6a1c5a55-0d4e-4a43-9a09-0a0ad7a4a1a1"
OTHER_ID = "7b2d6b66-1e5f-4b54-8b1a-1b1be8b5b2b2"
CASE_ID = "11111111-2222-4333-8444-555555555555"
CONTRACT_ID = "99999999-8888-4777-8666-555555555555"
DOC_ID = "33333333-4444-4555-8666-777777777777"


def me(role: str) -> dict[str, Any]:
    kind = "employer" if role == "employer" else "opco"
    return {
        "id": ME_ID,
        "email": "instructeur@opcoep.example.fr",
        "full_name": "Inès Roche",
        "email_confirmed": True,
        "memberships": [
            {
                "membership_id": "aaaaaaaa-0000-4000-8000-000000000001",
                "role": "admin" if kind == "employer" else role,
                "organisation": {
                    "id": ORG,
                    "kind": kind,
                    "name": "OPCO EP",
                    "opco_code": "OPCOEP" if kind == "opco" else None,
                },
            }
        ],
    }


SUMMARY = {
    "id": CASE_ID,
    "contract_id": CONTRACT_ID,
    "contract_type": "apprentissage",
    "opco_code": "OPCOEP",
    "status": "ready",
    "status_label": "Prêt",
    "revision": 2,
    "employer": {"siret": "81208328500013", "name": "Boulangerie Dupain"},
    "employee_name": "Lucas Durand",
    "training": {"siret": "19750001800011", "name": "CFA des Métiers"},
    "qualification": "CAP Boulanger",
    "idcc": "0843",
    "branch": "Boulangerie-pâtisserie artisanale",
    "received_at": "2026-09-03T07:00:00+00:00",
    "due_at": "2026-09-23T07:00:00+00:00",
    "remaining_seconds": 3 * 86400 + 4 * 3600,
    "assignee": None,
    "checks": {"passed": 9, "failed": 1, "not_applicable": 1},
    "funding_amount": "7425.00",
    "file_number": None,
}
DETAIL = {
    **SUMMARY,
    "form": {
        "employer": {"name": "Boulangerie Dupain", "siret": "81208328500013", "idcc": "0843"},
        "employee": {"first_name": "Lucas", "birth_name": "Durand", "email": "lucas@example.fr"},
    },
    "changed_fields": ["employee.email"],
    "revisions": [{"number": 1}, {"number": 2}],
    "checks_detail": [
        {
            "id": "PAY",
            "label": "Rémunération minimale",
            "result": "failed",
            "effective_result": "failed",
            "reason": "Le salaire de la 1re année est sous le minimum.",
            "reference": "D6222-26",
            "blocking": True,
            "details": {},
            "override": None,
        }
    ],
    "funding": {"amount": "7425.00", "basis": "npec"},
    "anomalies": [
        {
            "id": "a1",
            "code": "MISSING_DOCUMENT:cerfa_signe",
            "kind": "missing_document",
            "tab": "documents",
            "field": None,
            "document_type": "cerfa_signe",
            "reason": "Le CERFA signé manque.",
            "revision": 1,
            "raised_at": "2026-09-04T07:00:00+00:00",
            "resolved_at": "2026-09-05T07:00:00+00:00",
            "resolution": "document_received",
        }
    ],
    "answer_due_on": None,
    "decisions": [],
    "letters": [{"id": "44444444-4444-4444-8444-444444444444", "kind": "anomaly", "status": "stored"}],
    "filing": {
        "due_on": "2026-09-08",
        "received_on": "2026-09-03",
        "late_by": 0,
        "unit": "working_days",
        "reference": "D6224-1",
    },
    "clock": {
        "period": {"count": 20, "unit": "days", "reference": "D6224-2", "silence": "refusal"},
        "correction_effect": "restart",
        "intervals": [
            {
                "started_at": "2026-09-03T07:00:00+00:00",
                "start_reason": "dossier reçu",
                "ended_at": None,
                "end_reason": None,
            }
        ],
        "due_at": "2026-09-23T07:00:00+00:00",
        "remaining_seconds": 3 * 86400,
        "complete_since": "2026-09-03T07:00:00+00:00",
    },
    "deposit": None,
    "routing": {"idcc": "0843", "branch": "Boulangerie", "source": "idcc"},
}


class Fake:
    def __init__(self, role: str) -> None:
        self.role = role
        self.sent: list[tuple[str, str, Any]] = []
        self.queue_items: list[dict[str, Any]] = [SUMMARY]  # the rows of every queue page

    def identity(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/login":
            return httpx.Response(
                200,
                json={"access_token": "access", "expires_in": 600, "refresh_token": "r", "refresh_expires_in": 3600},
            )
        if request.url.path == "/me":
            return httpx.Response(200, json=me(self.role))
        if request.url.path == f"/organisations/{ORG}/members":
            return httpx.Response(
                200,
                json=[
                    {
                        "membership_id": "aaaaaaaa-0000-4000-8000-000000000001",
                        "role": self.role,
                        "account_id": ME_ID,
                        "full_name": "Inès Roche",
                        "email": "i@o.fr",
                    },
                    {
                        "membership_id": "aaaaaaaa-0000-4000-8000-000000000002",
                        "role": "reviewer",
                        "account_id": OTHER_ID,
                        "full_name": "Paul Agent",
                        "email": "p@o.fr",
                    },
                ],
            )
        if request.method == "PATCH":
            self.sent.append(("PATCH", request.url.path, json.loads(request.content)))
            return httpx.Response(200, json={})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})

    def opco(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else None
        if method != "GET":
            self.sent.append((method, path, body))
        if path == "/cases":
            self.sent.append(("GET", path, dict(request.url.params)))
            counts = {"a_traiter": 1, "suivis": 0, "en_anomalie": 0, "traites": 0, "expirant": 1, "tous": 1}
            items = self.queue_items
            return httpx.Response(200, json={"items": items, "total": len(items), "counts": counts})
        if "/letters/" in path:
            return httpx.Response(200, content=LETTER, headers={"content-type": "application/pdf"})
        if path == "/cases/workload":
            return httpx.Response(
                200, json=[{"assignee": {"id": OTHER_ID, "name": "Paul Agent"}, "open": 4, "expiring": 1}]
            )
        if path == "/cases/batch":
            return httpx.Response(
                200,
                json={
                    "results": [
                        {
                            "case_id": CASE_ID,
                            "ok": False,
                            "error": {"code": "checks_failed", "message": "Un contrôle bloquant est en échec."},
                        }
                    ]
                },
            )
        if (
            path == f"/cases/{CASE_ID}"
            or path.endswith("/assign")
            or path.endswith("/override")
            or path.endswith("/anomaly")
            or path.endswith("/refuse")
        ):
            return httpx.Response(200, json=DETAIL)
        if path.endswith("/engage"):
            return httpx.Response(200, json={**DETAIL, "status": "engaged", "file_number": "OPCOEP-2026-000001"})
        if path.endswith("/history"):
            return httpx.Response(
                200,
                json=[
                    {
                        "at": "2026-09-03T07:00:00+00:00",
                        "actor": {"id": None, "name": "Système", "role": "system"},
                        "action": "case_opened",
                        "revision": 1,
                        "details": {},
                    }
                ],
            )
        if path.endswith("/notes"):
            if method == "POST":
                return httpx.Response(201, json={"id": "n1"})
            return httpx.Response(
                200,
                json=[
                    {
                        "id": "n1",
                        "text": "Appeler le CFA.",
                        "author_name": "Paul Agent",
                        "at": "2026-09-04T08:00:00+00:00",
                    }
                ],
            )
        if path == "/settings":
            if method == "PUT":
                return httpx.Response(200, json=body)
            return httpx.Response(
                200, json={"auto_engage": {"apprentissage": False, "professionnalisation": True}, "alert_days": [5, 2]}
            )
        if path == "/barred-employers":
            if method == "POST":
                return httpx.Response(201, json={})
            return httpx.Response(
                200,
                json=[
                    {
                        "id": "b1",
                        "siret": "12345678901234",
                        "siren": None,
                        "reason": "Décision du préfet",
                        "until": None,
                    }
                ],
            )
        return httpx.Response(
            404, json={"error": {"code": "case_not_found", "message": "Dossier introuvable.", "fields": []}}
        )

    def documents(self, request: httpx.Request) -> httpx.Response:
        doc = {
            "id": DOC_ID,
            "document_type": "convention_formation",
            "document_type_label": "Convention de formation",
            "version": 1,
            "filename": "Convention.pdf",
            "size": 10,
            "media_type": "application/pdf",
            "uploaded_at": "2026-09-02T07:00:00+00:00",
        }
        return httpx.Response(
            200,
            json={
                "documents": [
                    {
                        "document_type": "convention_formation",
                        "document_type_label": "Convention de formation",
                        "current": doc,
                        "versions": [doc],
                    }
                ]
            },
        )

    def contracts(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/referentials/fields":  # the contracts service's own registry, as it serves it
            return httpx.Response(200, json=[{"path": a.path, "label": a.label} for a in field_registry()])
        return httpx.Response(
            200,
            json={
                "tabs": [
                    {
                        "tab": "salarie",
                        "label": "Salarié",
                        "questions": [
                            {"field": "employee.email", "label": "Adresse électronique de l'apprenti", "required": True}
                        ],
                    }
                ],
                "reminders": [],
            },
        )


def client_for(monkeypatch: pytest.MonkeyPatch, role: str) -> tuple[TestClient, Fake]:
    monkeypatch.setenv("PORTAL_CONSUMERS_ENABLED", "false")
    fake = Fake(role)
    service = bootstrap(Settings(environment="local", notifier_url="http://127.0.0.1:9"))
    ctx = service.context

    def mock(handler: Any, base: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base, transport=httpx.MockTransport(handler))

    ctx.identity = IdentityClient(mock(fake.identity, "http://identity"))
    ctx.opco = OpcoClient(mock(fake.opco, "http://opco"))
    ctx.documents = DocumentsClient(mock(fake.documents, "http://documents"))
    ctx.contracts = ContractsClient(mock(fake.contracts, "http://contracts"))
    client = TestClient(service.app(), follow_redirects=False)
    client.__enter__()
    token = csrf(client, "/connexion")
    client.post("/connexion", data={"csrf_token": token, "email": "i@o.fr", "password": "x"})
    return client, fake


def csrf(client: TestClient, path: str) -> str:
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def signed_in(monkeypatch):
    """Opens a signed-in portal for a role (closed after the test): `client, fake = signed_in("reviewer")`."""
    opened: list[TestClient] = []

    def open_as(role: str) -> tuple[TestClient, Fake]:
        client, fake = client_for(monkeypatch, role)
        opened.append(client)
        return client, fake

    yield open_as
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def reviewer(signed_in):
    return signed_in("reviewer")


@pytest.fixture
def supervisor(signed_in):
    return signed_in("supervisor")


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("employer", "/instruction/dossiers", 403),
        ("reviewer", "/instruction/dossiers", 200),
        ("reviewer", "/instruction/charge", 403),
        ("reviewer", "/instruction/administration", 403),
        ("supervisor", "/instruction/charge", 200),
        ("supervisor", "/instruction/administration", 403),
        ("admin", "/instruction/charge", 200),
        ("admin", "/instruction/administration", 200),
    ],
)
def test_each_page_is_for_its_roles(signed_in, role, path, status):
    client, _ = signed_in(role)
    assert client.get(path).status_code == status


@pytest.mark.parametrize(
    ("role", "landing"),
    [("reviewer", "/instruction"), ("admin", "/instruction"), ("employer", "/tableau-de-bord")],
)
def test_staff_land_on_the_back_office_after_login_others_on_their_dashboard(signed_in, role, landing):
    client, _ = signed_in(role)
    client.cookies.clear()  # signed out again: the login below is the one that counts
    token = csrf(client, "/connexion")
    assert 'name="suite" value=""' in client.get("/connexion").text  # nothing asked, nothing carried
    done = client.post("/connexion", data={"csrf_token": token, "email": "i@o.fr", "password": "x", "suite": ""})
    assert done.status_code == 303 and done.headers["location"] == landing
    assert client.get("/").headers["location"] == landing
    assert client.get("/connexion").headers["location"] == landing
    # A page asked for before logging in still wins over the landing.
    asked = client.post(
        "/connexion",
        data={"csrf_token": token, "email": "i@o.fr", "password": "x", "suite": "/notifications"},
    )
    assert asked.headers["location"] == "/notifications"


def test_the_queue_shows_tabs_with_counts_countdown_checks_and_funding(reviewer):
    client, _ = reviewer
    page = client.get("/instruction/dossiers?onglet=expirant")
    assert page.status_code == 200, page.text
    text = unescape(page.text)
    assert 'Expirant bientôt <span class="portal-tab-count" data-onglet="expirant">(1)</span>' in text
    assert "3 j 4 h restants" in text and "1 en échec" in text and "7\u202f425,00\u00a0€" in text
    assert "Lucas Durand" in text and f'href="/instruction/dossiers/{CASE_ID}"' in text
    assert "Charge et échéances" not in text  # a reviewer has no supervisor pages
    assert 'href="/instruction"' in text  # the menu has the back office


def test_people_without_an_opco_membership_are_refused(signed_in):
    client, _ = signed_in("employer")
    page = client.get("/instruction/dossiers")
    assert page.status_code == 403 and "réservé aux équipes des OPCO" in unescape(page.text)
    assert 'href="/instruction"' not in page.text  # no back-office menu entry either


def test_the_case_shows_changes_checks_documents_notes_and_the_clock(reviewer):
    client, _ = reviewer
    page = client.get(f"/instruction/dossiers/{CASE_ID}?onglet=salarie")
    assert page.status_code == 200, page.text
    text = unescape(page.text)
    assert 'class="portal-changed" data-champ="employee.email"' in text and "Modifié" in text
    assert "Courriel" in text  # its label in the contracts service's registry
    assert "1 modifié" in text  # the Salarié tab is marked
    assert "Le salaire de la 1re année est sous le minimum." in text and "D6222-26" in text
    assert f"/instruction/documents/{DOC_ID}" in text and "Appeler le CFA." in text
    assert "Complet depuis" in text and "le silence vaut refus" in text
    assert "Levée" in text and "pièce reçue" in text
    assert "Modifier le résultat" not in text  # overriding is the supervisors'


def test_an_anomaly_is_previewed_before_it_is_sent_and_sends_what_was_picked(reviewer):
    client, fake = reviewer
    form = client.get(f"/instruction/dossiers/{CASE_ID}/anomalie")
    assert form.status_code == 200 and 'value="employee.email"' in form.text
    token = csrf(client, f"/instruction/dossiers/{CASE_ID}/anomalie")
    incomplete = client.post(
        f"/instruction/dossiers/{CASE_ID}/anomalie", data={"csrf_token": token, "champ_1": "employee.email"}
    )
    assert incomplete.status_code == 422 and "Expliquez ce qui est à corriger dans ce champ." in unescape(
        incomplete.text
    )
    checked = client.post(
        f"/instruction/dossiers/{CASE_ID}/anomalie",
        data={
            "csrf_token": token,
            "champ_1": "employee.email",
            "motif_champ_1": "C'est l'adresse de l'employeur.",
            "piece_cerfa_signe": "oui",
            "motif_piece_cerfa_signe": "Le CERFA signé manque.",
        },
    )
    assert checked.status_code == 200 and "Rien n'est encore envoyé" in unescape(checked.text)
    assert not [s for s in fake.sent if s[1].endswith(f"{CASE_ID}/anomaly")]  # nothing sent yet
    preview = checked.text.split('id="apercu-courrier" href="', 1)[1].split('"', 1)[0]
    pdf = client.get(preview)
    assert pdf.status_code == 200 and pdf.content == LETTER  # the letter shown is the one previewed
    image = client.get(preview + "/page-1.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert f'src="{preview}/page-1.png"' in checked.text
    assert client.get(preview + "/page-2.png").status_code == 404
    send = checked.text.split(f'action="/instruction/dossiers/{CASE_ID}/envoyer/', 1)[1].split('"', 1)[0]
    sent = client.post(f"/instruction/dossiers/{CASE_ID}/envoyer/{send}", data={"csrf_token": token})
    assert sent.status_code == 303
    posted = [s for s in fake.sent if s[1].endswith(f"{CASE_ID}/anomaly")][0][2]
    assert posted["anomalies"] == [
        {
            "kind": "field_error",
            "tab": "salarie",
            "field": "employee.email",
            "reason": "C'est l'adresse de l'employeur.",
        },
        {"kind": "missing_document", "document_type": "cerfa_signe", "reason": "Le CERFA signé manque."},
    ]
    again = client.post(f"/instruction/dossiers/{CASE_ID}/envoyer/{send}", data={"csrf_token": token})
    assert again.status_code == 404  # a draft is sent once


def test_an_anomaly_names_as_many_fields_as_wanted_one_row_added_at_a_time_without_javascript(reviewer):
    client, fake = reviewer
    first = client.get(f"/instruction/dossiers/{CASE_ID}/anomalie")
    assert 'id="f-champ_3"' in first.text and 'id="f-champ_4"' not in first.text
    assert 'name="ajouter" value="champ"' in first.text
    token = csrf(client, f"/instruction/dossiers/{CASE_ID}/anomalie")
    paths = ["employee.email", "employee.first_name", "employee.birth_name", "employer.name", "employer.idcc"]
    typed: dict[str, str] = {"csrf_token": token, "lignes": "3"}
    for row in range(1, 4):
        typed |= {f"champ_{row}": paths[row - 1], f"motif_champ_{row}": f"Motif n° {row} à corriger."}
    page = client.post(f"/instruction/dossiers/{CASE_ID}/anomalie", data=typed)
    for row in (4, 5):  # the button sends the form: one more row each time, and everything typed is kept
        page = client.post(f"/instruction/dossiers/{CASE_ID}/anomalie", data={**typed, "ajouter": "champ"})
        assert (
            page.status_code == 200
            and f'id="f-champ_{row}"' in page.text
            and f'id="f-champ_{row + 1}"' not in page.text
        )
        assert f'<select class="fr-select" id="f-champ_{row}" name="champ_{row}" autofocus' in page.text
        assert 'value="Motif n° 3 à corriger."' in unescape(page.text) and "Rien n'est encore envoyé" not in page.text
        typed |= {
            "lignes": str(row),
            f"champ_{row}": paths[row - 1],
            f"motif_champ_{row}": f"Motif n° {row} à corriger.",
        }
    checked = client.post(f"/instruction/dossiers/{CASE_ID}/anomalie", data=typed)
    assert checked.status_code == 200 and "Rien n'est encore envoyé" in unescape(checked.text)
    send = checked.text.split(f'action="/instruction/dossiers/{CASE_ID}/envoyer/', 1)[1].split('"', 1)[0]
    assert client.post(f"/instruction/dossiers/{CASE_ID}/envoyer/{send}", data={"csrf_token": token}).status_code == 303
    posted = [s for s in fake.sent if s[1].endswith(f"{CASE_ID}/anomaly")][0][2]
    assert [a["field"] for a in posted["anomalies"]] == paths
    assert [a["reason"] for a in posted["anomalies"]] == [f"Motif n° {row} à corriger." for row in range(1, 6)]
    # The form never grows past the contract's fields (six answered here): no button to add a seventh.
    full = client.post(f"/instruction/dossiers/{CASE_ID}/anomalie", data={**typed, "ajouter": "champ"})
    assert 'id="f-champ_6"' in full.text and 'name="ajouter"' not in full.text


def test_a_refusal_needs_a_motivation_and_previews_it(reviewer):
    client, fake = reviewer
    token = csrf(client, f"/instruction/dossiers/{CASE_ID}/refus")
    short = client.post(f"/instruction/dossiers/{CASE_ID}/refus", data={"csrf_token": token, "reason": "non"})
    assert short.status_code == 422 and "Motivez le refus" in short.text
    motivation = "La formation ne prépare à aucune certification enregistrée."
    checked = client.post(f"/instruction/dossiers/{CASE_ID}/refus", data={"csrf_token": token, "reason": motivation})
    assert checked.status_code == 200 and motivation in unescape(checked.text)
    preview = checked.text.split('id="apercu-courrier" href="', 1)[1].split('"', 1)[0]
    assert client.get(preview).status_code == 200
    assert [s for s in fake.sent if s[1].endswith("/letters/preview/refusal")][0][2] == {"reason": motivation}


def test_engaging_shows_the_funding_first_then_engages(reviewer):
    client, fake = reviewer
    page = client.get(f"/instruction/dossiers/{CASE_ID}/conforme")
    assert (
        page.status_code == 200
        and "7\u202f425,00\u00a0€" in page.text
        and "contrôle(s) bloquant(s) en échec" in page.text
    )
    token = csrf(client, f"/instruction/dossiers/{CASE_ID}/conforme")
    done = client.post(f"/instruction/dossiers/{CASE_ID}/conforme", data={"csrf_token": token})
    assert (
        done.status_code == 303
        and "OPCOEP-2026-000001" in done.headers["location"].replace("%20", " ")
        or "OPCOEP" in done.headers["location"]
    )


def test_a_batch_shows_one_result_per_case(reviewer):
    client, _ = reviewer
    token = csrf(client, "/instruction/dossiers")
    answer = client.post(
        "/instruction/dossiers/lot",
        data={"csrf_token": token, "dossiers": CASE_ID, "action": "engager", "agent": "moi"},
    )
    assert answer.status_code == 200 and "Un contrôle bloquant est en échec." in answer.text and "Refusé" in answer.text


def test_a_batch_names_a_case_ticked_off_the_page_and_keeps_the_persons_view(reviewer):
    """The queue moved since the person ticked the case (it is no longer on the rows shown): its result still
    names it, and the person stays on the tab, sort and page they were on."""
    client, fake = reviewer
    fake.queue_items = []
    token = csrf(client, "/instruction/dossiers")
    answer = client.post(
        "/instruction/dossiers/lot",
        data={
            "csrf_token": token,
            "dossiers": CASE_ID,
            "action": "engager",
            "agent": "moi",
            "vue": "onglet=suivis&tri=-received&type=apprentissage&page=2",
        },
    )
    results = answer.text[answer.text.index('id="resultats-lot"') :]
    assert answer.status_code == 200 and "Lucas Durand" in results and CASE_ID not in results
    asked = [params for method, path, params in fake.sent if method == "GET" and path == "/cases"]
    assert asked[-1]["tab"] == "suivis" and asked[-1]["sort"] == "-received" and asked[-1]["offset"] == "25"
    assert asked[-1]["contract_type"] == "apprentissage"
    assert 'name="vue" value="onglet=suivis&amp;tri=-received&amp;type=apprentissage&amp;page=2"' in answer.text


def test_a_reviewer_may_only_take_a_case_for_themselves(reviewer):
    client, fake = reviewer
    token = csrf(client, f"/instruction/dossiers/{CASE_ID}")
    assert (
        client.post(
            f"/instruction/dossiers/{CASE_ID}/attribution", data={"csrf_token": token, "agent": OTHER_ID}
        ).status_code
        == 403
    )
    taken = client.post(f"/instruction/dossiers/{CASE_ID}/attribution", data={"csrf_token": token, "agent": "moi"})
    assert taken.status_code == 303
    assert [s for s in fake.sent if s[1].endswith("/assign")][-1][2] == {
        "assignee": {"id": ME_ID, "name": "Inès Roche"}
    }
    assert client.get("/instruction/charge").status_code == 403


def test_supervisors_see_the_load_and_reassign(supervisor):
    client, fake = supervisor
    page = client.get("/instruction/charge")
    assert page.status_code == 200 and "Paul Agent" in page.text and "3 j 4 h restants" in page.text
    token = csrf(client, "/instruction/charge")
    moved = client.post(
        "/instruction/charge/reattribuer", data={"csrf_token": token, "dossier": CASE_ID, "agent": OTHER_ID}
    )
    assert moved.status_code == 303
    assert [s for s in fake.sent if s[1].endswith("/assign")][-1][2] == {
        "assignee": {"id": OTHER_ID, "name": "Paul Agent"}
    }
    assert client.get("/instruction/administration").status_code == 403


def test_administrators_configure_auto_engagement_alerts_barred_employers_and_roles(admin):
    client, fake = admin
    page = client.get("/instruction/administration")
    assert page.status_code == 200 and "Décision du préfet" in page.text and "Paul Agent" in page.text
    token = csrf(client, "/instruction/administration")
    bad = client.post("/instruction/administration/reglages", data={"csrf_token": token, "alert_days": "cinq"})
    assert bad.status_code == 422 and "Indiquez des nombres de jours" in bad.text
    assert 'value="cinq"' in bad.text  # what was typed stays beside its error
    saved = client.post(
        "/instruction/administration/reglages",
        data={"csrf_token": token, "alert_days": "2, 5", "auto_engage.apprentissage": "oui"},
    )
    assert saved.status_code == 303
    assert [s for s in fake.sent if s[1] == "/settings"][-1][2] == {
        "auto_engage": {"apprentissage": True, "professionnalisation": False},
        "alert_days": [5, 2],
    }
    wrong = client.post(
        "/instruction/administration/interdits", data={"csrf_token": token, "identifiant": "123", "reason": "x"}
    )
    assert wrong.status_code == 422 and "Indiquez un SIRET (14 chiffres)" in wrong.text
    barred = client.post(
        "/instruction/administration/interdits",
        data={"csrf_token": token, "identifiant": "812083285", "reason": "Arrêté préfectoral du 3 mars 2026"},
    )
    assert barred.status_code == 303
    assert [s for s in fake.sent if s[1] == "/barred-employers"][-1][2] == {
        "reason": "Arrêté préfectoral du 3 mars 2026",
        "siren": "812083285",
    }
    role = client.post(
        "/instruction/administration/agents/aaaaaaaa-0000-4000-8000-000000000002/role",
        data={"csrf_token": token, "role": "supervisor"},
    )
    assert role.status_code == 303 and fake.sent[-1] == (
        "PATCH",
        f"/organisations/{ORG}/members/aaaaaaaa-0000-4000-8000-000000000002",
        {"role": "supervisor"},
    )


def test_countdowns_amounts_and_snapshot_rows():
    assert countdown(None).level == "aucun" and countdown(-5).text == "Délai dépassé"
    assert countdown(86400 + 3600).text == "1 j 1 h restants" and countdown(86400).level == "urgent"
    assert countdown(4 * 86400).level == "proche" and countdown(10 * 86400).level == "normal"
    assert countdown(2 * 3600 + 300).text == "2 h 5 min restantes"
    assert euros("1234.5") == "1\u202f234,50\u00a0€" and euros(None) == "—"
    form = deepcopy(DETAIL["form"])
    form["tutors"] = [{"first_name": "Anne"}]
    labels = {a.path: a.label for a in field_registry()}
    rows = snapshot_rows(form, "salarie", labels, ["employee.email"])
    assert [(r.label, r.changed) for r in rows] == [
        (labels["employee.first_name"], False),
        (labels["employee.birth_name"], False),
        ("Courriel", True),
    ]
    tutor = snapshot_rows(form, "tuteur", {}, ["tutors"])
    assert tutor[0].path == "tutors[0].first_name" and tutor[0].changed


def test_pdf_pages_render_as_png_and_refuse_pages_that_are_not_there():
    assert page_count(LETTER) == 1
    assert (page_png(LETTER, 1) or b"").startswith(b"\x89PNG")
    assert page_png(LETTER, 2) is None and page_png(LETTER, 0) is None


def test_queue_filters_reach_the_api_as_its_parameters(reviewer):
    client, fake = reviewer
    page = client.get(
        "/instruction/dossiers?onglet=en_anomalie&type=apprentissage&employeur=81208328500013"
        "&recu_depuis=2026-09-01&echeance_avant=2026-09-30&tri=-received&agent=pas-un-id"
    )
    assert page.status_code == 200
    sent = [s for s in fake.sent if s[1] == "/cases"][-1][2]
    assert sent["tab"] == "en_anomalie" and sent["sort"] == "-received" and sent["contract_type"] == "apprentissage"
    assert sent["employer_siret"] == "81208328500013" and "assignee_id" not in sent
    assert sent["received_after"] == "2026-09-01T00:00:00+02:00" and sent["due_before"] == "2026-10-01T00:00:00+02:00"
    assert 'value="2026-09-01"' in page.text  # the filter stays in the form


def test_a_note_comes_back_to_the_notes_with_its_message(reviewer):
    client, fake = reviewer
    token = csrf(client, f"/instruction/dossiers/{CASE_ID}")
    done = client.post(f"/instruction/dossiers/{CASE_ID}/notes", data={"csrf_token": token, "texte": "Appeler le CFA."})
    location = done.headers["location"]
    assert done.status_code == 303 and location.endswith("#notes") and "?message=La%20note" in location
    assert [s for s in fake.sent if s[1].endswith("/notes")][-1][2] == {"text": "Appeler le CFA."}


@pytest.mark.parametrize("form", [complete_apprenticeship_form(), complete_professionalisation_form()])
def test_every_field_a_reviewer_can_pick_or_see_has_its_french_label(form):
    """The anomaly picker and the contract's tabs (with what changed) of complete contracts of both types, with
    three tutors and a four-period pay schedule: no answer is named by its path."""
    labels = {a.path: a.label for a in field_registry()}
    data = form.model_dump(mode="json", exclude_none=True)
    data["tutors"] = [data["tutors"][0]] * 3
    picked = [text for _, _, options in field_choices({"form": data}, labels) for _, text in options]
    assert picked and not [t for t in picked if "Champ «" in t]
    for tab in TAB_ROOTS:
        seen = snapshot_rows(data, tab, labels, changed=["employee.email", "contract.pay_schedule"])
        assert not [r.path for r in seen if r.label.startswith("Champ «")], tab


def test_a_row_of_a_list_is_named_with_its_rank():
    labels = {a.path: a.label for a in field_registry()}
    assert field_label("tutors[1].last_name", labels) == "Nom (tuteur 2)"
    assert (
        field_label("contract.pay_schedule[0].rate_percent", labels)
        == "Taux appliqué sur la période (en %) (période 1)"
    )
    assert field_label("employee.email", labels) == labels["employee.email"]
    assert field_label("employee.email", {}) == "Champ « employee.email »"  # the registry unreachable: the path
