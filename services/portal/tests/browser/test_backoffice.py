"""The OPCO back office of issue #16, as its staff use it in a browser, on the real platform (identity, contracts,
documents, notifier, opco-processing and the portal as processes; Kafka, PostgreSQL, S3, SMTP, clamd).

A reviewer of OPCO EP sees a new case arrive in the queue without reloading, takes it, raises an anomaly (a field
of the contract and a missing document) after previewing its letter; the employer's upload closes the missing
document by itself, the employer corrects the field and transmits again; the reviewer sees what changed, engages
the revised contract, and the employer's page shows *Engagé* with the agreement letter. A supervisor sees the
load per reviewer, a case about to expire (opco-processing's controllable clock is moved forward: nobody sleeps)
and reassigns it; an administrator sets automatic engagement and the alerts, keeps the barred employers' list and
sees the staff's roles. Every page is checked by axe-core and saved as a screenshot.
"""

from __future__ import annotations

import random
import re
import string
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET, complete_apprenticeship_form
from passerelle.libs.testing.stack import REPO
from tests.e2e.test_contract_drafting import tab
from tests.e2e.test_documents_flow import training_agreement

from .conftest import DEMO_PASSWORD, Platform, Visit

pytestmark = pytest.mark.e2e

EMPLOYER = "direction@dupain.example.fr"
REVIEWER = "instructeur@opcoep.example.fr"
REVIEWER_NAME = "Inès Roche"
SUPERVISOR = "superviseur@opcoep.example.fr"
ADMIN = "admin@opcoep.example.fr"
TABS = ("introduction", "employeur", "salarie", "tuteur", "contrat", "formation", "synthese")
DAY = 86400


def service_url(platform: Platform, name: str) -> str:
    return next(p.url for p in platform.processes if p.name == name)


