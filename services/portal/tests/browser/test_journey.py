"""The journey of issue #14, as a person does it in a browser: register and confirm from the e-mail's link; the
CFA pre-fills and proposes; the employer accepts (told it transmits nothing), fills every tab, transmits and
sees the refusal with its errors per tab, fixes them, uploads the training agreement, transmits; then the
dashboard's search, a transfer to a colleague, the archive refused for the transmitted contract (it awaits the
OPCO) and a new draft archived. Every page is checked by axe-core and saved as a screenshot."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from passerelle.contracts.testing.samples import complete_apprenticeship_form
from passerelle.portal.domain.forms import display_value, get_path
from tests.e2e.test_documents_flow import training_agreement

from .conftest import DEMO_PASSWORD, Visit

pytestmark = pytest.mark.e2e

CFA = "direction@cfa-alimentation.example.fr"
EMPLOYER = "direction@dupain.example.fr"
COLLEAGUE = "Paul Lefort"
EMPLOYER_SIRET = "81208328500013"
PASSWORD = "velo-rouge-sous-la-pluie-2026"


def sample_form() -> dict[str, Any]:
    return complete_apprenticeship_form().model_dump(mode="json")


def log_in(visit: Visit, email: str, password: str = DEMO_PASSWORD) -> None:
    page = visit.page
    visit.goto("/connexion")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.locator("main button[type=submit]", has_text="Se connecter").click()
    page.wait_for_url(re.compile(r"/tableau-de-bord"))


def log_out(visit: Visit) -> None:
    visit.page.locator("header button", has_text="Se déconnecter").first.click()
    visit.page.wait_for_url(re.compile(r"/connexion"))


def field_names(visit: Visit) -> list[str]:
    return visit.page.eval_on_selector_all("#formulaire-onglet [name]", "els => [...new Set(els.map(e => e.name))]")


def fill_tab(visit: Visit, form: dict[str, Any], skip: tuple[str, ...] = ()) -> int:
    """Answer every question shown on the tab with the sample contract's value; returns how many were set."""
    page = visit.page
    names = field_names(visit)
    filled = 0
    for name in names:
        if name in ("csrf_token", "version", "action") or name in skip:
            continue
        value = display_value(get_path(form, name))
        inputs = page.locator(f'#formulaire-onglet [name="{name}"]')
        kind = inputs.first.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "radio":
            if value:
                # The DSFR draws the radio on its label, which is what a person clicks.
                radio_id = inputs.locator(f'xpath=self::*[@value="{value}"]').get_attribute("id")
                page.click(f'label[for="{radio_id}"]')
                filled += 1
        elif kind == "select":
            inputs.select_option(value)
            filled += 1 if value else 0
        elif not name.startswith("contract.pay_schedule") or value:
            inputs.fill(value)
            filled += 1 if value else 0
    return filled


def save(visit: Visit) -> None:
    visit.page.locator("#formulaire-onglet button[value=enregistrer]").click()
    visit.page.wait_for_load_state("load")


def test_register_and_confirm_from_the_mail(browser, platform):
    visit = Visit(browser, platform, "01-inscription")
    page = visit.page
    email = f"lea.martin.{uuid.uuid4().hex[:6]}@exemple.fr"
    try:
        visit.goto("/")
        visit.check("accueil")
        visit.goto("/inscription")
        visit.check("formulaire")
        # Sent empty first: the errors are summarised at the top, linked to their fields, and shown beside them.
        page.locator("main button[type=submit]").click()
        summary = page.locator("#resume-erreurs")
        assert summary.is_visible()
        # portal.js moves the focus to the summary once the page has loaded: wait for it (fails if it never does).
        page.wait_for_function("document.activeElement && document.activeElement.id === 'resume-erreurs'")
        assert summary.locator("a[href='#f-email']").count() == 1
        assert page.locator("#f-email-erreur").inner_text() == "Ce champ est obligatoire."
        visit.check("erreurs")
        page.fill("#f-full_name", "Léa Martin")
        page.fill("#f-email", email)
        page.fill("#f-password", PASSWORD)
        page.locator("main button[type=submit]").click()
        assert "Vérifiez votre messagerie" in page.inner_text("main")
        visit.check("envoye")

        link = platform.mailbox.link(email, "/compte/confirmer")
        assert link.startswith(platform.url + "/compte/confirmer?jeton=")
        page.goto(link)
        visit.check("confirmation")
        page.locator("main button", has_text="Confirmer mon adresse").click()
        page.wait_for_url(re.compile(r"/connexion"))
        assert "Votre adresse est confirmée" in page.inner_text("main")
        visit.check("confirmee")
        # A spent link says so in French and offers a new one.
        page.goto(link)
        page.locator("main button", has_text="Confirmer mon adresse").click()
        assert "n'est plus valable" in page.inner_text("#resume-erreurs")

        log_in(visit, email, PASSWORD)
        assert "Aucun contrat" in page.inner_text("main")
        visit.check("tableau-de-bord-vide")
        visit.goto("/profil")
        visit.check("profil")
        visit.goto("/organisations")
        visit.check("organisations")
        visit.goto("/page-qui-n-existe-pas")
        assert page.locator("h1").inner_text() == "Page non trouvée"
        visit.check("404")
        log_out(visit)
        visit.goto("/mot-de-passe-oublie")
        visit.check("mot-de-passe-oublie")
        page.fill("#f-email", email)
        page.locator("main button[type=submit]").click()
        reset = platform.mailbox.link(email, "/compte/reinitialiser")
        page.goto(reset)
        visit.check("reinitialisation")
        page.fill("#f-new_password", PASSWORD + "-bis")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"/connexion"))
        log_in(visit, email, PASSWORD + "-bis")
    except BaseException:
        print(platform.tails())
        raise
    finally:
        visit.close()


