"""The portal in a real browser, on the real platform: identity, contracts, documents and the portal run as their
own processes on the test stack (PostgreSQL, Kafka, S3, SMTP, clamd); Debian's Chromium is driven by Playwright.

Every page a test visits goes through `Visit.check`: axe-core finds no WCAG A/AA violation, and a full-page
screenshot is saved in .artifacts/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO, ensure_stack

CHROMIUM = Path(os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=fr-FR",
]
# Date inputs follow the browser's own language (on Linux: its environment's, with chromium-l10n's French
# translations installed), not the page's locale: without them they read mm/dd/yyyy beside a "JJ/MM/AAAA" hint.
CHROMIUM_ENV = {"LANG": "fr_FR.UTF-8", "LANGUAGE": "fr", "LC_ALL": "fr_FR.UTF-8"}
SCREENSHOTS = REPO / ".artifacts" / "screenshots"
AXE = REPO / "services" / "portal" / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "demo-alternance-2026"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Mailbox:
    """The stack's mail catcher, read through its JSON API."""

    def __init__(self, api: str) -> None:
        self.api = api.rstrip("/")

    def link(self, to: str, path: str, timeout: float = 30.0) -> str:
        pattern = re.compile(r"(https?://[^\s]+" + re.escape(path) + r"\?jeton=[^\s]+)")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in httpx.get(f"{self.api}/api/messages", params={"to": to}, timeout=5).json():
                match = pattern.search(message["text"])
                if match:
                    return match.group(1)
            time.sleep(0.2)
        raise AssertionError(f"no {path} link mailed to {to}")


class Platform:
    def __init__(
        self, portal: ServiceProcess, processes: list[ServiceProcess], mailbox: Mailbox, clock_offset: Path
    ) -> None:
        self.portal = portal
        self.processes = processes
        self.mailbox = mailbox
        self.clock_offset = clock_offset

    def move_opco_clock(self, seconds: float) -> None:
        """Moves opco-processing's clock forward (its controllable clock reads this file; 0 is real time)."""
        partial = self.clock_offset.with_suffix(".tmp")
        partial.write_text(str(seconds))
        partial.replace(self.clock_offset)

    @property
    def url(self) -> str:
        return self.portal.url

    def tails(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.tail(40)}" for p in self.processes)


