"""SQL repositories of the documents service (they never commit: the unit of work does)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from passerelle.documents.adapters.orm import contract_access_table, documents_table
from passerelle.documents.domain.access import ContractAccess
from passerelle.documents.domain.model import Document, DocumentStatus
from passerelle.libs.revisions import newer_revision

_DOCUMENT_COLUMNS = (
    "id",
    "contract_id",
    "document_type",
    "version",
    "supersedes",
    "filename",
    "size",
    "sha256",
    "media_type",
    "object_key",
    "uploaded_by",
    "uploaded_by_kind",
    "uploaded_at",
    "scan_verdict",
    "status",
)


def _document(row: Any) -> Document:
    values = {c: getattr(row, c) for c in _DOCUMENT_COLUMNS}
    values["status"] = DocumentStatus(values["status"])
    return Document(**values)


def _values(document: Document) -> dict[str, Any]:
    values = {c: getattr(document, c) for c in _DOCUMENT_COLUMNS}
    values["status"] = str(document.status)
    return values


# The statements of every download and upload, built once: SQLAlchemy built and keyed a new one per call, at more
# CPU than PostgreSQL spent running it (issue #17).
_WITH_ACCESS = (
    sa.select(documents_table, *[c.label(f"access_{c.name}") for c in contract_access_table.c])
    .outerjoin(contract_access_table, contract_access_table.c.contract_id == documents_table.c.contract_id)
    .where(documents_table.c.id == sa.bindparam("document_id"))
)
_ACCESS = sa.select(contract_access_table).where(contract_access_table.c.contract_id == sa.bindparam("contract_id"))
_ACCESS_FOR_UPDATE = _ACCESS.with_for_update()
_INSERT = sa.insert(documents_table)
_CURRENT_OF = (
    sa.select(documents_table)
    .where(
        documents_table.c.contract_id == sa.bindparam("contract_id"),
        documents_table.c.document_type == sa.bindparam("document_type"),
    )
    .order_by(documents_table.c.version.desc())
    .limit(1)
)


class SqlDocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, document: Document) -> None:
        await self.session.execute(_INSERT, _values(document))

    async def get(self, document_id: UUID) -> Document | None:
        row = (
            await self.session.execute(sa.select(documents_table).where(documents_table.c.id == document_id))
        ).first()
        return _document(row) if row else None

    async def with_access(self, document_id: UUID) -> tuple[Document | None, ContractAccess | None]:
        """A document and its contract's access row, in one query (every read of a document needs both)."""
        row = (await self.session.execute(_WITH_ACCESS, {"document_id": document_id})).first()
        if row is None:
            return None, None
        access = None
        if row.access_contract_id is not None:
            access = ContractAccess(
                contract_id=row.access_contract_id,
                employer_siret=row.access_employer_siret,
                training_uai=row.access_training_uai,
                training_siret=row.access_training_siret,
                opco_code=row.access_opco_code,
                transmitted=row.access_transmitted,
                updated_at=row.access_updated_at,
                routed_opco_code=row.access_routed_opco_code,
                employer_may_see=row.access_employer_may_see,
                private_to=row.access_private_to,
                deleted=row.access_deleted,
            )
        return _document(row), access

    async def current_of(self, contract_id: UUID, document_type: str) -> Document | None:
        """The newest version of a type on a contract."""
        params = {"contract_id": contract_id, "document_type": document_type}
        row = (await self.session.execute(_CURRENT_OF, params)).first()
        return _document(row) if row else None

    async def of_contract(self, contract_id: UUID) -> list[Document]:
        t = documents_table
        rows = await self.session.execute(sa.select(t).where(t.c.contract_id == contract_id))
        return [_document(r) for r in rows]

    async def known_keys(self, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        t = documents_table
        rows = await self.session.execute(sa.select(t.c.object_key).where(t.c.object_key.in_(list(keys))))
        return {r.object_key for r in rows}

    async def stored_before(self, before: datetime, after_id: UUID | None, limit: int) -> list[tuple[UUID, str]]:
        """Stored rows (id, object key) in id order, a page at a time."""
        t = documents_table
        query = sa.select(t.c.id, t.c.object_key).where(
            t.c.status == str(DocumentStatus.STORED), t.c.uploaded_at < before
        )
        if after_id is not None:
            query = query.where(t.c.id > after_id)
        rows = await self.session.execute(query.order_by(t.c.id).limit(limit))
        return [(r.id, r.object_key) for r in rows]

    async def mark_missing(self, document_ids: Sequence[UUID]) -> int:
        if not document_ids:
            return 0
        t = documents_table
        result = await self.session.execute(
            sa.update(t)
            .where(t.c.id.in_(list(document_ids)), t.c.status == str(DocumentStatus.STORED))
            .values(status=str(DocumentStatus.MISSING))
        )
        return cast(CursorResult[Any], result).rowcount or 0


class SqlContractAccessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, contract_id: UUID, *, for_update: bool = False) -> ContractAccess | None:
        query = _ACCESS_FOR_UPDATE if for_update else _ACCESS
        row = (await self.session.execute(query, {"contract_id": contract_id})).first()
        if row is None:
            return None
        return ContractAccess(
            contract_id=row.contract_id,
            employer_siret=row.employer_siret,
            training_uai=row.training_uai,
            training_siret=row.training_siret,
            opco_code=row.opco_code,
            transmitted=row.transmitted,
            updated_at=row.updated_at,
            routed_opco_code=row.routed_opco_code,
            employer_may_see=row.employer_may_see,
            private_to=row.private_to,
            deleted=row.deleted,
            contract_version=row.contract_version,
        )

    async def apply(self, access: ContractAccess) -> None:
        """The parties of the newest contract version win (events of different topics may arrive out of order,
        and `occurred_at` never decides between versions); transmitted and deleted stay true."""
        t = contract_access_table
        stmt = insert(t).values(
            contract_id=access.contract_id,
            employer_siret=access.employer_siret,
            training_uai=access.training_uai,
            training_siret=access.training_siret,
            opco_code=access.opco_code,
            transmitted=access.transmitted,
            updated_at=access.updated_at,
            employer_may_see=access.employer_may_see,
            private_to=access.private_to,
            deleted=access.deleted,
            contract_version=access.contract_version,
        )
        incoming, stored = stmt.excluded.contract_version, t.c.contract_version
        newer = sa.or_(
            newer_revision(incoming, stored) & incoming.is_not(None),
            # Events of a producer older than the version rule: the clock is all there is, between them only.
            incoming.is_(None) & stored.is_(None) & (stmt.excluded.updated_at >= t.c.updated_at),
        )

        def newest(column: str) -> Any:
            return sa.case((newer, getattr(stmt.excluded, column)), else_=getattr(t.c, column))

        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.contract_id],
            set_={
                "employer_siret": newest("employer_siret"),
                "training_uai": newest("training_uai"),
                "training_siret": newest("training_siret"),
                "opco_code": newest("opco_code"),
                "employer_may_see": newest("employer_may_see"),
                "private_to": newest("private_to"),
                "transmitted": sa.or_(t.c.transmitted, stmt.excluded.transmitted),
                "deleted": sa.or_(t.c.deleted, stmt.excluded.deleted),
                "contract_version": sa.case((newer, incoming), else_=stored),
                "updated_at": sa.func.greatest(t.c.updated_at, stmt.excluded.updated_at),
            },
        )
        await self.session.execute(stmt)

    async def route(self, contract_id: UUID, opco_code: str, at: datetime) -> None:
        """The OPCO in charge, as opco-processing routed it; the contract counts as transmitted to it."""
        t = contract_access_table
        stmt = insert(t).values(
            contract_id=contract_id, routed_opco_code=opco_code, opco_code=opco_code, transmitted=True, updated_at=at
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.contract_id], set_={"routed_opco_code": opco_code, "transmitted": True}
        )
        await self.session.execute(stmt)
