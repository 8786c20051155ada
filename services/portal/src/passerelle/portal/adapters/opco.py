"""Typed client of opco-processing's API: the OPCO's queue, its cases, decisions and letters, its settings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from passerelle.portal.adapters.api import ServiceClient


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Person(Model):
    id: UUID | None = None
    name: str


class CheckCounts(Model):
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0


class CaseSummary(Model):
    id: UUID
    contract_id: UUID
    contract_type: str
    status: str
    status_label: str
    revision: int
    employer: dict[str, Any]
    employee_name: str | None = None
    training: dict[str, Any]
    qualification: str | None = None
    idcc: str | None = None
    branch: str | None = None
    received_at: str
    due_at: str | None = None
    remaining_seconds: int | None = None
    assignee: Person | None = None
    checks: CheckCounts
    funding_amount: str | None = None
    file_number: str | None = None


class Queue(Model):
    items: list[CaseSummary]
    total: int
    counts: dict[str, int]


class BatchOutcome(Model):
    case_id: UUID
    ok: bool
    error: dict[str, str] | None = None


class Load(Model):
    assignee: Person | None = None
    open: int
    expiring: int


class OpcoClient(ServiceClient):
    # --- the queue
    async def queue(self, token: str, params: dict[str, Any]) -> Queue:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        return Queue.model_validate(await self.json("GET", "/cases", token, params=query))

    async def workload(self, token: str) -> list[Load]:
        return [Load.model_validate(x) for x in await self.json("GET", "/cases/workload", token)]

    async def batch(self, token: str, action: str, case_ids: list[UUID], assignee: Person | None) -> list[BatchOutcome]:
        body: dict[str, Any] = {"action": action, "case_ids": [str(c) for c in case_ids]}
        if assignee is not None:
            body["assignee"] = assignee.model_dump(mode="json")
        found = await self.json("POST", "/cases/batch", token, json=body)
        return [BatchOutcome.model_validate(r) for r in found["results"]]

    # --- a case
    async def case(self, token: str, case_id: UUID) -> dict[str, Any]:
        return dict(await self.json("GET", f"/cases/{case_id}", token))

    async def by_contract(self, token: str, contract_id: UUID) -> dict[str, Any]:
        return dict(await self.json("GET", f"/cases/by-contract/{contract_id}", token))

    async def history(self, token: str, case_id: UUID) -> list[dict[str, Any]]:
        return list(await self.json("GET", f"/cases/{case_id}/history", token))

    async def notes(self, token: str, case_id: UUID) -> list[dict[str, Any]]:
        return list(await self.json("GET", f"/cases/{case_id}/notes", token))

    async def add_note(self, token: str, case_id: UUID, text: str) -> None:
        await self.request("POST", f"/cases/{case_id}/notes", token, json={"text": text})

    async def assign(self, token: str, case_id: UUID, assignee: Person | None) -> dict[str, Any]:
        body = {"assignee": assignee.model_dump(mode="json") if assignee else None}
        return dict(await self.json("POST", f"/cases/{case_id}/assign", token, json=body))

    async def override(self, token: str, case_id: UUID, check_id: str, result: str, reason: str) -> dict[str, Any]:
        path = f"/cases/{case_id}/checks/{check_id}/override"
        return dict(await self.json("POST", path, token, json={"result": result, "reason": reason}))

    # --- decisions and their letters
    async def engage(self, token: str, case_id: UUID) -> dict[str, Any]:
        return dict(await self.json("POST", f"/cases/{case_id}/engage", token, json={}))

    async def raise_anomaly(self, token: str, case_id: UUID, body: dict[str, Any]) -> dict[str, Any]:
        return dict(await self.json("POST", f"/cases/{case_id}/anomaly", token, json=body))

    async def refuse(self, token: str, case_id: UUID, reason: str) -> dict[str, Any]:
        return dict(await self.json("POST", f"/cases/{case_id}/refuse", token, json={"reason": reason}))

    async def preview(self, token: str, case_id: UUID, kind: str, body: dict[str, Any] | None = None) -> bytes:
        path = f"/cases/{case_id}/letters/preview/{kind}"
        response = (
            await self.request("POST", path, token, json=body) if body else await self.request("POST", path, token)
        )
        return response.content

    async def letter(self, token: str, case_id: UUID, letter_id: UUID) -> bytes:
        return (await self.request("GET", f"/cases/{case_id}/letters/{letter_id}", token)).content

    # --- administration
    async def settings(self, token: str) -> dict[str, Any]:
        return dict(await self.json("GET", "/settings", token))

    async def put_settings(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(await self.json("PUT", "/settings", token, json=body))

    async def barred(self, token: str) -> list[dict[str, Any]]:
        return list(await self.json("GET", "/barred-employers", token))

    async def bar(self, token: str, body: dict[str, Any]) -> None:
        await self.request("POST", "/barred-employers", token, json=body)

    async def unbar(self, token: str, barred_id: UUID) -> None:
        await self.request("DELETE", f"/barred-employers/{barred_id}", token)
