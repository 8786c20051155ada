"""Bulk submissions in PostgreSQL: the request and its caller's snapshot, and one row per draft."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from passerelle.contracts.service_layer.bulk import (
    DONE,
    PENDING,
    BulkItem,
    BulkSubmission,
    principal_from_json,
    principal_to_json,
)

from .orm import bulk_item_table as items_table
from .orm import bulk_submission_table as table

b = table.c
i = items_table.c


def _submission(row: Any) -> BulkSubmission:
    return BulkSubmission(
        id=row.id,
        caller=row.caller,
        request_key=row.request_key,
        request_hash=row.request_hash,
        principal=principal_from_json(row.principal),
        status=row.status,
        total=row.total,
        created_at=row.created_at,
        updated_at=row.updated_at,
        processed=row.processed,
        created=row.created,
        finished_at=row.finished_at,
    )


class SqlBulkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, caller: str, request_key: str) -> BulkSubmission | None:
        row = (
            await self.session.execute(sa.select(table).where(b.caller == caller, b.request_key == request_key))
        ).first()
        return _submission(row) if row else None

    async def get(self, submission_id: UUID) -> BulkSubmission | None:
        row = (await self.session.execute(sa.select(table).where(b.id == submission_id))).first()
        return _submission(row) if row else None

    async def add(self, submission: BulkSubmission, items: list[BulkItem]) -> bool:
        result = await self.session.execute(
            insert(table)
            .values(
                id=submission.id,
                caller=submission.caller,
                request_key=submission.request_key,
                request_hash=submission.request_hash,
                principal=principal_to_json(submission.principal),
                status=submission.status,
                total=submission.total,
                created_at=submission.created_at,
                updated_at=submission.updated_at,
            )
            .on_conflict_do_nothing(constraint="bulk_submission_caller_key")
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        await self.session.execute(
            sa.insert(items_table),
            [
                {
                    "submission_id": submission.id,
                    "position": item.position,
                    "reference": item.reference,
                    "payload": item.payload,
                    "status": PENDING,
                }
                for item in items
            ],
        )
        return True

    async def claim_next(self) -> BulkSubmission | None:
        row = (
            await self.session.execute(
                sa.select(table)
                .where(b.status != DONE)
                .order_by(b.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).first()
        return _submission(row) if row else None

    async def pending_items(self, submission_id: UUID, limit: int) -> list[BulkItem]:
        rows = (
            await self.session.execute(
                sa.select(i.position, i.reference, i.payload)
                .where(i.submission_id == submission_id, i.status == PENDING)
                .order_by(i.position)
                .limit(limit)
            )
        ).all()
        return [BulkItem(position=r.position, reference=r.reference, payload=r.payload) for r in rows]

    async def save_results(self, submission: BulkSubmission, items: list[BulkItem]) -> None:
        if items:
            await self.session.execute(
                sa.update(items_table)
                .where(i.submission_id == sa.bindparam("s_id"), i.position == sa.bindparam("s_position"))
                .values(
                    status=sa.bindparam("s_status"),
                    contract_id=sa.bindparam("s_contract_id"),
                    version=sa.bindparam("s_version"),
                    error=sa.bindparam("s_error", type_=items_table.c.error.type),
                    payload={},
                ),
                [
                    {
                        "s_id": submission.id,
                        "s_position": item.position,
                        "s_status": item.status,
                        "s_contract_id": item.contract_id,
                        "s_version": item.version,
                        "s_error": item.error,
                    }
                    for item in items
                ],
            )
        await self.session.execute(
            sa.update(table)
            .where(b.id == submission.id)
            .values(
                status=submission.status,
                processed=submission.processed,
                created=submission.created,
                updated_at=submission.updated_at,
                finished_at=submission.finished_at,
            )
        )

    async def results(self, submission_id: UUID) -> list[BulkItem]:
        rows = (
            await self.session.execute(
                sa.select(i.position, i.reference, i.status, i.contract_id, i.version, i.error)
                .where(i.submission_id == submission_id, i.status != PENDING)
                .order_by(i.position)
            )
        ).all()
        return [
            BulkItem(
                position=r.position,
                reference=r.reference,
                status=r.status,
                contract_id=r.contract_id,
                version=r.version,
                error=r.error,
            )
            for r in rows
        ]