@pytest.fixture(scope="session")
def log_dir() -> Path:
    path = REPO / ".stack" / "test-logs" / f"portal-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def platform(log_dir: Path) -> Iterator[Platform]:
    stack = ensure_stack()
    base = {k: v for k, v in stack.items() if k.startswith("PASSERELLE_")}
    run = uuid.uuid4().hex[:8]
    services = REPO / "services"
    # The portal logs in to Kafka as its own principal (its revocation feed): the stack's admin login is left out
    # of its environment so that `service_principal_env` gives it the portal's.
    no_admin_login = {k: v for k, v in base.items() if not k.startswith("PASSERELLE_KAFKA_SASL_")}
    portal = ServiceProcess.uvicorn("portal", "passerelle.portal.main:app", no_admin_login, log_dir)
    identity = ServiceProcess.uvicorn(
        "identity",
        "passerelle.identity.main:app",
        {
            **base,
            "IDENTITY_DATABASE_URL": fresh_service_database(services / "identity", "portal_browser_identity"),
            "IDENTITY_PORTAL_URL": portal.url,
            "IDENTITY_MAIL_POLL_SECONDS": "0.2",
        },
        log_dir,
    )
    jwks = f"{identity.url}/.well-known/jwks.json"
    contracts = ServiceProcess.uvicorn(
        "contracts",
        "passerelle.contracts.main:app",
        {
            **base,
            "CONTRACTS_DATABASE_URL": fresh_service_database(services / "contracts", "portal_browser_contracts"),
            "CONTRACTS_JWKS_URL": jwks,
            "CONTRACTS_IDENTITY_URL": identity.url,
            "CONTRACTS_CONSUMER_GROUP": f"contracts-portal-{run}",
        },
        log_dir,
    )
    documents = ServiceProcess.uvicorn(
        "documents",
        "passerelle.documents.main:app",
        {
            **base,
            "DOCUMENTS_DATABASE_URL": fresh_service_database(services / "documents", "portal_browser_documents"),
            "DOCUMENTS_JWKS_URL": jwks,
            "DOCUMENTS_IDENTITY_URL": identity.url,
            "DOCUMENTS_CONSUMER_GROUP": f"documents-portal-{run}",
        },
        log_dir,
    )
    notifier = ServiceProcess.uvicorn(
        "notifier",
        "passerelle.notifier.main:app",
        {
            **base,
            "NOTIFIER_DATABASE_URL": fresh_service_database(services / "notifier", "portal_browser_notifier"),
            "NOTIFIER_JWKS_URL": jwks,
            "NOTIFIER_IDENTITY_URL": identity.url,
            "NOTIFIER_CONSUMER_GROUP": f"notifier-portal-{run}",
            "NOTIFIER_PORTAL_URL": portal.url,
            "NOTIFIER_MAIL_POLL_SECONDS": "0.2",
            "NOTIFIER_STREAM_KEEPALIVE_SECONDS": "2",
            # Other runs' events about contracts this notifier never saw: parked quickly, not retried long.
            "NOTIFIER_CONSUMER_MAX_ATTEMPTS": "3",
            "NOTIFIER_CONSUMER_BACKOFF_SECONDS": "0.05",
        },
        log_dir,
    )
    # opco-processing, for the back office: its machine identities are written by the demo seed, its clock is
    # the controllable one (an offset file the tests write: a case about to expire without sleeping).
    machine_clients = log_dir / "machine-clients.json"
    clock_offset = log_dir / "clock-offset"
    opco = ServiceProcess.uvicorn(
        "opco-processing",
        "passerelle.opco_processing.main:app",
        {
            **base,
            "OPCO_PROCESSING_DATABASE_URL": fresh_service_database(
                services / "opco-processing", "portal_browser_opco_processing"
            ),
            "OPCO_PROCESSING_JWKS_URL": jwks,
            "OPCO_PROCESSING_IDENTITY_URL": identity.url,
            "OPCO_PROCESSING_CONTRACTS_URL": contracts.url,
            "OPCO_PROCESSING_DOCUMENTS_URL": documents.url,
            "OPCO_PROCESSING_CONSUMER_GROUP": f"opco-portal-{run}",
            "OPCO_PROCESSING_MACHINE_CLIENTS_FILE": str(machine_clients),
            "OPCO_PROCESSING_WORK_INTERVAL_SECONDS": "0.2",
            "OPCO_PROCESSING_CLOCK_SECONDS": "0.5",
            "OPCO_PROCESSING_CLOCK_OFFSET_FILE": str(clock_offset),
            "OPCO_PROCESSING_ENVIRONMENT": "test",
            "OPCO_PROCESSING_CONSUMER_MAX_ATTEMPTS": "3",
            "OPCO_PROCESSING_CONSUMER_BACKOFF_SECONDS": "0.05",
        },
        log_dir,
    )
    portal.env.update(
        {
            "PORTAL_OPCO_PROCESSING_URL": opco.url,
            "PORTAL_IDENTITY_URL": identity.url,
            "PORTAL_CONTRACTS_URL": contracts.url,
            "PORTAL_DOCUMENTS_URL": documents.url,
            "PORTAL_NOTIFIER_URL": notifier.url,
            "PORTAL_ENVIRONMENT": "test",
        }
    )
    started: list[ServiceProcess] = []
    try:
        for process in (identity, contracts, documents, notifier, opco, portal):
            process.start(ready_timeout=240)  # a shared machine may be slow to start five services
            started.append(process)
        seed = subprocess.run(
            [sys.executable, "-m", "passerelle.identity.cli", "--skip-migrations"],
            env={
                **identity.env,
                "PASSERELLE_DEMO_PASSWORD": DEMO_PASSWORD,
                "OPCO_PROCESSING_MACHINE_CLIENTS_FILE": str(machine_clients),
            },
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seed.returncode == 0, seed.stdout + seed.stderr
        yield Platform(portal, started, Mailbox(base["PASSERELLE_MAIL_API"]), clock_offset)
    finally:
        for process in reversed(started):
            process.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: scripts/bootstrap.sh installs Debian's chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env={**os.environ, **CHROMIUM_ENV}
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """A person's browser session: pages are checked (axe-core) and photographed as they are visited."""

    def __init__(self, browser: Any, platform: Platform, name: str) -> None:
        self.context = browser.new_context(
            # axe-core is injected as an inline script, which the portal's CSP (rightly) refuses.
            viewport={"width": 1280, "height": 900},
            locale="fr-FR",
            bypass_csp=True,
        )
        self.page = self.context.new_page()
        self.platform = platform
        self.name = name
        self.checked: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.platform.url + path)

    def check(self, label: str) -> None:
        """0 axe violations of level A/AA on the page as it is now, and its screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{label}.png"), full_page=True)
        violations = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert violations == [], f"{label} ({page.url}): {json.dumps(violations, ensure_ascii=False)}"
        self.checked.append(label)

    def close(self) -> None:
        self.context.close()