@pytest.mark.timeout(1800)  # a whole working session in a browser; the shared machine may be slow
def test_proposal_acceptance_refusal_correction_and_transmission(browser, platform):
    form = sample_form()
    cfa = Visit(browser, platform, "02-cfa")
    employer = Visit(browser, platform, "03-employeur")
    try:
        # The CFA pre-fills its part (Formation) and proposes the contract to the employer.
        log_in(cfa, CFA)
        page = cfa.page
        cfa.check("tableau-de-bord")
        page.fill("#f-employer_siret", EMPLOYER_SIRET)
        page.locator("main button", has_text="Créer le contrat").click()
        page.wait_for_url(re.compile(r"/contrats/[0-9a-f-]+/introduction"))
        contract_url = page.url.split("?")[0].rsplit("/", 1)[0]
        contract_path = contract_url.removeprefix(platform.url)
        cfa.check("introduction-lecture-seule")
        assert "lecture seule" in page.inner_text("main")
        page.goto(contract_url + "/formation")
        cfa.check("formation")
        assert fill_tab(cfa, form) > 10
        save(cfa)
        assert "Les modifications sont enregistrées" in page.inner_text("main")
        page.goto(contract_url + "/synthese")
        cfa.check("synthese")
        page.fill("#f-employer_email", EMPLOYER)
        page.locator("main button", has_text="Proposer à l'employeur").click()
        assert "La proposition est envoyée" in page.inner_text("main")
        cfa.goto("/tableau-de-bord")
        assert page.locator("#envoyees-titre").is_visible()
        cfa.check("proposition-envoyee")
        # Its notification preferences: the kinds a CFA may be told, the legal ones named.
        cfa.goto("/notifications/preferences")
        assert "Anomalie" in page.inner_text("#preferences-obligatoires")
        cfa.check("preferences")
        # The CFA keeps its notification centre open: the employer's acceptance will arrive there live.
        cfa.goto("/notifications")
        cfa.check("notifications")

        # The employer sees it as sent by the CFA and accepts it: accepting says plainly it transmits nothing.
        log_in(employer, EMPLOYER)
        page = employer.page
        received = page.locator("#recues-titre")
        assert received.is_visible()
        assert "ne la transmet pas" in page.inner_text("main")
        employer.check("proposition-recue")
        employer.goto(contract_path + "/introduction")
        assert "Envoyé par l'organisme ou le CFA" in page.inner_text("main")
        assert "vous ne transmettez pas le contrat" in page.inner_text("main")
        employer.check("proposition-a-accepter")
        page.locator("main button", has_text="Accepter la proposition").click()
        assert "Rien n'a été transmis" in page.inner_text("main")

        # On the CFA's open page, without a reload: the new notification and the header's count.
        live = cfa.page.locator("#notifications-live li")
        live.first.wait_for(state="visible", timeout=60_000)
        assert cfa.page.locator("#unread-count").is_visible()
        assert int(cfa.page.get_attribute("#unread-count", "data-unread") or 0) >= 1
        cfa.check("notification-en-direct")

        # Every employer tab, filled from the sample contract, except the tutor's job (left out on purpose).
        asked_salarie = False
        # The Salarié tab again at the end: the contract's start date made the apprentice a minor at the start, so a
        # legal representative is now asked there (only the questions the case needs).
        for tab in ("introduction", "employeur", "salarie", "tuteur", "contrat", "synthese", "salarie"):
            employer.goto(f"{contract_path}/{tab}")
            if tab == "introduction":
                employer.check("introduction")
            if tab == "salarie" and asked_salarie:
                assert any(n.startswith("employee.legal_representative") for n in field_names(employer))
            asked_salarie = asked_salarie or tab == "salarie"
            # Only the questions the case needs are asked: answers can bring new ones (a minor's legal
            # representative once the birth date is saved), answered in turn.
            asked: set[str] = set()
            while (names := set(field_names(employer))) != asked:
                asked = names
                assert fill_tab(employer, form, skip=("tutors[0].job_title",)) > 0, tab
                save(employer)
                assert "Les modifications sont enregistrées" in page.inner_text("main"), (tab, page.inner_text("main"))
            employer.check(tab)
        employer.goto(contract_path + "/contrat")
        assert page.locator("table", has_text="Rémunération minimale légale").count() == 1

        # Transmit: refused, with the seed's message, each tab in error marked (icon and text), errors in place.
        employer.goto(contract_path + "/synthese")
        page.locator("main form[action$='/transmettre'] button").click()
        page.wait_for_url(re.compile(r"verifier=1"))
        refusal = page.locator("#refus-transmission")
        assert "le Cerfa n'a pas pu être validé" in refusal.inner_text()
        tabs = page.locator(".portal-tabs__item--error")
        marked = {tabs.nth(i).inner_text().split("\n")[0].strip() for i in range(tabs.count())}
        assert marked == {"Tuteur / Maître d'apprentissage", "Documents"}, (
            marked,
            page.locator("#resume-erreurs").all_inner_texts(),
        )
        assert "1 erreur" in page.locator(".portal-tabs__item--error", has_text="Tuteur").inner_text()
        # With JavaScript the seed's popup opens too; "Voir les erreurs" closes it.
        popup = page.locator("#refus-modal")
        popup.wait_for(state="visible")
        assert "Le Cerfa n'a pas pu être validé" in popup.inner_text()
        employer.check("refus-popup")
        popup.locator("button", has_text="Voir les erreurs").click()
        popup.wait_for(state="hidden")
        employer.check("refus")
        page.locator(".portal-tabs__item--error a", has_text="Tuteur").click()
        assert page.locator("#resume-erreurs a[href='#f-tutors-0-job_title']").count() == 1
        assert page.locator("#f-tutors-0-job_title[aria-invalid=true]").count() == 1
        assert page.locator("#f-tutors-0-job_title-erreur").is_visible()
        employer.check("tuteur-en-erreur")

        # Fix the tutor's job, then upload the training agreement (the other error), then transmit.
        page.fill("#f-tutors-0-job_title", form["tutors"][0]["job_title"])
        save(employer)
        assert page.locator(".portal-tabs__item--error", has_text="Tuteur").count() == 0
        employer.goto(contract_path + "/documents")
        employer.check("documents")
        page.select_option("#f-document_type", "convention_formation")
        page.set_input_files(
            "#f-file",
            files=[{"name": "Convention signée.pdf", "mimeType": "application/pdf", "buffer": training_agreement(1)}],
        )
        page.locator("#depot-document button[type=submit]").click()
        page.wait_for_url(re.compile(r"/documents\?message="))
        assert "Convention signée.pdf" in page.inner_text("#documents")
        employer.check("document-depose")
        _transmit_when_documents_known(employer, contract_path)
        assert "Le Cerfa a été transmis à l'OPCO" in page.inner_text("main")
        assert "Transmis à l'OPCO" in page.text_content("#statut")
        employer.check("transmis")

        # The dashboard: search by the apprentice's name, transfer to a colleague, archive.
        employer.goto("/tableau-de-bord?q=Durand")
        # Other browser tests of the session (the back office's) write Durands of their own for this employer:
        # every row found names a Durand, and this one is there once.
        rows = page.locator("#contrats tbody tr")
        assert rows.count() >= 1 and all("Durand" in text for text in rows.all_inner_texts())
        assert rows.filter(has_text="Lucas Durand").count() == 1
        employer.check("recherche")
        employer.goto("/tableau-de-bord?q=Inconnu")
        assert "Aucun contrat" in page.inner_text("#contrats")
        employer.goto(contract_path + "/synthese")
        page.select_option("#f-to_account_id", label=COLLEAGUE)
        page.locator("main form[action$='/transferer'] button").click()
        assert "transféré" in page.inner_text("main")
        # A transmitted contract awaits the OPCO: archiving it is refused with the service's own reason, not
        # with "the file changed meanwhile".
        employer.goto("/tableau-de-bord")
        page.locator("#contrats tbody tr", has_text="Lucas Durand").locator("button", has_text="Archiver").click()
        assert page.locator("h1").inner_text() == "Action impossible"
        assert "attend sa décision" in page.inner_text("main")
        assert "changé entre-temps" not in page.inner_text("main")
        employer.check("archivage-refuse")
        # The refusal page answers 409, which the browser reports on its console: that one is expected.
        assert employer.console_errors == [
            "Failed to load resource: the server responded with a status of 409 (Conflict)"
        ]
        employer.console_errors.clear()
        # A draft is archived: a new contract for one of the employer's establishments, chosen in the select.
        employer.goto("/tableau-de-bord")
        sirets = page.eval_on_selector_all(
            "select#f-employer_siret option[value]:not([value=''])", "os => os.map(o => o.value)"
        )
        assert EMPLOYER_SIRET in sirets and len(sirets) > 1, sirets
        employer.check("nouveau-contrat")
        page.select_option("#f-employer_siret", EMPLOYER_SIRET)
        page.locator("main button", has_text="Créer le contrat").click()
        page.wait_for_url(re.compile(r"/contrats/[0-9a-f-]+/introduction"))
        draft_path = page.url.split("?")[0].removeprefix(platform.url).rsplit("/", 1)[0]
        employer.goto("/tableau-de-bord")
        page.locator(f"#contrats form[action='{draft_path}/archiver'] button").click()
        assert "Le contrat est archivé" in page.inner_text("main")
        assert page.locator(f"#contrats form[action='{draft_path}/archiver']").count() == 0
        assert page.locator("#contrats tbody tr", has_text="Lucas Durand").count() == 1
        employer.goto("/tableau-de-bord?archives=oui")
        assert page.locator(f"#contrats form[action='{draft_path}/restaurer']").count() == 1
        assert "Archivé" in page.text_content("#contrats")
        employer.check("archives")

        # The organisation's administrator invites a colleague; the mailed link lands on the portal's page.
        employer.goto("/organisations")
        employer.check("organisations")
        page.locator("main a", has_text="Boulangerie Dupain SAS").first.click()
        assert COLLEAGUE in page.inner_text("#membres + div")
        employer.check("organisation")
        invited = f"nouvelle.recrue.{uuid.uuid4().hex[:6]}@exemple.fr"
        page.fill("#f-invite-email", invited)
        page.locator("main button", has_text="Envoyer l'invitation").click()
        assert f"Une invitation est envoyée à {invited}" in page.inner_text("main")
        assert invited in page.inner_text("main")
        link = platform.mailbox.link(invited, "/invitations/accepter")
        assert link.startswith(platform.url + "/invitations/accepter?jeton=")
        newcomer = Visit(browser, platform, "05-invitation")
        try:
            newcomer.page.goto(link)
            newcomer.check("invitation")
            newcomer.page.fill("#f-full_name", "Nina Recrue")
            newcomer.page.fill("#f-password", PASSWORD)
            newcomer.page.locator("main button", has_text="Accepter l'invitation").click()
            newcomer.page.wait_for_url(re.compile(r"/connexion"))
            log_in(newcomer, invited, PASSWORD)
            newcomer.goto("/organisations")
            assert "Boulangerie Dupain SAS" in newcomer.page.inner_text("main")
        finally:
            newcomer.close()
        assert employer.console_errors == [] and cfa.console_errors == []
    except BaseException:
        print(platform.tails())
        raise
    finally:
        cfa.close()
        employer.close()


def _transmit_when_documents_known(visit: Visit, contract_path: str) -> None:
    """The agreement reaches contracts through document.uploaded: until then the refusal names Documents only."""
    import time

    page = visit.page
    deadline = time.monotonic() + 60
    while True:
        visit.goto(contract_path + "/synthese")
        page.locator("main form[action$='/transmettre'] button").click()
        page.wait_for_load_state("load")
        if "transmis à l'OPCO" in page.inner_text("main"):
            return
        marked = page.locator(".portal-tabs__item--error").all_inner_texts()
        assert all("Documents" in m for m in marked), marked
        assert time.monotonic() < deadline, "the uploaded agreement never reached the contracts service"
        time.sleep(0.5)
