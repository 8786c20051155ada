"""Bulk drafting for training organisations' software: `POST /bulk/drafts` answers 202 at once with the
submission's id, `GET /bulk/drafts/{id}` tells its progress and the result of each draft.

The `Idempotency-Key` header is required: the same key with the same body returns the same submission (a retry
after a lost answer creates nothing twice); with another body it is refused with 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Response, status
from pydantic import BaseModel, ConfigDict, Field

from passerelle.contracts.domain.codes import ContractType
from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.service_layer import bulk
from passerelle.contracts.service_layer.context import ContractsContext
from passerelle.libs.auth import CurrentPrincipal
from passerelle.libs.http import ContextDep

from .dependencies import DependenciesDep, ReadsDep, UnitOfWorkDep

router = APIRouter(prefix="/bulk", tags=["partenaires"])

MAX_DRAFTS = 1000


class BulkDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str | None = Field(None, max_length=100, description="Your own identifier of this draft (echoed)")
    contract_type: ContractType = Field(description="apprentissage (CERFA 10103) or professionnalisation (12434)")
    employer_siret: str | None = Field(None, max_length=20, description="The employer establishment's SIRET")
    training_uai: str | None = Field(None, max_length=12, description="Your training organisation's UAI")
    training_siret: str | None = Field(None, max_length=20, description="Your training organisation's SIRET")
    side: Literal["employer", "training"] | None = Field(None, description="The side you create it for")
    form: ContractForm | None = Field(None, description="The draft's form (only the tabs of your side)")


class BulkDraftsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    drafts: list[BulkDraft] = Field(min_length=1, max_length=MAX_DRAFTS, description="The drafts to create")


class BulkResult(BaseModel):
    index: int = Field(description="Position of the draft in the request")
    reference: str | None
    status: Literal["created", "refused"]
    contract_id: UUID | None = None
    version: int | None = None
    error: dict[str, Any] | None = Field(None, description="Why it was refused: code, French message, fields")


class BulkStatus(BaseModel):
    id: UUID
    request_key: str
    status: Literal["accepted", "running", "done"]
    total: int
    processed: int
    created: int
    refused: int
    created_at: datetime
    finished_at: datetime | None
    results: list[BulkResult]


def _status(submission: bulk.BulkSubmission, items: list[bulk.BulkItem]) -> BulkStatus:
    return BulkStatus(
        id=submission.id,
        request_key=submission.request_key,
        status=submission.status,  # type: ignore[arg-type]
        total=submission.total,
        processed=submission.processed,
        created=submission.created,
        refused=submission.processed - submission.created,
        created_at=submission.created_at,
        finished_at=submission.finished_at,
        results=[
            BulkResult(
                index=item.position,
                reference=item.reference,
                status=item.status,  # type: ignore[arg-type]
                contract_id=item.contract_id,
                version=item.version,
                error=item.error,
            )
            for item in items
        ],
    )


IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Your key for this request: a retry with the same key and body returns the same submission",
    ),
]


@router.post(
    "/drafts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BulkStatus,
    summary="Déposer des brouillons en nombre (traitement différé)",
    responses={409: {"description": "The key was already used for another body"}},
)
async def submit_drafts(
    body: BulkDraftsBody,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    deps: DependenciesDep,
    context: ContextDep[ContractsContext],
    response: Response,
    idempotency_key: IdempotencyKey,
) -> BulkStatus:
    items = [draft.model_dump(mode="json", exclude_unset=True) for draft in body.drafts]
    for item, draft in zip(items, body.drafts, strict=True):
        if draft.form is not None:
            item["form"] = draft.form.model_dump(mode="json", exclude_unset=True)
    submission, new = await bulk.submit_drafts(uow, principal, idempotency_key, items, deps)
    await uow.commit()  # before waking the worker, so that it finds the submission (the kit's commit is then empty)
    if new and context.bulk_worker is not None:
        context.bulk_worker.wake()
    response.headers["Location"] = f"/bulk/drafts/{submission.id}"
    return _status(submission, [] if new else await uow.bulk.results(submission.id))


@router.get("/drafts/{submission_id}", response_model=BulkStatus, summary="Avancement d'un dépôt en nombre")
async def submission_status(submission_id: UUID, principal: CurrentPrincipal, uow: ReadsDep) -> BulkStatus:
    submission = await bulk.get_submission(uow, principal, submission_id)
    return _status(submission, await uow.bulk.results(submission.id))
