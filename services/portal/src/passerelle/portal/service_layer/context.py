"""What the portal's pages work with: the clients of the platform's services and the session store."""

from __future__ import annotations

from dataclasses import dataclass

from passerelle.portal.adapters.contracts import ContractsClient
from passerelle.portal.adapters.documents import DocumentsClient
from passerelle.portal.adapters.identity import IdentityClient
from passerelle.portal.adapters.notifier import NotifierClient
from passerelle.portal.adapters.opco import OpcoClient
from passerelle.portal.adapters.sessions import SessionStore
from passerelle.portal.config import Settings


@dataclass
class PortalContext:
    settings: Settings
    identity: IdentityClient
    contracts: ContractsClient
    documents: DocumentsClient
    notifier: NotifierClient
    opco: OpcoClient
    sessions: SessionStore

    async def aclose(self) -> None:
        for client in (self.identity, self.contracts, self.documents, self.notifier, self.opco):
            await client.aclose()
