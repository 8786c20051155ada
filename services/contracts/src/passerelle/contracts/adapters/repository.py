"""The contracts repository on PostgreSQL: loads and saves `ContractRecord`s in the unit of work's session."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from passerelle.contracts.domain.codes import ContractStatus, ContractType
from passerelle.contracts.domain.contract import Contract
from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.service_layer.errors import ConcurrentModification
from passerelle.contracts.service_layer.records import (
    AttachedDocument,
    Colleague,
    ContractRecord,
    ContractSummary,
    DashboardPage,
    DashboardQuery,
    HistoryEntry,
    Side,
)

from .orm import (
    contract_document_table,
    contract_history_table,
    contract_table,
    member_table,
    verified_organisation_table,
)

c = contract_table.c


def _search_text(record: ContractRecord) -> str:
    employee = record.contract.form.employee
    # The identifiers first, the longest names last: the dashboard searches the text's first
    # SEARCH_HEAD_CHARACTERS (500), which the bounded fields (200 + 3 × 100 characters of names) hardly pass.
    words = [
        record.employer_siret,
        record.training_uai,
        record.contract.opco_file_number,
        str(record.id),
        employee.first_name,
        employee.birth_name,
        employee.usage_name,
        record.employer_name,
    ]
    return " ".join(w for w in words if w).casefold()


def _columns(record: ContractRecord) -> dict[str, Any]:
    contract = record.contract
    siret = contract.employer_siret
    return {
        "contract_type": contract.type.value,
        "status": contract.status.value,
        "revision": contract.revision,
        "transmitted_revision": contract.transmitted_revision,
        "amendment_number": contract.amendment_number,
        "owner_id": contract.owner_id,
        "in_charge": {side.value: account for side, account in record.in_charge.items()},
        "created_by_side": record.created_by_side.value,
        "visible_to_employer": record.visible_to_employer,
        "employer_siret": siret,
        "employer_siren": siret[:9] if siret else None,
        "training_uai": contract.training_uai,
        "training_siret": contract.training_siret,
        "opco_code": record.opco_code,
        "employer_name": record.employer_name,
        "employee_name": record.employee_name,
        "search_text": _search_text(record),
        "form": contract.form.model_dump(mode="json", exclude_none=True),
        "anomalies": record.anomalies,
        "anomaly_letter_document_id": record.anomaly_letter_document_id,
        "agreement_letter_document_id": record.agreement_letter_document_id,
        "opco_file_number": contract.opco_file_number,
        "refusal_reason": record.refusal_reason,
        "proposed_to_email": record.proposed_to_email,
        "status_before_archive": contract.status_before_archive.value if contract.status_before_archive else None,
        "archived": contract.status == ContractStatus.ARCHIVED,
        "updated_at": record.updated_at,
        "transmitted_at": record.transmitted_at,
        "start_date": contract.form.contract.start_date,
        "private_to": record.private_to,
        "private_organisation_id": record.private_organisation_id,
    }


# A contract's row rewritten if it is still at the version it was read at (its SET clause: the parameters' keys).
_UPDATE_EXPECTED_VERSION = sa.update(contract_table).where(
    c.id == sa.bindparam("b_id"), c.version == sa.bindparam("b_expected")
)

_SORTABLE = {
    "updated_at": c.updated_at,
    "created_at": c.created_at,
    "start_date": c.start_date,
    "transmitted_at": c.transmitted_at,
    "employee_name": c.employee_name,
}

# The count stops there: past it the dashboard says « plus de 10 000 » rather than reading a large training
# organisation's every contract to count them on each page.
COUNT_CAP = 10_000
# Up to this many establishments (or UAIs) of one kind, each is searched on its own, in the index's order;
# beyond, they are searched together and sorted.
ORDERED_SCANS_MAX = 8
# Up to this many contracts found, the page is fetched whole and sorted rather than read in an index's order.
FEW = 500
_SUMMARY_COLUMNS = (
    "id",
    "contract_type",
    "status",
    "revision",
    "employer_siret",
    "employer_name",
    "employee_name",
    "training_uai",
    "training_siret",
    "opco_code",
    "opco_file_number",
    "owner_id",
    "archived",
    "created_at",
    "updated_at",
    "start_date",
    "transmitted_at",
    "in_charge",
)


def _ordering(sort: str, columns: Any = c, *, without_nulls: bool = False) -> list[Any]:
    """The dashboard's order: the column asked for (contracts without a value last), then the id, so pages
    never overlap. `columns` are the table's or a subquery's; `without_nulls` when the search excludes rows
    without a value in that column.

    The order is written as the indexes store it, so PostgreSQL reads them in order and stops after a page:
    NULLS LAST is left out where no null can appear (a column declared NOT NULL, or one filtered on)."""
    name = sort.removeprefix("-")
    column = columns[name]
    descending = sort.startswith("-")
    first = column.desc() if descending else column.asc()
    if descending and not without_nulls and _SORTABLE[name].nullable:
        first = first.nulls_last()
    return [first, columns["id"]]


def _reach(query: DashboardQuery) -> list[tuple[Any, bool]]:
    """Each way the person reaches contracts, as its own condition (an establishment, a UAI...), so each is
    answered by its own index instead of one OR that no index answers in order; with whether its index covers
    the search (an establishment's, a UAI's, a training SIRET's: 0008)."""

    def each(column: Any, values: frozenset[str]) -> list[Any]:
        ordered = sorted(values)
        if len(ordered) <= ORDERED_SCANS_MAX:
            return [column == value for value in ordered]
        return [column.in_(ordered)]

    reach: list[Any] = []
    reach += [sa.and_(cond, c.visible_to_employer) for cond in each(c.employer_siret, query.employer_sirets)]
    reach += each(c.training_uai, query.training_uais)
    reach += [
        sa.and_(way, *outside) for way in each(c.training_siret, query.training_sirets) for outside in _ranges(query)
    ]
    covering = len(reach)  # the ways above have their covering index
    if query.proposals_to_email:
        reach.append(
            sa.and_(
                c.status == ContractStatus.PROPOSED.value,
                c.employer_siret.is_(None),
                sa.func.lower(c.proposed_to_email) == query.proposals_to_email,
            )
        )
    if query.opco_codes:
        reach.append(sa.and_(c.opco_code.in_(sorted(query.opco_codes)), c.transmitted_revision > 0))
    # Private drafts reach their creator only (libs.access), never through an identifier.
    ways = [(sa.and_(way, c.private_to.is_(None)), i < covering) for i, way in enumerate(reach)]
    if query.private_to is not None and query.private_organisations:
        ways.append(
            (
                sa.and_(
                    c.private_to == query.private_to,
                    c.private_organisation_id.in_(sorted(query.private_organisations, key=str)),
                ),
                False,
            )
        )
    return ways


def _filters(query: DashboardQuery) -> list[Any]:
    """The dashboard's filters, on columns the ways' indexes carry (0008), so the search reads only the index."""
    conditions = [c.status != ContractStatus.DELETED.value]
    if query.status:
        conditions.append(c.status == query.status)
    elif not query.include_archived:
        conditions.append(sa.not_(c.archived))
    if query.contract_type:
        conditions.append(c.contract_type == query.contract_type)
    if query.siret:
        conditions.append(sa.or_(c.employer_siret == query.siret, c.training_siret == query.siret))
    for column, lowest, beyond in (
        (c.created_at, query.created_since, query.created_before),
        (c.transmitted_at, query.transmitted_since, query.transmitted_before),
    ):
        if lowest is not None:
            conditions.append(column >= lowest)
        if beyond is not None:
            conditions.append(column < beyond)
    if query.start_from is not None:
        conditions.append(c.start_date >= query.start_from)
    if query.start_to is not None:
        conditions.append(c.start_date <= query.start_to)
    if query.in_charge:
        conditions.append(sa.or_(c.employer_in_charge == query.in_charge, c.training_in_charge == query.in_charge))
    return conditions


def _text(query: DashboardQuery, covered: bool) -> list[Any]:
    """The words searched, within the text's head (SEARCH_HEAD_CHARACTERS: the text is built from the form's
    bounded fields, the identifying words first). On a way whose index covers the search, a plain substring test
    read from the index rows; on the others (an OPCO's), LIKE, which the trigrams answer. (Were LIKE written on
    both, the planner would take the trigrams within a CFA too, reading the word's matches in the whole table.)"""
    conditions = []
    for word in (query.text or "").casefold().split():
        if covered:
            conditions.append(sa.func.strpos(c.search_head, word) > 0)
        else:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(c.search_head.like(f"%{escaped}%", escape="\\"))
    return conditions


def _ranges(query: DashboardQuery) -> list[list[Any]]:
    """A training SIRET's contracts outside its organisation's UAIs (reached by the UAI's way already), as ranges
    of the index (training SIRET, UAI): a CFA whose contracts all carry its UAI and its SIRET finds none there by
    reading none, rather than all of them to leave them out."""
    uais = sorted(query.training_uais)
    if not uais or len(uais) > ORDERED_SCANS_MAX:
        return [[]]  # the way as it is (the earlier ways are left out by the search's own conditions)
    bounds = [[c.training_uai < uais[0]]]
    bounds += [[c.training_uai > low, c.training_uai < high] for low, high in itertools.pairwise(uais)]
    bounds += [[c.training_uai > uais[-1]]]
    return [[c.training_uai.is_(None)], *bounds]


def _record(row: Any) -> ContractRecord:
    contract = Contract(
        id=row.id,
        contract_type=ContractType(row.contract_type),
        form=ContractForm.model_validate(row.form),
        owner_id=row.owner_id,
        status=ContractStatus(row.status),
        revision=row.revision,
        transmitted_revision=row.transmitted_revision,
        amendment_number=row.amendment_number,
        opco_file_number=row.opco_file_number,
        status_before_archive=ContractStatus(row.status_before_archive) if row.status_before_archive else None,
        version=row.version,
    )
    return ContractRecord(
        contract=contract,
        created_by_side=Side(row.created_by_side),
        opco_code=row.opco_code,
        visible_to_employer=row.visible_to_employer,
        in_charge={Side(side): account for side, account in (row.in_charge or {}).items()},
        anomalies=list(row.anomalies or []),
        anomaly_letter_document_id=row.anomaly_letter_document_id,
        agreement_letter_document_id=row.agreement_letter_document_id,
        refusal_reason=row.refusal_reason,
        proposed_to_email=row.proposed_to_email,
        created_at=row.created_at,
        updated_at=row.updated_at,
        transmitted_at=row.transmitted_at,
        private_to=row.private_to,
        private_organisation_id=row.private_organisation_id,
    )


# The statements of every contract's flow (its read, its insert, its documents, their upsert, its history), built
# once: SQLAlchemy built and keyed a new statement for every call, the contract's 35 columns each time.
_GET = sa.select(contract_table).where(c.id == sa.bindparam("contract_id"))
_GET_FOR_UPDATE = _GET.with_for_update()
_INSERT = sa.insert(contract_table)
_DOCUMENTS = (
    sa.select(contract_document_table)
    .where(contract_document_table.c.contract_id == sa.bindparam("contract_id"))
    .order_by(contract_document_table.c.document_type)
)
_HISTORY = (
    sa.select(
        contract_history_table.c.contract_id,
        contract_history_table.c.at,
        contract_history_table.c.actor_id,
        contract_history_table.c.action,
        contract_history_table.c.revision,
        contract_history_table.c.details,
    )
    .where(contract_history_table.c.contract_id == sa.bindparam("contract_id"))
    .order_by(contract_history_table.c.id)
)


def _record_document_statement() -> Any:
    """The upsert of a contract's document line (its VALUES: the parameters' keys)."""
    d = contract_document_table.c
    stmt = insert(contract_document_table)
    return stmt.on_conflict_do_update(
        index_elements=[d.contract_id, d.document_type],
        set_={k: stmt.excluded[k] for k in ("document_id", "version", "sha256", "filename", "uploaded_at")},
        # An older version arriving late never replaces a newer one.
        where=contract_document_table.c.version < stmt.excluded.version,
    ).returning(d.contract_id)


_RECORD_DOCUMENT = _record_document_statement()


class SqlContractRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, contract_id: UUID, *, for_update: bool = False) -> ContractRecord | None:
        query = _GET_FOR_UPDATE if for_update else _GET
        row = (await self.session.execute(query, {"contract_id": contract_id})).first()
        return _record(row) if row is not None else None

    async def add(self, record: ContractRecord) -> None:
        record.contract.version = 1
        await self.session.execute(
            _INSERT, {"id": record.id, "version": 1, "created_at": record.created_at, **_columns(record)}
        )

    async def add_many(self, records: list[ContractRecord]) -> None:
        for record in records:
            record.contract.version = 1
        await self.session.execute(
            _INSERT, [{"id": r.id, "version": 1, "created_at": r.created_at, **_columns(r)} for r in records]
        )

    async def update(self, record: ContractRecord) -> None:
        expected = record.contract.version
        # The columns as parameters of one statement built once: `.values(**columns)` built and keyed a new
        # statement of 35 columns for every write (1.5 ms of CPU, more than PostgreSQL spends on the UPDATE).
        result = await self.session.execute(
            _UPDATE_EXPECTED_VERSION,
            {"b_id": record.id, "b_expected": expected, "version": expected + 1, **_columns(record)},
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentModification()
        record.contract.version = expected + 1

    async def search(self, query: DashboardQuery) -> DashboardPage:
        reach = _reach(query)
        if not reach:
            return DashboardPage(items=[], total=0)
        conditions = _filters(query)
        sort_name = query.sort.removeprefix("-")
        filtered = {
            "start_date": query.start_from is not None or query.start_to is not None,
            "transmitted_at": query.transmitted_since is not None or query.transmitted_before is not None,
        }.get(sort_name, False)
        # The ways in are made disjoint (each leaves out what an earlier one found), so their pages are simply
        # put together and their counts added, with no duplicate to remove.
        parts = [
            sa.and_(
                way,
                *[sa.not_(sa.func.coalesce(earlier, sa.false())) for earlier, _ in reach[:i]],
                *conditions,
                *_text(query, covered),
            )
            for i, (way, covered) in enumerate(reach)
        ]
        offset = (query.page - 1) * query.page_size
        sort_column = _SORTABLE[sort_name]
        # The few first: each way's first FEW + 1 matching ids with their value of the order, read from the ways'
        # covering indexes. When they are all (few contracts found: a text, a short period), they are the count
        # and the page is chosen among them, with nothing more read than its rows.
        first = sa.union_all(
            *[sa.select(c.id, sort_column.label("value")).where(part).limit(FEW + 1) for part in parts]
        )
        few = (await self.session.execute(first)).all()
        if len(few) <= FEW:
            if len(few) <= offset:
                return DashboardPage(items=[], total=len(few))  # nothing found, or past the last page
            ids = self._page_among(query, list(few), sort_column, filtered, offset)
            total, exact = len(few), True
        else:
            # Many: the count per way, from the same indexes (a constant is selected), stopped at the cap. It tells
            # which ways find nothing, left out of the page's query.
            one: Any = sa.literal_column("1").label("one")
            counts = sa.union_all(
                *[
                    sa.select(sa.literal(i).label("way"), sa.func.count().label("found")).select_from(
                        sa.select(one).where(part).limit(COUNT_CAP + 1).subquery()
                    )
                    for i, part in enumerate(parts)
                ]
            )
            found = {way: number for way, number in (await self.session.execute(counts)).all()}
            live = [part for i, part in enumerate(parts) if found.get(i)]
            total = sum(found.values())
            exact = total <= COUNT_CAP
            total = min(total, COUNT_CAP)
            if exact and total <= offset:
                return DashboardPage(items=[], total=total)  # past the last page
            ids = self._ordered_ids(query, live, sort_name, filtered, offset)
        # Only the page's rows are read from the table, by id.
        page_ids = ids.subquery("page_ids")
        columns = [c[name] for name in _SUMMARY_COLUMNS] + [c.private_to.is_not(None).label("private")]
        page = (
            sa.select(*columns)
            .join_from(contract_table, page_ids, c.id == page_ids.c.id)
            .order_by(*_ordering(query.sort, without_nulls=filtered))
        )
        rows = await self.session.execute(page)
        return DashboardPage(items=[ContractSummary(**row._mapping) for row in rows], total=total, total_exact=exact)

    @staticmethod
    def _page_among(query: DashboardQuery, few: list[Any], sort_column: Any, filtered: bool, offset: int) -> Any:
        """The page's ids among the few found (id, value of the order), sorted by the database (its collation
        orders the names) from the values already read."""
        found = (
            sa.func.unnest(
                sa.bindparam("ids", [row.id for row in few], type_=ARRAY(PG_UUID(as_uuid=True))),
                sa.bindparam("values", [row.value for row in few], type_=ARRAY(sort_column.type)),
            )
            .table_valued("id", sort_column.name)
            .render_derived(name="found")
        )
        return (
            sa.select(found.c.id)
            .order_by(*_ordering(query.sort, found.c, without_nulls=filtered))
            .limit(query.page_size)
            .offset(offset)
        )

    @staticmethod
    def _ordered_ids(query: DashboardQuery, parts: list[Any], sort_name: str, filtered: bool, offset: int) -> Any:
        """The page's ids: each way's first ones in its index's order, then the page among them.

        A descending order on a column that may be empty puts the empty ones last, which no index stores: each
        way is then read in two pieces, the dated contracts in the index's order and the undated ones by id (the
        indexes of such an order carry the id after the date, so both pieces are read in order)."""
        sort_column = _SORTABLE[sort_name]
        split = query.sort.startswith("-") and bool(sort_column.nullable) and not filtered
        pieces: list[tuple[Any, list[Any]]] = []
        for part in parts:
            if split:
                pieces.append((sa.and_(part, sort_column.is_not(None)), _ordering(query.sort, without_nulls=True)))
                # All empty: by id, written as the order's index stores it (the date, then the id) so that
                # PostgreSQL reads that index in order (an IS NULL condition does not tell it the date is fixed).
                pieces.append((sa.and_(part, sort_column.is_(None)), [sort_column.desc(), c.id]))
            else:
                pieces.append((part, _ordering(query.sort, without_nulls=filtered)))
        if len(pieces) == 1:
            [(where, order)] = pieces
            return sa.select(c.id).where(where).order_by(*order).limit(query.page_size).offset(offset)
        ways = sa.union_all(
            *[
                sa.select(c.id, sort_column).where(where).order_by(*order).limit(offset + query.page_size)
                for where, order in pieces
            ]
        ).subquery("ways")
        return (
            sa.select(ways.c.id)
            .order_by(*_ordering(query.sort, ways.c, without_nulls=filtered))
            .limit(query.page_size)
            .offset(offset)
        )

    async def add_history(self, entries: list[HistoryEntry]) -> None:
        if entries:
            await self.session.execute(
                sa.insert(contract_history_table),
                [
                    {
                        "contract_id": e.contract_id,
                        "at": e.at,
                        "actor_id": e.actor_id,
                        "action": e.action,
                        "revision": e.revision,
                        "details": e.details,
                    }
                    for e in entries
                ],
            )

    async def history(self, contract_id: UUID) -> list[HistoryEntry]:
        rows = await self.session.execute(_HISTORY, {"contract_id": contract_id})
        return [HistoryEntry(**row._mapping) for row in rows]

    async def documents(self, contract_id: UUID) -> list[AttachedDocument]:
        rows = await self.session.execute(_DOCUMENTS, {"contract_id": contract_id})
        return [AttachedDocument(**row._mapping) for row in rows]

    async def record_document(self, document: AttachedDocument) -> bool:
        values = {
            "contract_id": document.contract_id,
            "document_type": document.document_type,
            "document_id": document.document_id,
            "version": document.version,
            "sha256": document.sha256,
            "filename": document.filename,
            "uploaded_at": document.uploaded_at,
        }
        return (await self.session.execute(_RECORD_DOCUMENT, values)).first() is not None

    async def add_member(self, member: Colleague) -> None:
        m = member_table.c
        stmt = insert(member_table).values(
            organisation_id=member.organisation_id,
            account_id=member.account_id,
            organisation_kind=member.organisation_kind,
            siret=member.siret,
            uai=member.uai,
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[m.organisation_id, m.account_id],
                set_={
                    "organisation_kind": stmt.excluded.organisation_kind,
                    "siret": stmt.excluded.siret,
                    "uai": stmt.excluded.uai,
                },
            )
        )

    async def remove_member(self, organisation_id: UUID, account_id: UUID) -> None:
        m = member_table.c
        await self.session.execute(
            sa.delete(member_table).where(m.organisation_id == organisation_id, m.account_id == account_id)
        )

    async def memberships_of(self, account_id: UUID) -> list[Colleague]:
        m = member_table.c
        rows = await self.session.execute(sa.select(member_table).where(m.account_id == account_id))
        return [Colleague(**row._mapping) for row in rows]

    async def private_drafts_of(self, organisation_id: UUID) -> list[ContractRecord]:
        rows = await self.session.execute(
            sa.select(contract_table)
            .where(c.private_organisation_id == organisation_id)
            .order_by(c.id)
            .with_for_update()
        )
        return [_record(row) for row in rows]

    async def record_verified_organisation(self, organisation_id: UUID, at: datetime) -> None:
        await self.session.execute(
            insert(verified_organisation_table)
            .values(organisation_id=organisation_id, verified_at=at)
            .on_conflict_do_nothing(index_elements=["organisation_id"])
        )

    async def organisation_verified(self, organisation_id: UUID) -> bool:
        v = verified_organisation_table.c
        found = await self.session.execute(sa.select(v.organisation_id).where(v.organisation_id == organisation_id))
        return found.first() is not None
