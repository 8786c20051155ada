"""A service under test, set up the one way every suite does it (integration conftests, access matrix, fuzzing).

In process (the app's lifespan, requests through httpx's ASGI transport):

    settings = Settings(**quiet_settings(database_url=url))     # no consumers, relay nor revocation feed
    async with in_process(bootstrap(settings), signer, revoked_sessions=[sid]) as app: ...

As its own uvicorn process on the test stack, on a fresh database with its migrations applied:

    with service_process("contracts", "e2e_fuzz_contracts", log_dir, {"CONTRACTS_JWKS_URL": url}) as process: ...
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI

from passerelle.libs.revocation import RevocationList
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO
from passerelle.libs.testing.tokens import TokenFactory

UNUSED_JWKS_URL = "http://127.0.0.1:9/unused"  # the test installs its signer's keys itself


class Bootstrapped(Protocol):
    def app(self) -> FastAPI: ...


def quiet_settings(**values: Any) -> dict[str, Any]:
    """A service's settings with nothing in the background (its API alone); `values` win."""
    return {
        "consumers_enabled": False,
        "relay_in_process": False,
        "revocation_feed_enabled": False,
        "jwks_url": UNUSED_JWKS_URL,
        "log_json": False,
        **values,
    }


def quiet_env(prefix: str) -> dict[str, str]:
    """The same for a service in its own process: its variables (`CONTRACTS`, `DOCUMENTS`...)."""
    return {
        f"{prefix}_CONSUMERS_ENABLED": "false",
        f"{prefix}_RELAY_IN_PROCESS": "false",
        f"{prefix}_REVOCATION_FEED_ENABLED": "false",
        f"{prefix}_LOG_LEVEL": "WARNING",
    }


def revocations_of(sessions: Iterable[str]) -> RevocationList:
    """A revocation list as the feed would have made it after these sessions ended."""
    revocations = RevocationList()
    for session in sessions:
        revocations.end_session(session, time.time())
    return revocations


@asynccontextmanager
async def in_process(
    service: Bootstrapped, signer: TokenFactory | None = None, *, revoked_sessions: Iterable[str] | None = None
) -> AsyncIterator[FastAPI]:
    """The service's app with its lifespan started; it trusts `signer`'s key, and knows `revoked_sessions` ended."""
    app = service.app()
    async with app.router.lifespan_context(app):
        verifier = app.state.token_verifier
        if signer is not None:
            verifier.set_jwks(signer.jwks())
        if revoked_sessions is not None:
            verifier.revocations = revocations_of(revoked_sessions)
        yield app


@contextmanager
def service_process(
    folder: str, database: str, log_dir: Path, env: dict[str, str], *, quiet: bool = True, name: str | None = None
) -> Iterator[ServiceProcess]:
    """The service of `services/<folder>` as a uvicorn process on a fresh database `database`."""
    module = folder.replace("-", "_")
    prefix = module.upper()
    values = {
        f"{prefix}_DATABASE_URL": fresh_service_database(REPO / "services" / folder, database),
        **(quiet_env(prefix) if quiet else {}),
        **env,
    }
    process = ServiceProcess.uvicorn(name or folder, f"passerelle.{module}.main:app", values, log_dir).start()
    try:
        yield process
    finally:
        process.stop()
