"""Typed client of the contracts service's API: dashboard, the form tab by tab, validation, life of the file.

Every write sends the version the person saw (If-Match), so two people never overwrite each other silently.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from passerelle.portal.adapters.api import ServiceClient


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ContractSummary(Model):
    id: UUID
    contract_type: str
    status: str
    status_label: str
    employer_siret: str | None = None
    employer_name: str | None = None
    employee_name: str | None = None
    training_uai: str | None = None
    training_siret: str | None = None
    opco_file_number: str | None = None
    owner_id: str
    archived: bool = False
    created_at: str
    updated_at: str
    start_date: str | None = None
    transmitted_at: str | None = None
    in_charge: dict[str, str] = {}
    private: bool = False  # drafted while the person's organisation is not verified: theirs alone until then


class ContractPage(Model):
    items: list[ContractSummary]
    total: int
    page: int
    page_size: int


class Question(Model):
    field: str
    label: str
    required: bool
    help: str | None = None
    choices: list[dict[str, str]] = []
    reminder: dict[str, str] | None = None


class TabQuestions(Model):
    tab: str
    label: str
    questions: list[Question]


class Questions(Model):
    tabs: list[TabQuestions]
    reminders: list[dict[str, str]] = []


class Finding(Model):
    rule_id: str
    severity: str
    tab: str
    tab_label: str = ""
    field: str
    message: str
    reference: str = ""


class Validation(Model):
    valid: bool
    error_count: int
    warning_count: int
    tabs_in_error: list[str]
    findings: list[Finding]


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


class ContractsClient(ServiceClient):
    LABELS_TTL_SECONDS = 3600.0  # the registry changes with a release of the contracts service

    _labels: dict[str, str] | None = None
    _labels_read_at = 0.0

    async def field_labels(self, token: str) -> dict[str, str]:
        """The form's field registry (every answer's French label, `[]` for every row of a list), kept an hour."""
        if self._labels is None or time.monotonic() - self._labels_read_at > self.LABELS_TTL_SECONDS:
            found = await self.json("GET", "/referentials/fields", token)
            self._labels = {str(f["path"]): str(f["label"]) for f in found}
            self._labels_read_at = time.monotonic()
        return self._labels

    async def dashboard(self, token: str, params: dict[str, Any]) -> ContractPage:
        query = {k: v for k, v in params.items() if v not in (None, "", False)}
        return ContractPage.model_validate(await self.json("GET", "/contracts", token, params=query))

    async def create(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(await self.json("POST", "/contracts", token, json=body))

    async def get(self, token: str, contract_id: UUID) -> dict[str, Any]:
        return dict(await self.json("GET", f"/contracts/{contract_id}", token))

    async def questions(self, token: str, contract_id: UUID) -> Questions:
        return Questions.model_validate(await self.json("GET", f"/contracts/{contract_id}/questions", token))

    async def validation(self, token: str, contract_id: UUID) -> Validation:
        found = await self.json("GET", f"/contracts/{contract_id}/validation", token)
        return Validation.model_validate(found)

    async def remuneration(self, token: str, contract_id: UUID) -> dict[str, Any]:
        return dict(await self.json("GET", f"/contracts/{contract_id}/remuneration", token))

    async def history(self, token: str, contract_id: UUID) -> list[dict[str, Any]]:
        return list(await self.json("GET", f"/contracts/{contract_id}/history", token))

    async def save_tab(self, token: str, contract_id: UUID, tab: str, version: int, content: dict[str, Any]) -> Any:
        path = f"/contracts/{contract_id}/tabs/{tab}"
        return await self.json("PUT", path, token, json=content, headers=_if_match(version))

    async def action(self, token: str, contract_id: UUID, action: str, version: int, body: Any = None) -> Any:
        """propose, accept, transmit, transfer, archive, restore, amendments."""
        kw: dict[str, Any] = {"headers": _if_match(version)}
        if body is not None:
            kw["json"] = body
        return await self.json("POST", f"/contracts/{contract_id}/{action}", token, **kw)

    async def delete(self, token: str, contract_id: UUID, version: int) -> None:
        await self.request("DELETE", f"/contracts/{contract_id}", token, headers=_if_match(version))

    async def cerfa_pdf(self, token: str, contract_id: UUID) -> bytes:
        response = await self.request("GET", f"/contracts/{contract_id}/cerfa.pdf", token)
        return response.content

    async def establishment(self, token: str, siret: str) -> dict[str, Any]:
        return dict(await self.json("GET", f"/referentials/establishments/{siret}", token))
