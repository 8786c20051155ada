"""What identity's entry points (HTTP routes, background tasks, the CLI) are handed: built by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.identity.adapters.keys import KeyStore
from passerelle.identity.adapters.signer import LocalTokenVerifier
from passerelle.identity.config import Settings
from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.libs.context import ServiceContext
from passerelle.libs.mail import Mailer


@dataclass(kw_only=True)
class IdentityContext(ServiceContext[UnitOfWork]):
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    ports: Ports
    keys: KeyStore
    verifier: LocalTokenVerifier
    mailer: Mailer
