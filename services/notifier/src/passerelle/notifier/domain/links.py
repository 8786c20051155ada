"""The portal pages a notification links to (the portal builds them; see /work/coord/notifier-api.md)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID


@dataclass(frozen=True)
class PortalLinks:
    base_url: str

    def _url(self, path: str, query: dict[str, str] | None = None) -> str:
        url = self.base_url.rstrip("/") + path
        return f"{url}?{urlencode(query)}" if query else url

    def contract(self, contract_id: UUID) -> str:
        return self._url(f"/contrats/{contract_id}")

    def contract_documents(self, contract_id: UUID) -> str:
        return self._url(f"/contrats/{contract_id}/documents")

    def document(self, contract_id: UUID, document_id: UUID) -> str:
        return self._url(f"/contrats/{contract_id}/documents/{document_id}")

    def register_for_contract(self, email: str, contract_id: UUID) -> str:
        return self._url("/inscription", {"courriel": email, "contrat": str(contract_id)})

    def login_to_contract(self, contract_id: UUID) -> str:
        return self._url("/connexion", {"suivant": f"/contrats/{contract_id}"})

    def members(self, organisation_id: UUID) -> str:
        return self._url(f"/organisations/{organisation_id}/membres")

    def join_requests(self, organisation_id: UUID) -> str:
        return self._url(f"/organisations/{organisation_id}/demandes")

    def notifications(self) -> str:
        return self._url("/notifications")

    def preferences(self) -> str:
        return self._url("/notifications/preferences")
