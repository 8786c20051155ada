"""Cases and what goes with them, in PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from passerelle.opco_processing.domain.case import CaseStatus, ReviewCase, value_at

from .tables import barred_employers, cases, file_numbers, fired_deadlines, notes, opco_settings

TODO = (CaseStatus.RECEIVED, CaseStatus.IN_REVIEW, CaseStatus.READY)
DONE = (
    CaseStatus.ENGAGED,
    CaseStatus.REFUSED,
    CaseStatus.IMPLICITLY_REFUSED,
    CaseStatus.IMPLICITLY_ACCEPTED,
    CaseStatus.DEPOSITED,
)
TABS = ("a_traiter", "suivis", "en_anomalie", "traites", "expirant", "tous")


# The advisory lock classes of the background steps' claims (their first key; the case's id gives the second).
CLAIM_CLASSES = {"letters": 0x4C455454, "deposit": 0x4445504F}


@dataclass(frozen=True)
class QueueFilter:
    tab: str = "a_traiter"
    contract_type: str | None = None
    status: str | None = None
    assignee_id: UUID | None = None
    employer_siret: str | None = None
    training_siret: str | None = None
    idcc: str | None = None
    received_after: datetime | None = None
    received_before: datetime | None = None
    due_before: datetime | None = None
    sort: str = "deadline"
    limit: int = 50
    offset: int = 0


def _row(case: ReviewCase) -> dict[str, Any]:
    form = case.current_revision.form
    return {
        "id": case.id,
        "contract_id": case.contract_id,
        "opco_code": case.opco_code,
        "contract_type": case.contract_type,
        "status": case.status.value,
        "revision": case.revision,
        "assignee_id": case.assignee.id if case.assignee else None,
        "employer_siret": value_at(form, "employer.siret"),
        "training_siret": value_at(form, "training.organisation.siret"),
        "idcc": value_at(form, "employer.idcc"),
        "received_at": case.received_at,
        "updated_at": case.updated_at,
        "due_at": case.due_at(),
        "file_number": case.file_number,
        "letter_pending": bool(case.pending_letters),
        "data": case.model_dump(mode="json"),
    }


# The statements every case's steps run, built once, their values as parameters: SQLAlchemy built and keyed a new
# statement for every call (an UPDATE of 16 columns per step of every case), at more CPU than PostgreSQL spends
# running it (issue #17). An UPDATE's SET clause comes from the parameters' keys.
_BY_ID = sa.select(cases.c.data).where(cases.c.id == sa.bindparam("case_id"))
_BY_CONTRACT = sa.select(cases.c.data).where(cases.c.contract_id == sa.bindparam("contract_id"))
_READS = {
    ("id", False): _BY_ID,
    ("id", True): _BY_ID.with_for_update(),
    ("contract", False): _BY_CONTRACT,
    ("contract", True): _BY_CONTRACT.with_for_update(),
}
_INSERT = sa.insert(cases)
_SAVE = sa.update(cases).where(cases.c.id == sa.bindparam("b_case_id"))


def _waiting(where: Any) -> Any:
    """The oldest cases matching `where` that no other transaction holds. Read through a read-only unit of work,
    the locks last the statement only: they serve to pass over the cases another worker is writing."""
    return (
        sa.select(cases.c.data)
        .where(where)
        .order_by(cases.c.updated_at)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .with_for_update(skip_locked=True)
    )


_WAITING_CHECKS = _waiting(cases.c.status == CaseStatus.RECEIVED.value)
_WAITING_LETTERS = _waiting(cases.c.letter_pending.is_(True))


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: UUID, for_update: bool = False) -> ReviewCase | None:
        query = _READS["id", for_update]
        data = (await self.session.execute(query, {"case_id": case_id})).scalar_one_or_none()
        return ReviewCase.model_validate(data) if data is not None else None

    async def by_contract(self, contract_id: UUID, for_update: bool = False) -> ReviewCase | None:
        query = _READS["contract", for_update]
        data = (await self.session.execute(query, {"contract_id": contract_id})).scalar_one_or_none()
        return ReviewCase.model_validate(data) if data is not None else None

    async def get_many(self, case_ids: list[UUID], for_update: bool = False) -> list[ReviewCase]:
        """Several cases in one query (locked in id order when for update, so two workers never deadlock)."""
        if not case_ids:
            return []
        query = sa.select(cases.c.data).where(cases.c.id.in_(case_ids)).order_by(cases.c.id)
        if for_update:
            query = query.with_for_update()
        return [ReviewCase.model_validate(data) for data in (await self.session.execute(query)).scalars()]

    async def waiting(self, where: Any, limit: int) -> list[ReviewCase]:
        """The oldest cases matching `where` that no other worker holds, read in one query."""
        query = (
            sa.select(cases.c.data)
            .where(where)
            .order_by(cases.c.updated_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [ReviewCase.model_validate(data) for data in (await self.session.execute(query)).scalars()]

    async def add(self, case: ReviewCase) -> None:
        await self.session.execute(_INSERT, _row(case))

    async def save(self, case: ReviewCase) -> None:
        row = _row(case)
        row["b_case_id"] = row.pop("id")
        await self.session.execute(_SAVE, row)

    # --- work for the background steps (rows locked, others skip them) -------------------------------
    async def _ids(self, where: Any, limit: int, order: Any = None) -> list[UUID]:
        query = sa.select(cases.c.id).where(where).limit(limit).with_for_update(skip_locked=True)
        if order is not None:
            query = query.order_by(order)
        return list((await self.session.execute(query)).scalars())

    async def waiting_checks(self, limit: int) -> list[ReviewCase]:
        rows = await self.session.execute(_WAITING_CHECKS, {"limit": limit})
        return [ReviewCase.model_validate(data) for data in rows.scalars()]

    async def waiting_letters(self, limit: int) -> list[ReviewCase]:
        rows = await self.session.execute(_WAITING_LETTERS, {"limit": limit})
        return [ReviewCase.model_validate(data) for data in rows.scalars()]

    async def claim(self, step: str, case_id: UUID) -> bool:
        """Whether this transaction may do a background step's slow I/O for the case (render and store its
        letters, deposit it): a transaction-scoped advisory lock, so one worker at a time among every process
        and instance; False when another holds it. Rows stay writable meanwhile (a reviewer is never blocked)."""
        return case_id in await self.claim_many(step, [case_id])

    async def claim_many(self, step: str, case_ids: Sequence[UUID]) -> set[UUID]:
        """`claim` for a round's cases in one statement: the ids this transaction may work on."""
        if not case_ids:
            return set()
        keys = {case_id: int.from_bytes(case_id.bytes[:4], "big", signed=True) for case_id in case_ids}
        key = sa.column("key", sa.Integer)
        taken = sa.select(key).select_from(
            sa.func.unnest(sa.cast(sorted(set(keys.values())), ARRAY(sa.Integer))).alias("key")
        )
        query = taken.where(sa.func.pg_try_advisory_xact_lock(CLAIM_CLASSES[step], key))
        held = set((await self.session.execute(query)).scalars())
        return {case_id for case_id, k in keys.items() if k in held}

    async def to_check(self, limit: int) -> list[UUID]:
        return await self._ids(cases.c.status == CaseStatus.RECEIVED.value, limit, cases.c.updated_at)

    async def with_pending_letters(self, limit: int) -> list[UUID]:
        return await self._ids(cases.c.letter_pending.is_(True), limit, cases.c.updated_at)

    async def due_before(self, moment: datetime, limit: int) -> list[UUID]:
        return await self._ids(sa.and_(cases.c.due_at.is_not(None), cases.c.due_at <= moment), limit, cases.c.due_at)

    async def due_within(self, now: datetime, horizons_days: Sequence[int]) -> dict[int, int]:
        """How many running decision clocks end within each horizon (those already past it included)."""
        counts = [
            sa.func.count().filter(cases.c.due_at <= now + timedelta(days=days)).label(f"within_{days}")
            for days in horizons_days
        ]
        row = (await self.session.execute(sa.select(*counts).where(cases.c.due_at.is_not(None)))).one()
        return {days: int(row[i]) for i, days in enumerate(horizons_days)}

    async def fire(self, case_id: UUID, due_at: datetime, kind: str, now: datetime) -> bool:
        """Claims one deadline's effect: False when it was already acted upon (exactly once)."""
        result = await self.session.execute(
            insert(fired_deadlines)
            .values(case_id=case_id, due_at=due_at, kind=kind, fired_at=now)
            .on_conflict_do_nothing()
            .returning(fired_deadlines.c.case_id)
        )
        return result.first() is not None

    # --- numbering -----------------------------------------------------------------------------------
    async def next_file_number(self, opco_code: str, year: int) -> str:
        result = await self.session.execute(
            insert(file_numbers)
            .values(opco_code=opco_code, year=year, last=1)
            .on_conflict_do_update(index_elements=["opco_code", "year"], set_={"last": file_numbers.c.last + 1})
            .returning(file_numbers.c.last)
        )
        return f"{opco_code}-{year}-{result.scalar_one():06d}"

    # --- the queue -----------------------------------------------------------------------------------
    def _tab_clause(self, tab: str, me: UUID | None, now: datetime, horizon_days: int) -> Any:
        if tab == "a_traiter":
            return cases.c.status.in_([s.value for s in TODO])
        if tab == "suivis":
            return sa.and_(
                cases.c.assignee_id == me, cases.c.status.in_([s.value for s in (*TODO, CaseStatus.ANOMALY_PENDING)])
            )
        if tab == "en_anomalie":
            return cases.c.status == CaseStatus.ANOMALY_PENDING.value
        if tab == "traites":
            return cases.c.status.in_([s.value for s in DONE])
        if tab == "expirant":
            return sa.and_(cases.c.due_at.is_not(None), cases.c.due_at <= now + timedelta(days=horizon_days))
        return sa.true()

    async def queue(
        self, opco_code: str, f: QueueFilter, me: UUID | None, now: datetime, horizon_days: int
    ) -> tuple[list[ReviewCase], int, dict[str, int]]:
        where = [cases.c.opco_code == opco_code]
        if f.contract_type:
            where.append(cases.c.contract_type == f.contract_type)
        if f.status:
            where.append(cases.c.status == f.status)
        if f.assignee_id:
            where.append(cases.c.assignee_id == f.assignee_id)
        if f.employer_siret:
            where.append(cases.c.employer_siret == f.employer_siret)
        if f.training_siret:
            where.append(cases.c.training_siret == f.training_siret)
        if f.idcc:
            where.append(cases.c.idcc == f.idcc)
        if f.received_after:
            where.append(cases.c.received_at >= f.received_after)
        if f.received_before:
            where.append(cases.c.received_at <= f.received_before)
        if f.due_before:
            where.append(cases.c.due_at <= f.due_before)
        base = sa.and_(*where)
        counts_query = sa.select(
            *[sa.func.count().filter(self._tab_clause(tab, me, now, horizon_days)).label(tab) for tab in TABS]
        ).where(base)
        counts = dict((await self.session.execute(counts_query)).one()._mapping)
        order = {
            "deadline": [cases.c.due_at.asc().nulls_last(), cases.c.received_at.asc()],
            "-deadline": [cases.c.due_at.desc().nulls_last(), cases.c.received_at.asc()],
            "received": [cases.c.received_at.asc()],
            "-received": [cases.c.received_at.desc()],
        }.get(f.sort, [cases.c.due_at.asc().nulls_last()])
        query = (
            sa.select(cases.c.data)
            .where(base, self._tab_clause(f.tab, me, now, horizon_days))
            .order_by(*order, cases.c.id)
            .limit(f.limit)
            .offset(f.offset)
        )
        rows = [ReviewCase.model_validate(d) for d in (await self.session.execute(query)).scalars()]
        return rows, counts.get(f.tab, 0), counts

    async def workload(self, opco_code: str, now: datetime, horizon_days: int) -> list[dict[str, Any]]:
        open_statuses = [s.value for s in (*TODO, CaseStatus.ANOMALY_PENDING)]
        query = (
            sa.select(
                cases.c.assignee_id,
                sa.func.count().label("open"),
                sa.func.count().filter(cases.c.due_at <= now + timedelta(days=horizon_days)).label("expiring"),
                sa.func.max(cases.c.data["assignee"]["name"].astext).label("name"),
            )
            .where(cases.c.opco_code == opco_code, cases.c.status.in_(open_statuses))
            .group_by(cases.c.assignee_id)
        )
        return [
            {
                "assignee": {"id": r.assignee_id, "name": r.name} if r.assignee_id else None,
                "open": r.open,
                "expiring": r.expiring,
            }
            for r in await self.session.execute(query)
        ]

    # --- notes ---------------------------------------------------------------------------------------
    async def add_note(self, case_id: UUID, at: datetime, author_id: UUID, author_name: str, text: str) -> UUID:
        note_id = uuid4()
        await self.session.execute(
            sa.insert(notes).values(
                id=note_id, case_id=case_id, at=at, author_id=author_id, author_name=author_name, text=text
            )
        )
        return note_id

    async def notes(self, case_id: UUID) -> list[dict[str, Any]]:
        query = sa.select(notes).where(notes.c.case_id == case_id).order_by(notes.c.at)
        return [dict(r._mapping) for r in await self.session.execute(query)]

    # --- barred employers ----------------------------------------------------------------------------
    async def is_barred(self, opco_code: str, siret: str | None, on: date) -> bool:
        return bool(siret) and siret in await self.barred_among([siret or ""], on)

    async def barred_among(self, sirets: Sequence[str], on: date) -> set[str]:
        """Which of these employers' SIRETs are barred on `on` (by their SIRET or their SIREN), in one query.

        The interdiction is the prefect's (L6225-1): it holds whichever OPCO recorded it."""
        wanted = sorted({s for s in sirets if s})
        if not wanted:
            return set()
        query = sa.select(barred_employers.c.siret, barred_employers.c.siren).where(
            sa.or_(barred_employers.c.siret.in_(wanted), barred_employers.c.siren.in_({s[:9] for s in wanted})),
            sa.or_(barred_employers.c.until.is_(None), barred_employers.c.until >= on),
        )
        rows = (await self.session.execute(query)).all()
        by_siret = {r.siret for r in rows if r.siret}
        by_siren = {r.siren for r in rows if r.siren}
        return {s for s in wanted if s in by_siret or s[:9] in by_siren}

    async def barred(self, opco_code: str) -> list[dict[str, Any]]:
        query = (
            sa.select(barred_employers)
            .where(barred_employers.c.opco_code == opco_code)
            .order_by(barred_employers.c.created_at)
        )
        return [dict(r._mapping) for r in await self.session.execute(query)]

    async def add_barred(self, row: dict[str, Any]) -> None:
        await self.session.execute(sa.insert(barred_employers).values(**row))

    async def remove_barred(self, opco_code: str, barred_id: UUID) -> bool:
        result = await self.session.execute(
            sa.delete(barred_employers).where(
                barred_employers.c.id == barred_id, barred_employers.c.opco_code == opco_code
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # --- settings ------------------------------------------------------------------------------------
    async def settings(self, opco_code: str) -> dict[str, Any] | None:
        query = sa.select(opco_settings.c.data).where(opco_settings.c.opco_code == opco_code)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def put_settings(self, opco_code: str, data: dict[str, Any], now: datetime) -> None:
        await self.session.execute(
            insert(opco_settings)
            .values(opco_code=opco_code, data=data, updated_at=now)
            .on_conflict_do_update(index_elements=["opco_code"], set_={"data": data, "updated_at": now})
        )