class Employer:
    """The employer's side through the APIs, to write and transmit a contract quickly (its pages are the subject of
    the portal's own journey test)."""

    def __init__(self, platform: Platform) -> None:
        login = httpx.post(
            f"{service_url(platform, 'identity')}/auth/login",
            json={"email": EMPLOYER, "password": DEMO_PASSWORD},
            timeout=30,
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        self.contracts = httpx.Client(base_url=service_url(platform, "contracts"), headers=headers, timeout=30)
        self.documents = httpx.Client(base_url=service_url(platform, "documents"), headers=headers, timeout=60)

    def _version(self, contract_id: str) -> dict[str, str]:
        """Writes carry the version last read (If-Match), as a person's page does."""
        etag = self.contracts.get(f"/contracts/{contract_id}").headers.get("etag")
        return {"If-Match": etag} if etag else {}

    def write(self, first_name: str) -> str:
        form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
        form["employee"]["first_name"] = first_name
        created = self.contracts.post(
            "/contracts",
            json={
                "contract_type": "apprentissage",
                "employer_siret": DEMO_EMPLOYER_SIRET,
                "training_uai": DEMO_CFA_UAI,
            },
        )
        assert created.status_code == 201, created.text
        contract_id = str(created.json()["id"])
        for name in TABS:
            saved = self.contracts.put(
                f"/contracts/{contract_id}/tabs/{name}", json=tab(form, name), headers=self._version(contract_id)
            )
            assert saved.status_code == 200, saved.text
        eventually(
            lambda: self.documents.get(f"/contracts/{contract_id}/documents").status_code == 200,
            "the documents service learning of the contract",
        )
        stored = self.documents.post(
            f"/contracts/{contract_id}/documents",
            data={"document_type": "convention_formation"},
            files={"file": ("Convention.pdf", training_agreement(1), "application/pdf")},
        )
        assert stored.status_code == 201, stored.text
        eventually(
            lambda: len(self.contracts.get(f"/contracts/{contract_id}").json()["documents"]) == 1,
            "the contract learning of its training agreement",
        )
        return contract_id

    def transmit(self, contract_id: str) -> None:
        sent = self.contracts.post(f"/contracts/{contract_id}/transmit", headers=self._version(contract_id))
        assert sent.status_code == 200, sent.text


def unique_first_name(base: str) -> str:
    """The test stack's topics keep earlier runs' contracts, which reach this run's queue too: this run's case is
    told apart by its apprentice's name."""
    return base + "".join(random.choices(string.ascii_lowercase, k=5))


def eventually(probe: Callable[[], Any], what: str, timeout: float = 180) -> Any:
    """Waits for a state of the platform (its events travel through Kafka); never a timed assertion."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.5)


def log_in(visit: Visit, email: str, then: str) -> None:
    page = visit.page
    visit.goto("/connexion?suite=" + then)
    page.fill("#f-email", email)
    page.fill("#f-password", DEMO_PASSWORD)
    page.locator("main button[type=submit]", has_text="Se connecter").click()
    page.wait_for_url(re.compile(re.escape(then.split("?")[0])))


def reload_until(visit: Visit, path: str, selector: str, text: str, what: str, timeout: float = 180) -> None:
    """Reloads a page until a part of it says something (what a person waiting for news does)."""

    def shown() -> bool:
        visit.goto(path)
        locator = visit.page.locator(selector)
        return locator.count() > 0 and text in (locator.first.text_content() or "")

    eventually(shown, what, timeout)


@pytest.mark.timeout(1800)
def test_review_anomaly_correction_and_engagement(browser, platform):
    employer_api = Employer(platform)
    reviewer = Visit(browser, platform, "20-instructeur")
    employer = Visit(browser, platform, "21-employeur")
    try:
        first = unique_first_name("Camille")
        contract_id = employer_api.write(first)
        name = f"{first} Durand"

        # The reviewer's queue is open when the contract is transmitted: the case appears without a reload.
        log_in(reviewer, REVIEWER, "/instruction/dossiers?onglet=tous&tri=-received")
        page = reviewer.page
        reviewer.check("file")
        employer_api.transmit(contract_id)
        live_row = page.locator("#file-dossiers tr", has_text=name)
        try:
            live_row.first.wait_for(state="visible", timeout=120_000)
            arrived_live = True
            assert page.locator("#instruction-live a").count() >= 1
            reviewer.check("file-nouveau-dossier-en-direct")
        except Exception:  # noqa: BLE001 - the rest of the journey is still checked; the assertion comes at the end
            arrived_live = False
        # Checked and funded: the row says "Prêt" with its countdown, its checks and its funding.
        # Newest first: the tab may hold more cases than a page (deadline first, this one would be last).
        reload_until(
            reviewer,
            "/instruction/dossiers?onglet=a_traiter&tri=-received",
            "#file-dossiers tr:has-text('" + name + "')",
            "Prêt",
            "the case being checked",
        )
        row = page.locator("#file-dossiers tr", has_text=name).first
        assert re.search(r"\d+ j \d+ h restants|\d+ j restants", row.text_content()), row.text_content()
        assert "réussi" in row.text_content() and "€" in row.text_content()
        reviewer.check("file-a-traiter")

        # The case: the contract tab by tab, the checks with their references, the clock; the reviewer takes it.
        row.locator("a").first.click()
        page.wait_for_url(re.compile(r"/instruction/dossiers/[0-9a-f-]+$"))
        case_path = page.url.removeprefix(platform.url)
        main = page.text_content("main")
        assert "Contrôles automatiques" in main and re.search(r"[DLR]\d{4}-\d", main)
        assert "Complet depuis" in main and "Boulangerie" in main
        reviewer.check("dossier")
        page.locator("main button", has_text="Me l'attribuer").click()
        expect(page.locator("main")).to_contain_text("Le dossier est attribué à")
        expect(page.locator("#agent-en-charge")).to_contain_text(REVIEWER_NAME)
        page.fill("#f-note", "Adresse de l'apprenti identique à celle de l'employeur : demander la correction.")
        page.locator("#notes button").click()
        expect(page.locator("main")).to_contain_text("La note est enregistrée")
        expect(page.locator("#notes")).to_contain_text("demander la correction")
        reviewer.goto(case_path + "?onglet=salarie")
        assert "lucas.durand@example.fr" in page.text_content("#contrat")
        reviewer.check("dossier-onglet-salarie")

        # Anomalie: a field of the contract and a missing document, each with its reason; the letter is seen first.
        page.locator("main").get_by_role("link", name="Anomalie", exact=True).click()
        expect(page.locator("h1")).to_contain_text("Anomalie")
        reviewer.check("anomalie")
        page.locator("main button", has_text="Voir le courrier avant l'envoi").click()
        expect(page.locator("main")).to_contain_text("La demande de correction est incomplète")
        reviewer.check("anomalie-incomplete")
        page.locator("main button", has_text="Ajouter un champ à corriger").click()  # a fourth row, from the server
        expect(page.locator("#f-champ_4")).to_be_visible()
        expect(page.locator("#f-champ_4")).to_have_attribute("autofocus", "")
        reviewer.check("anomalie-quatre-champs")
        page.select_option("#f-champ_1", "employee.email")
        page.fill("#f-motif_champ_1", "L'adresse électronique de l'apprenti est la sienne, pas une adresse partagée.")
        page.check("#f-piece-cerfa_signe", force=True)
        page.fill("#f-motif_piece_cerfa_signe", "Le CERFA signé par les parties n'est pas joint.")
        page.locator("main button", has_text="Voir le courrier avant l'envoi").click()
        expect(page.locator("main")).to_contain_text("Rien n'est encore envoyé")
        assert "Le CERFA signé par les parties n'est pas joint." in page.text_content("#anomalies-a-envoyer")
        preview = page.context.request.get(platform.url + page.get_attribute("#apercu-courrier", "href"))
        assert preview.ok and preview.body().startswith(b"%PDF")
        reviewer.check("anomalie-courrier")
        page.locator("main button", has_text="Envoyer la demande de correction").click()
        expect(page.locator("main")).to_contain_text("L'anomalie est notifiée")
        expect(page.locator("#statut-dossier")).to_contain_text("En anomalie")
        assert "En pause" in page.text_content("main")
        reviewer.check("dossier-en-anomalie")

        # The employer sees the anomalies in place and uploads the missing document: that closes it by itself.
        log_in(employer, EMPLOYER, f"/contrats/{contract_id}/documents")
        epage = employer.page
        reload_until(
            employer,
            f"/contrats/{contract_id}/documents",
            "main",
            "L'OPCO a relevé",
            "the anomaly reaching the contract",
        )
        employer.check("anomalie-recue")
        epage.select_option("#f-document_type", "cerfa_signe")
        epage.set_input_files(
            "#f-file",
            files=[{"name": "CERFA signé.pdf", "mimeType": "application/pdf", "buffer": training_agreement(2)}],
        )
        epage.locator("#depot-document button[type=submit]").click()
        epage.wait_for_url(re.compile(r"/documents\?message="))
        # The reviewer's case page, open all along, shows the upload and the anomaly it closed without a reload
        # (the notifier tells staff of a document received and an anomaly resolved; the page fetches its parts).
        expect(page.locator("#instruction-live")).to_contain_text("Pièce reçue sur un dossier", timeout=120_000)
        expect(page.locator("#anomalies")).to_contain_text("pièce reçue", timeout=120_000)
        expect(page.locator("#documents")).to_contain_text("CERFA signé")
        assert "En attente" in page.text_content("#anomalies")  # the field is still awaited
        reviewer.check("dossier-piece-recue")

        # The employer corrects the field (shown in place with the OPCO's reason) and transmits again.
        employer.goto(f"/contrats/{contract_id}/salarie")
        assert "Anomalie signalée par l'OPCO" in epage.text_content("main")
        employer.check("champ-a-corriger")
        epage.fill("#f-employee-email", "camille.durand.apprentie@example.fr")
        epage.locator("#formulaire-onglet button[value=enregistrer]").click()
        expect(epage.locator("main")).to_contain_text("Les modifications sont enregistrées.")
        employer.goto(f"/contrats/{contract_id}/synthese")
        epage.locator("main form[action$='/transmettre'] button").click()
        expect(epage.locator("main")).to_contain_text("transmis à l'OPCO")
        # The correction reaches the reviewer's open case page too, without a reload.
        expect(page.locator("#instruction-live")).to_contain_text("Contrat corrigé transmis", timeout=120_000)
        reviewer.check("dossier-correction-recue")

        # The revised contract: what changed is marked on its tab; the reviewer engages it after seeing the funding.
        reload_until(
            reviewer, case_path + "?onglet=salarie", "#contrat", "révision 2", "the revised contract reaching the case"
        )
        reload_until(
            reviewer, case_path + "?onglet=salarie", "#statut-dossier", "Prêt", "the revised contract being checked"
        )
        changed = page.locator("#contrat tr.portal-changed")
        assert changed.count() >= 1 and "camille.durand.apprentie@example.fr" in changed.first.text_content()
        assert "Modifié" in changed.first.text_content()
        assert "modifié" in page.text_content("#contrat nav")
        reviewer.check("dossier-revision-2")
        page.locator("main").get_by_role("link", name="Conforme", exact=True).click()
        expect(page.locator("#montant-engage")).to_contain_text("€")
        assert "Prise en charge" in page.text_content("main")
        assert "prochain numéro de l'OPCO" in page.text_content("#numero-a-attribuer")
        reviewer.check("conforme")
        page.locator("main button", has_text="Confirmer l'engagement").click()
        expect(page.locator("main")).to_contain_text("Le dossier est engagé sous le n° OPCOEP-")
        number = page.text_content("#numero-dossier").strip()
        assert re.fullmatch(r"OPCOEP-\d{4}-\d{6}", number), number
        reviewer.check("dossier-engage")

        # The employer's page: Engagé, the OPCO's file number, and the agreement letter in the Documents tab.
        reload_until(
            employer, f"/contrats/{contract_id}/documents", "#statut", "Engagé", "the engagement reaching the contract"
        )
        reload_until(
            employer,
            f"/contrats/{contract_id}/documents",
            "main",
            "Courrier d'accord",
            "the agreement letter being stored",
        )
        assert number in epage.text_content("main")
        employer.check("contrat-engage-courrier")
        assert arrived_live, "the new case did not appear in the open queue without a reload"
    finally:
        reviewer.close()
        employer.close()


@pytest.mark.timeout(1200)
def test_supervisor_sees_a_case_about_to_expire_and_reassigns_it(browser, platform):
    employer_api = Employer(platform)
    supervisor = Visit(browser, platform, "22-superviseur")
    try:
        first = unique_first_name("Jules")
        contract_id = employer_api.write(first)
        employer_api.transmit(contract_id)
        name = f"{first} Durand"
        log_in(supervisor, SUPERVISOR, "/instruction/dossiers?onglet=tous&tri=-received")
        page = supervisor.page
        reload_until(
            supervisor, "/instruction/dossiers?onglet=tous&tri=-received", "#file-dossiers", name, "the case opening"
        )
        supervisor.check("file")

        # A batch action on the ticked cases, with one result per case. Another case arrives meanwhile: the table
        # is refreshed live under the supervisor's eyes, and what they ticked stays ticked.
        ticked = page.locator("#file-dossiers tr", has_text=name).first.locator("input[type=checkbox]")
        ticked.check(force=True)
        other = unique_first_name("Louise")
        employer_api.transmit(employer_api.write(other))
        expect(page.locator("#file-dossiers tr", has_text=f"{other} Durand")).to_be_visible(timeout=120_000)
        expect(page.locator("#file-dossiers tr", has_text=name).first.locator("input[type=checkbox]")).to_be_checked()
        page.select_option("#f-lot-action", "attribuer")
        page.select_option("#f-lot-agent", "moi")
        page.locator("#lot button", has_text="Appliquer aux dossiers cochés").click()
        results = page.locator("#resultats-lot")
        expect(results).to_contain_text(name)
        expect(results.locator("tr", has_text=name)).to_contain_text("Fait")
        assert f"{other} Durand" not in results.text_content()  # only the ticked case
        supervisor.check("lot-resultat")

        # Sixteen days later (the service's clock, moved): four days are left out of twenty, the case is expiring.
        platform.move_opco_clock(16 * DAY)
        reload_until(supervisor, "/instruction/charge", "#expirant", name, "the case nearing its deadline")
        row = page.locator("#expirant tr", has_text=name).first
        assert re.search(r"[1-4] j( \d+ h)? restants", row.text_content()), row.text_content()
        assert "Odile Marchand" in row.text_content()  # taken by the batch above
        assert page.locator("#charge tr").count() >= 2
        supervisor.check("charge-et-echeances")

        # Reassigned to the reviewer: the load follows.
        row.locator("select").select_option(label=REVIEWER_NAME)
        row.locator("button", has_text="Réattribuer").click()
        expect(page.locator("main")).to_contain_text(f"Le dossier est attribué à {REVIEWER_NAME}")
        row = page.locator("#expirant tr", has_text=name).first
        assert REVIEWER_NAME in row.text_content()
        assert REVIEWER_NAME in page.text_content("#charge")
        supervisor.check("reattribue")

        # The case page says so too, with its countdown and the alert sent before the deadline.
        row.locator("a").first.click()
        page.wait_for_url(re.compile(r"/instruction/dossiers/[0-9a-f-]+$"))
        assert REVIEWER_NAME in page.text_content("#agent-en-charge")
        reload_until(
            supervisor,
            page.url.removeprefix(platform.url),
            "#historique",
            "Alerte avant l'échéance",
            "the alert 5 days before",
        )
        assert "Modifier le résultat" in page.text_content("main")  # supervisors may override a check
        supervisor.check("dossier-expirant")

        # Refus: it must be motivated, and its letter is read before it is sent (here it is not sent).
        page.locator("main").get_by_role("link", name="Refus", exact=True).click()
        expect(page.locator("h1")).to_contain_text("Refus motivé")
        supervisor.check("refus")
        page.fill("#f-reason", "non")
        page.locator("main button", has_text="Voir le courrier avant l'envoi").click()
        expect(page.locator("main")).to_contain_text("Motivez le refus")
        supervisor.check("refus-non-motive")
        motivation = "La formation visée ne prépare à aucune certification enregistrée au RNCP (L6211-1)."
        page.fill("#f-reason", motivation)
        page.locator("main button", has_text="Voir le courrier avant l'envoi").click()
        expect(page.locator("main")).to_contain_text(motivation)
        expect(page.locator("img.portal-letter-page")).not_to_have_count(0)
        supervisor.check("refus-courrier")
        page.locator("main").get_by_role("link", name="Modifier", exact=True).click()
        expect(page.locator("h1")).to_contain_text("Refus motivé")
    finally:
        platform.move_opco_clock(0)
        supervisor.close()


@pytest.mark.timeout(900)
def test_administrator_settings_barred_employers_and_roles(browser, platform):
    admin = Visit(browser, platform, "23-administrateur")
    try:
        log_in(admin, ADMIN, "/instruction/administration")
        page = admin.page
        assert REVIEWER_NAME in page.text_content("main") and "Instructeur" in page.text_content("main")
        admin.check("administration")
        page.fill("#f-alert_days", "cinq")
        page.locator("main button", has_text="Enregistrer les réglages").click()
        assert "Indiquez des nombres de jours" in page.text_content("main")
        admin.check("reglages-erreur")
        page.check("#f-auto-professionnalisation", force=True)
        page.fill("#f-alert_days", "7, 3")
        page.locator("main button", has_text="Enregistrer les réglages").click()
        assert "Les réglages sont enregistrés" in page.text_content("main")
        assert page.input_value("#f-alert_days") == "7, 3" and page.is_checked("#f-auto-professionnalisation")

        page.fill("#f-identifiant", "44306184100047")
        page.fill("#f-reason", "Arrêté préfectoral d'opposition à l'engagement d'apprentis du 3 mars 2026")
        page.locator("main button", has_text="Inscrire l'employeur").click()
        assert "44306184100047" in page.text_content("#interdits-titre + .fr-table")
        admin.check("employeur-interdit")
        page.locator("main button[title='Retirer l\\'inscription de 44306184100047']").click()
        assert "L'inscription est retirée" in page.text_content("main")
        # Back to the defaults for the other tests of the run.
        page.uncheck("#f-auto-professionnalisation", force=True)
        page.fill("#f-alert_days", "5, 2")
        page.locator("main button", has_text="Enregistrer les réglages").click()
        assert "Les réglages sont enregistrés" in page.text_content("main")
    finally:
        admin.close()


PORTAL_JS = REPO / "services" / "portal" / "src" / "passerelle" / "portal" / "static" / "portal.js"
QUEUE_TABLE = """<div id="file-dossiers" data-count-tous="{count}"><table><tbody>{rows}</tbody></table></div>"""
QUEUE_ROW = """<tr><td><input type="checkbox" id="lot-{id}" name="dossiers" value="{id}"></td></tr>"""


def test_a_live_refresh_of_the_queue_keeps_what_was_ticked_and_the_focus(browser):
    """portal.js alone, on a page of its own: a notification refreshes the queue's table while a case is ticked and
    another has the focus; the fresh table keeps both (the supervisor's batch once lost its ticks this way)."""
    context = browser.new_context()
    page = context.new_page()
    try:
        first = QUEUE_ROW.format(id="a") + QUEUE_ROW.format(id="b")
        fresh = QUEUE_TABLE.format(count=3, rows=first + QUEUE_ROW.format(id="c"))
        page.set_content(
            '<span id="unread-count" data-live="oui">0</span><span class="portal-tab-count" data-onglet="tous">(2)</span>'
            '<div id="instruction-live" data-live-queue="/instruction/dossiers?onglet=tous"></div>'
            + QUEUE_TABLE.format(count=2, rows=first)
        )
        # The stream and the fragment fetch stand in for the notifier's and the portal's.
        page.evaluate(
            """(fresh) => {
                window.EventSource = function () { window.stream = this; this.handlers = {}; };
                window.EventSource.prototype.addEventListener = function (name, f) {
                    (this.handlers[name] = this.handlers[name] || []).push(f);
                };
                window.fetch = () => Promise.resolve({ ok: true, text: () => Promise.resolve(fresh) });
            }""",
            fresh,
        )
        page.add_script_tag(path=str(PORTAL_JS))
        page.evaluate("document.dispatchEvent(new Event('DOMContentLoaded'))")
        page.check("#lot-a")
        page.focus("#lot-b")
        notification = {"notification": {"kind": "case_opened", "title": "Nouveau dossier", "link": "/instruction"}}
        page.evaluate(
            "(data) => window.stream.handlers.notification.forEach((f) => f({ data: JSON.stringify(data) }))",
            notification,
        )
        expect(page.locator("#lot-c")).to_be_attached()  # the table was replaced by the fresh one
        expect(page.locator("#lot-a")).to_be_checked()
        expect(page.locator("#lot-b")).not_to_be_checked()
        expect(page.locator("#lot-b")).to_be_focused()
        expect(page.locator(".portal-tab-count")).to_have_text("(3)")
        expect(page.locator("#instruction-live")).to_contain_text("Nouveau dossier")
    finally:
        context.close()
