"""The main journey with the keyboard alone: skip link, log in, start a contract for one of the person's
establishments, answer a tab and save it, transmit; every focused control shows a visible focus ring."""

from __future__ import annotations

import re

import pytest

from .conftest import DEMO_PASSWORD, Visit

pytestmark = pytest.mark.e2e
MAX_TABS = 250


def tab_to(visit: Visit, selector: str) -> None:
    """Press Tab until the control matching `selector` has the focus (as a keyboard user does); check the focus
    ring of every control crossed on the way."""
    page = visit.page
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """(sel) => {
                const el = document.activeElement;
                if (!el || el === document.body) return {match: false, visible: true};
                // The ring may be drawn on the element or, for the DSFR's enlarged links, on its ::before overlay.
                const drawn = (style) => (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                    || style.boxShadow !== 'none';
                const ring = [null, '::before', '::after'].some((pseudo) => drawn(getComputedStyle(el, pseudo)));
                return {match: el.matches(sel), visible: ring, what: el.outerHTML.slice(0, 120)};
            }""",
            selector,
        )
        assert focused["visible"], f"no visible focus on {focused.get('what')}"
        if focused["match"]:
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


@pytest.mark.timeout(1200)
def test_the_main_journey_with_the_keyboard_only(browser, platform):
    visit = Visit(browser, platform, "04-clavier")
    page = visit.page
    try:
        visit.goto("/connexion")
        tab_to(visit, "a[href='#contenu']")  # the skip link comes first
        tab_to(visit, "#f-email")
        page.keyboard.type("direction@dupain.example.fr")
        tab_to(visit, "#f-password")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/tableau-de-bord"))
        visit.check("tableau-de-bord")

        # Start a contract: the seeded employer has several establishments, chosen in a select with the arrows.
        tab_to(visit, "select#f-employer_siret")
        page.keyboard.press("ArrowDown")
        chosen = page.eval_on_selector("#f-employer_siret", "e => e.value")
        assert re.fullmatch(r"\d{14}", chosen), chosen
        tab_to(visit, "#f-training_uai")
        page.keyboard.type("0754321P")
        tab_to(visit, "form[action='/contrats'] button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/contrats/[0-9a-f-]+/introduction"))
        contract = page.url.split("?")[0].rsplit("/", 1)[0]

        visit.check("introduction")
        # Answer a question (a select: first contract, successive or amendment) with the arrow keys; save with Enter.
        kind = "select[name='introduction.contract_kind']"
        tab_to(visit, kind)
        page.keyboard.press("ArrowDown")
        answered = page.eval_on_selector(kind, "e => e.value")
        assert answered, "the arrow key chose no option"
        tab_to(visit, "#formulaire-onglet button[value=enregistrer]")
        page.keyboard.press("Enter")
        # The page already carries the creation's message: wait for the save's own.
        page.wait_for_url(re.compile(r"/introduction\?message=Les(%20|\+)modifications"))
        assert "Les modifications sont enregistrées" in page.inner_text("main")
        assert page.eval_on_selector(kind, "e => e.value") == answered

        # Move to the Synthèse tab by its link and transmit: refused, the refusal takes the focus.
        tab_to(visit, "a.portal-tabs__link[href$='/synthese']")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/synthese"))
        tab_to(visit, "form[action$='/transmettre'] button")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"refus=1"))
        # The DSFR script opens the popup once the page has loaded: Escape before that would close nothing.
        page.locator("#refus-modal.fr-modal--opened").wait_for(state="visible")
        page.keyboard.press("Escape")  # closes the popup
        page.locator("#refus-modal").wait_for(state="hidden")
        assert page.locator(".portal-tabs__item--error").count() >= 1
        assert page.url.startswith(contract)
        visit.check("refus")
    except BaseException:
        print(platform.tails())
        raise
    finally:
        visit.close()
