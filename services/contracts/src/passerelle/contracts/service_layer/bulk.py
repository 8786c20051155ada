"""Bulk drafting for training organisations' software: many drafts in one request, answered asynchronously.

`submit_drafts` records the request (idempotent per caller and request key) and answers at once; the
`BulkWorker` then creates the drafts in chunks, one transaction per chunk, each through the same use case as
`POST /contracts`, and records a result per draft that the caller polls; when the last draft is processed it
publishes `bulk_drafts.completed`, so partners need not poll. A restart loses nothing: the request and
its progress are in the database, and a chunk's drafts and its progress are committed together.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from passerelle.contracts.domain.codes import ContractType
from passerelle.libs.access import Side
from passerelle.libs.auth import Membership, Principal
from passerelle.libs.errors import Conflict, DomainError, NotFound
from passerelle.libs.logging import get_logger
from passerelle.schemas.events.contracts import BulkDraftsCompleted

from . import drafting
from .commands import CreateContract
from .common import actor
from .context import Dependencies
from .ports import UnitOfWork

log = get_logger(__name__)

ACCEPTED, RUNNING, DONE = "accepted", "running", "done"
PENDING, CREATED, REFUSED = "pending", "created", "refused"


@dataclass
class BulkSubmission:
    id: UUID
    caller: str
    request_key: str
    request_hash: str
    principal: Principal
    status: str
    total: int
    created_at: datetime
    updated_at: datetime
    processed: int = 0
    created: int = 0
    finished_at: datetime | None = None


@dataclass
class BulkItem:
    """One submitted draft: its payload until processed, then its result."""

    position: int
    reference: str | None
    status: str = PENDING
    payload: dict[str, Any] | None = None
    contract_id: UUID | None = None
    version: int | None = None
    error: dict[str, Any] | None = None


class BulkRepository(Protocol):
    async def find(self, caller: str, request_key: str) -> BulkSubmission | None: ...

    async def get(self, submission_id: UUID) -> BulkSubmission | None: ...

    async def add(self, submission: BulkSubmission, items: list[BulkItem]) -> bool:
        """False when the same caller and key were recorded meanwhile (a concurrent retry)."""

    async def claim_next(self) -> BulkSubmission | None:
        """The oldest unfinished submission nobody else is working on, locked until the end of the transaction."""

    async def pending_items(self, submission_id: UUID, limit: int) -> list[BulkItem]: ...

    async def save_results(self, submission: BulkSubmission, items: list[BulkItem]) -> None: ...

    async def results(self, submission_id: UUID) -> list[BulkItem]:
        """The processed items, in order, without their payloads."""


class BulkUnitOfWork(UnitOfWork, Protocol):
    bulk: BulkRepository


def principal_to_json(principal: Principal) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(principal), default=str))


def principal_from_json(data: dict[str, Any]) -> Principal:
    memberships = tuple(
        Membership(**{**m, "organisation_id": UUID(m["organisation_id"])}) for m in data.get("memberships", [])
    )
    return Principal(
        subject=UUID(data["subject"]),
        kind=data["kind"],
        email=data.get("email"),
        name=data.get("name"),
        memberships=memberships,
        token_id=data.get("token_id"),
    )


def request_hash(items: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()


async def submit_drafts(
    uow: BulkUnitOfWork,
    principal: Principal,
    request_key: str,
    items: list[dict[str, Any]],
    deps: Dependencies,
) -> tuple[BulkSubmission, bool]:
    """Record the request, or return the one already recorded under this key (True when new)."""
    caller = actor(principal)
    digest = request_hash(items)
    existing = await uow.bulk.find(caller, request_key)
    if existing is None:
        now = deps.now()
        submission = BulkSubmission(
            id=uuid4(),
            caller=caller,
            request_key=request_key,
            request_hash=digest,
            principal=principal,
            status=ACCEPTED,
            total=len(items),
            created_at=now,
            updated_at=now,
        )
        rows = [BulkItem(position=i, reference=item.get("reference"), payload=item) for i, item in enumerate(items)]
        if await uow.bulk.add(submission, rows):
            return submission, True
        existing = await uow.bulk.find(caller, request_key)
        assert existing is not None
    if existing.request_hash != digest:
        raise Conflict(
            "Cette clé de requête (Idempotency-Key) a déjà servi pour un autre envoi : utilisez une nouvelle clé.",
            "idempotency_key_reused",
        )
    return existing, False


async def get_submission(uow: BulkUnitOfWork, principal: Principal, submission_id: UUID) -> BulkSubmission:
    submission = await uow.bulk.get(submission_id)
    if submission is None or submission.caller != actor(principal):
        raise NotFound("Envoi groupé introuvable.", "bulk_submission_not_found")
    return submission


def _command(item: dict[str, Any]) -> CreateContract:
    return CreateContract(
        contract_type=ContractType(item["contract_type"]),
        employer_siret=item.get("employer_siret"),
        training_uai=item.get("training_uai"),
        training_siret=item.get("training_siret"),
        side=Side(item["side"]) if item.get("side") else None,
        form=item.get("form"),
    )


async def process_next_chunk(uow: BulkUnitOfWork, deps: Dependencies, chunk: int = 200) -> bool:
    """Create the next drafts of the oldest unfinished submission; False when there is nothing to do."""
    submission = await uow.bulk.claim_next()
    if submission is None:
        return False
    items = await uow.bulk.pending_items(submission.id, chunk)
    records = []
    for item in items:
        payload = item.payload or {}
        try:
            record = await drafting.prepare_new_contract(submission.principal, _command(payload), deps)
        except DomainError as error:
            item.status, item.error = REFUSED, error.as_dict()["error"]
        else:
            records.append(record)
            item.status, item.contract_id, item.version = CREATED, record.id, 1
            submission.created += 1
        item.payload = None
    # The chunk's drafts in a few statements: one insert for the contracts, one for their history, the outbox.
    await drafting.create_contracts(uow, records, deps)
    submission.processed += len(items)
    now = deps.now()
    submission.updated_at = now
    submission.status = DONE if submission.processed >= submission.total or not items else RUNNING
    if submission.status == DONE:
        submission.finished_at = now
    await uow.bulk.save_results(submission, items)
    if submission.status == DONE:
        await _announce_completion(uow, submission, now)
    return True


async def _announce_completion(uow: BulkUnitOfWork, submission: BulkSubmission, now: datetime) -> None:
    """Partners are told through the outbox, in the chunk's transaction, that the last draft was processed."""
    results = await uow.bulk.results(submission.id)
    uow.publish(
        BulkDraftsCompleted(
            submission_id=submission.id,
            request_key=submission.request_key,
            submitted_by=submission.principal.subject,
            submitter_kind=submission.principal.kind,
            total=submission.total,
            created=submission.created,
            refused=sum(1 for r in results if r.status == REFUSED),
            contract_ids=[r.contract_id for r in results if r.contract_id is not None],
            finished_at=now,
        )
    )


class BulkWorker:
    """Works through the unfinished submissions in the background (a kit background task); `wake()` after
    accepting one. Several replicas may run it: a submission is worked on by one at a time (SKIP LOCKED)."""

    name = "bulk-drafting"

    def __init__(self, deps: Dependencies, *, chunk: int = 200, idle_seconds: float = 2.0) -> None:
        self._deps = deps
        self._chunk = chunk
        self._idle = idle_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._uow_factory: Callable[[], Any] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self, context: Any, engine: Any, service_name: str) -> None:
        self._uow_factory = context.uow_factory
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"{service_name}-{self.name}")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, 15)

    async def run_once(self) -> bool:
        assert self._uow_factory is not None
        async with self._uow_factory() as uow:
            worked = await process_next_chunk(uow, self._deps, self._chunk)
            if worked:
                await uow.commit()
            return worked

    async def run(self) -> None:
        while not self._stopping:
            try:
                worked = await self.run_once()
            except Exception:  # a failing chunk is retried whole: nothing of it was committed
                log.exception("bulk drafting chunk failed")
                worked = False
            if worked:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle)
