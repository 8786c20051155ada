"""Issue #14's leftovers in a browser: the dashboard searched by periods, person in charge and order (the search in
the URL, a reversed period named at its field), and an organisation verified with the code of its letter (asked
for on its verification page, read from the letter the local postal adapter drops in the mail catcher). Every
page is checked by axe-core and saved as a screenshot."""

from __future__ import annotations

import random
import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from stdnum import luhn

from .conftest import DEMO_PASSWORD, Visit
from .test_journey import EMPLOYER, EMPLOYER_SIRET, log_in

pytestmark = pytest.mark.e2e


def new_siret() -> str:
    """A SIRET nobody registered: a valid SIREN (Luhn), an establishment number, its Luhn key."""
    siren = f"{random.randint(10_000_000, 99_999_999)}"
    siren += luhn.calc_check_digit(siren)
    body = siren + f"{random.randint(0, 9999):04d}"
    return body + luhn.calc_check_digit(body)


def api_contracts(platform, starts: list[str | None]) -> list[str]:
    """Drafts of the demo employer with these start dates (through the APIs, as its software would)."""
    identity, contracts = platform.processes[0].url, platform.processes[1].url
    token = httpx.post(f"{identity}/auth/login", json={"email": EMPLOYER, "password": DEMO_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    ids = []
    with httpx.Client(base_url=contracts, headers=headers, timeout=30) as api:
        for start in starts:
            created = api.post("/contracts", json={"contract_type": "apprentissage", "employer_siret": EMPLOYER_SIRET})
            created.raise_for_status()
            ids.append(created.json()["id"])
            if start:
                saved = api.put(
                    f"/contracts/{ids[-1]}/tabs/contrat",
                    json={"start_date": start},
                    headers={"If-Match": f'"{created.json()["version"]}"'},
                )
                saved.raise_for_status()
    return ids


def test_the_dashboard_is_searched_by_periods_person_in_charge_and_order(browser, platform):
    late, early = api_contracts(platform, ["2031-10-15", "2031-09-01"])
    visit = Visit(browser, platform, "20-filtres")
    page = visit.page
    try:
        log_in(visit, EMPLOYER)
        # Date fields take the browser's own format (a person picks or types jj/mm/aaaa; Playwright gives ISO).
        page.fill("#f-start_from", "2031-09-01")
        page.fill("#f-start_to", "2031-10-31")
        page.select_option("#f-in_charge", "moi")
        page.select_option("#f-sort", "start_date")
        page.locator("main button", has_text="Rechercher").click()
        page.wait_for_url(re.compile(r"start_from=2031-09-01"))
        query = parse_qs(urlsplit(page.url).query)
        assert query["start_to"] == ["2031-10-31"] and query["in_charge"] == ["moi"] and query["sort"] == ["start_date"]
        rows = page.locator("#contrats tbody tr")
        assert rows.count() == 2
        links = [rows.nth(k).locator("a").first.get_attribute("href") for k in range(2)]
        assert links == [f"/contrats/{early}/introduction", f"/contrats/{late}/introduction"]
        assert "01/09/2031" in rows.nth(0).inner_text() and "Moi" in rows.nth(0).inner_text()
        visit.check("debut-et-suivi")
        # The search is the address: reloaded, it finds the same contracts and keeps its fields.
        page.reload()
        assert page.locator("#contrats tbody tr").count() == 2
        assert page.locator("#f-start_from").input_value() == "2031-09-01"
        assert page.locator("#f-sort").input_value() == "start_date"

        page.fill("#f-created_from", "2031-05-01")
        page.fill("#f-created_to", "2031-04-01")
        page.locator("main button", has_text="Rechercher").click()
        page.wait_for_load_state("load")
        summary = page.locator("#resume-erreurs")
        assert summary.is_visible()
        assert summary.locator("a[href='#f-created_to']").count() == 1
        assert "postérieure ou égale à son début" in page.locator("#f-created_to-erreur").inner_text()
        visit.check("periode-inversee")
        # A contract's Synthèse tab lists what the person was told about it (nothing yet for a fresh draft).
        visit.goto(f"/contrats/{early}/synthese")
        told = page.locator("section[aria-labelledby=notifications-contrat]")
        assert "Aucune notification sur ce contrat pour vous." in told.inner_text()
        visit.check("synthese-notifications")
    except BaseException:
        print(platform.tails())
        raise
    finally:
        visit.close()


def letter_code(platform, siret: str, timeout: float = 60) -> str:
    """The 8-digit code of the verification letter (the local postal adapter prints it to the mail catcher)."""
    deadline = time.monotonic() + timeout
    address = f"courrier.{siret}@courrier.passerelle.local"
    while time.monotonic() < deadline:
        for message in httpx.get(f"{platform.mailbox.api}/api/messages", params={"to": address}, timeout=5).json():
            match = re.search(r"(\d{4}) (\d{4})", message["text"])
            if match:
                return "".join(match.groups())
        time.sleep(0.3)
    raise AssertionError(f"no letter for {siret}")


def test_a_new_organisation_is_verified_with_the_code_of_its_letter(browser, platform):
    siret = new_siret()
    visit = Visit(browser, platform, "21-verification")
    page = visit.page
    try:
        log_in(visit, EMPLOYER)
        visit.goto("/organisations")
        page.check("#f-kind-employer", force=True)
        page.fill("#f-name", "Dupain Marseille")
        page.fill("#f-siret", siret)
        page.locator("main button", has_text="Inscrire l'organisation").click()
        page.wait_for_url(re.compile(r"/organisations/[0-9a-f-]+/verification"))
        main = page.locator("main")
        assert "En attente de vérification" in main.inner_text()
        visit.check("en-attente")
        verification_url = page.url

        # Meanwhile (#10.1) a draft for it stays private to its author: badge on the dashboard and on the page.
        visit.goto("/tableau-de-bord")
        assert "ils restent visibles de vous seul" in main.inner_text()
        page.select_option("#f-employer_siret", siret)
        page.locator("main button", has_text="Créer le contrat").click()
        page.wait_for_url(re.compile(r"/contrats/[0-9a-f-]+/"))
        private_draft = re.search(r"/contrats/([0-9a-f-]+)/", page.url).group(1)  # type: ignore[union-attr]
        assert page.locator("#prive").count() == 1
        assert "visible de vous seul" in page.locator("#brouillon-prive").inner_text()
        visit.check("brouillon-prive")
        visit.goto("/tableau-de-bord")
        row = page.locator("#contrats tbody tr", has=page.locator(f"a[href='/contrats/{private_draft}/introduction']"))
        assert "privé jusqu'à la vérification" in row.inner_text().lower()  # a DSFR badge: shown in capitals
        visit.check("tableau-brouillon-prive")
        page.goto(verification_url)
        page.wait_for_load_state("load")
        page.locator("main button", has_text="Recevoir un code par courrier").click()
        page.wait_for_load_state("load")
        assert "courrier envoyé le" in main.inner_text().lower()  # a DSFR badge: shown in capitals
        visit.check("courrier-envoye")

        page.fill("#f-code", "0000 0000")
        page.locator("main button", has_text="Valider le code").click()
        page.wait_for_load_state("load")
        assert page.locator("#resume-erreurs a[href='#f-code']").count() == 1
        assert "n'est pas celui du courrier" in page.locator("#f-code-erreur").inner_text()
        visit.check("code-errone")

        code = letter_code(platform, siret)
        page.fill("#f-code", f"{code[:4]} {code[4:]}")
        page.locator("main button", has_text="Valider le code").click()
        page.wait_for_load_state("load")
        assert "Organisation vérifiée" in main.inner_text()
        assert "par le code reçu par courrier" in main.inner_text()
        visit.check("verifiee")
        visit.goto("/organisations")
        item = page.locator("main li", has_text="Dupain Marseille")
        assert "vérifiée" in item.inner_text().lower()  # a badge, in capitals
        visit.check("liste")

        # Verified: the draft is an ordinary one of the establishment (organisation.verified, through Kafka).
        deadline = time.monotonic() + 60
        while True:
            visit.goto(f"/contrats/{private_draft}/introduction")
            if page.locator("#prive").count() == 0:
                break
            assert time.monotonic() < deadline, "the private draft never became the establishment's"
            time.sleep(0.5)
        assert page.locator("#brouillon-prive").count() == 0
    except BaseException:
        print(platform.tails())
        raise
    finally:
        visit.close()
