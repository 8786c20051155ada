"""What the entry points (HTTP routes, background work, seed) are handed by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.identity.adapters.keys import KeyStore
from passerelle.identity.adapters.signer import LocalTokenVerifier
from passerelle.identity.adapters.unit_of_work import IdentityUnitOfWork
from passerelle.identity.config import Settings
from passerelle.identity.service_layer.ports import Mailer, Ports


@dataclass
class Identity:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    ports: Ports
    keys: KeyStore
    verifier: LocalTokenVerifier
    mailer: Mailer

    def uow(self) -> IdentityUnitOfWork:
        return IdentityUnitOfWork(self.sessions, self.settings.service_name)
