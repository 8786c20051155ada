"""The notification preferences page over the notifier's API (fake transports, no network): it lists the kinds the
notifier says the person may be told, names the legal ones that cannot be switched off (none for a person who has
none), saves only what changed, and shows the notifier's refusal beside the kind it is about."""

from __future__ import annotations

import json
import re
from html import unescape

import httpx
from fastapi.testclient import TestClient

from .test_dashboard_and_errors import signed_in
from .test_pages import ME, csrf_of

ANOMALY = {
    "kind": "anomaly_raised",
    "label": "Anomalie relevée par l'OPCO",
    "legal": True,
    "web": "immediate",
    "email": "immediate",
    "allowed": {"web": ["immediate", "off"], "email": ["immediate", "digest", "off"]},
}
PROPOSED = {
    "kind": "contract_proposed",
    "label": "Contrat proposé par un CFA",
    "legal": False,
    "web": "immediate",
    "email": "immediate",
    "allowed": {"web": ["immediate", "off"], "email": ["immediate", "digest", "off"]},
}
CASE_OPENED = {
    "kind": "case_opened",
    "label": "Nouveau dossier dans la file",
    "legal": False,
    "web": "immediate",
    "email": "off",
    "allowed": {"web": ["immediate", "off"], "email": ["immediate", "digest", "off"]},
}
SILENCED = "Une notification légale ne peut pas être désactivée : gardez au moins un canal."


def identity(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/auth/login":
        tokens = {"access_token": "access", "expires_in": 600, "refresh_token": "r", "refresh_expires_in": 3600}
        return httpx.Response(200, json=tokens)
    if request.url.path == "/me":
        return httpx.Response(200, json=ME)
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})


class Notifier:
    """The notifier's preferences API: a person's kinds, and the PUTs it received."""

    def __init__(self, kinds: list[dict]) -> None:
        self.kinds = {k["kind"]: dict(k) for k in kinds}
        self.puts: list[tuple[str, dict]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/notifications/count":
            return httpx.Response(200, json={"unread": 0})
        if request.method == "GET" and request.url.path == "/preferences":
            return httpx.Response(200, json={"kinds": list(self.kinds.values())})
        if request.method == "PUT" and request.url.path.startswith("/preferences/"):
            kind = request.url.path.rsplit("/", 1)[1]
            body = json.loads(request.content)
            self.puts.append((kind, body))
            if self.kinds[kind]["legal"] and body == {"web": "off", "email": "off"}:
                field = {"path": "email", "code": "legal_notice_required", "message": SILENCED}
                error = {"code": "validation_failed", "message": SILENCED, "fields": [field]}
                return httpx.Response(422, json={"error": error})
            self.kinds[kind].update(body)
            return httpx.Response(200, json=self.kinds[kind])
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})


def not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "Introuvable.", "fields": []}})


def portal(monkeypatch, notifier: Notifier) -> TestClient:
    """A portal whose identity and notifier answer through these fakes, with a person signed in."""
    return signed_in(monkeypatch, identity, not_found, notifier)


def save(client: TestClient, choices: dict[str, tuple[str, str]]) -> httpx.Response:
    """The preferences form posted with these (web, e-mail) channels per kind."""
    form = {"csrf_token": csrf_of(client, "/notifications/preferences")}
    for kind, (web, email) in choices.items():
        form[f"{kind}.web"], form[f"{kind}.email"] = web, email
    return client.post("/notifications/preferences", data=form)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_party_sees_its_kinds_and_which_are_legal(monkeypatch):
    with portal(monkeypatch, Notifier([ANOMALY, PROPOSED])) as client:
        page = client.get("/notifications/preferences")
        assert page.status_code == 200
        shown = text(page.text)
        assert "Anomalie relevée par l'OPCO obligatoire" in shown  # the legal kind's badge
        assert "Contrat proposé par un CFA obligatoire" not in shown
        legal = re.search(r'<p id="preferences-obligatoires">(.*?)</p>', page.text, re.S)
        assert legal is not None and "Anomalie relevée par l'OPCO" in unescape(legal.group(1))
        assert "Contrat proposé" not in legal.group(1)
        # Each kind offers the notifier's channels, the current one selected.
        assert 'id="p-contract_proposed-email"' in page.text and 'id="p-anomaly_raised-web"' in page.text


def test_staff_with_no_legal_kind_are_not_told_of_one(monkeypatch):
    with portal(monkeypatch, Notifier([CASE_OPENED])) as client:
        page = client.get("/notifications/preferences")
        assert page.status_code == 200
        assert "Nouveau dossier dans la file" in page.text
        assert 'id="preferences-obligatoires"' not in page.text
        assert "ne peuvent pas être désactivées" not in text(page.text)  # the page once said so to everyone
        assert "obligatoire</span>" not in page.text


def test_only_what_changed_is_saved(monkeypatch):
    notifier = Notifier([ANOMALY, PROPOSED])
    with portal(monkeypatch, notifier) as client:
        saved = save(
            client, {"anomaly_raised": ("immediate", "immediate"), "contract_proposed": ("immediate", "digest")}
        )
        assert saved.status_code == 303
        assert saved.headers["location"].startswith("/notifications/preferences")
        assert notifier.puts == [("contract_proposed", {"web": "immediate", "email": "digest"})]
        again = client.get(saved.headers["location"])
        assert "Vos préférences sont enregistrées." in again.text
        selected = re.search(r'id="p-contract_proposed-email".*?</select>', again.text, re.S)
        assert selected is not None and '<option value="digest" selected>' in selected.group(0)


def test_a_legal_kind_switched_off_is_refused_beside_it(monkeypatch):
    notifier = Notifier([ANOMALY, PROPOSED])
    with portal(monkeypatch, notifier) as client:
        refused = save(client, {"anomaly_raised": ("off", "off"), "contract_proposed": ("off", "off")})
        assert refused.status_code == 422
        # The summary links to the kind's fieldset, whose message is the notifier's.
        assert 'href="#f-anomaly_raised-email"' in refused.text
        fieldset = re.search(
            r'<fieldset class="fr-fieldset fr-fieldset--error"[^>]*>.*?</fieldset>', refused.text, re.S
        )
        assert fieldset is not None and "Anomalie relevée" in fieldset.group(0)
        assert SILENCED in unescape(fieldset.group(0))
        # The other kind's change went through; the legal one kept its channels.
        assert ("contract_proposed", {"web": "off", "email": "off"}) in notifier.puts
        assert notifier.kinds["anomaly_raised"]["email"] == "immediate"
