"""SQL access of the notifier (SQLAlchemy Core on the unit of work's session)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from passerelle.libs.access import Side
from passerelle.notifier.adapters import tables as t
from passerelle.notifier.domain.delivery import DeliveryStatus, attempt_started, in_doubt
from passerelle.notifier.domain.feed import FeedMarks
from passerelle.notifier.domain.preferences import ChannelChoice, EmailMode, WebMode

FEED_CHANNEL = "notifier_feed"
MAIL_CHANNEL = "notifier_mail"


class Parties:
    """A contract's organisations, as the projections hold them."""

    def __init__(self, employer_siret: str | None, training_uai: str | None, training_siret: str | None) -> None:
        self.employer_siret = employer_siret
        self.training_uai = training_uai
        self.training_siret = training_siret

    def params(self) -> dict[str, str | None]:
        """The values of `side_clause`'s and `follow_targets`' parameters (an identifier missing is None)."""
        return {
            "employer_siret": self.employer_siret or None,
            "training_uai": self.training_uai or None,
            "training_siret": self.training_siret or None,
        }

    # The clauses name the parties as parameters, so each has one shape whatever the contract and the statements
    # that use them are built once: an identifier missing is NULL, and `column = NULL` is never true.
    @staticmethod
    def side_clause(side: Side) -> sa.ColumnElement[bool]:
        """A membership of the side's organisation (the employer's SIRET; the training organisation's UAI or SIRET)."""
        m = t.memberships.c
        if side is Side.EMPLOYER:
            return sa.and_(m.kind == "employer", m.siret == sa.bindparam("employer_siret", type_=m.siret.type))
        return sa.and_(
            m.kind == "training",
            sa.or_(
                m.uai == sa.bindparam("training_uai", type_=m.uai.type),
                m.siret == sa.bindparam("training_siret", type_=m.siret.type),
            ),
        )

    @staticmethod
    def follow_targets(side: Side) -> sa.ColumnElement[bool]:
        """A follow of the contract (`contract_id`) or of one of the side's establishments."""
        f = t.follows.c
        targets = [sa.and_(f.target_kind == "contract", f.target == sa.bindparam("contract_id", type_=f.target.type))]
        names = ["siret"] if side is Side.EMPLOYER else ["uai", "siret"]
        targets += [
            sa.and_(f.target_kind == kind, f.target == sa.bindparam(f"{side.value}_{kind}", type_=f.target.type))
            for kind in names
        ]
        return sa.or_(*targets)


# The directory's reads run for every event: each statement is built once, its values as parameters (building
# them again for each event cost more CPU than PostgreSQL spent running them).
@functools.cache
def _people() -> sa.Select[Any]:
    c = t.accounts.c
    return sa.select(c.account_id, c.email, c.full_name).where(
        c.account_id.in_(sa.bindparam("ids", expanding=True)), c.active
    )


@functools.cache
def _organisation_name_by(column: str) -> sa.Select[Any]:
    c = t.organisations.c
    return sa.select(c.name).where(getattr(c, column) == sa.bindparam("value")).limit(1)


@functools.cache
def _sides_of() -> sa.Select[Any]:
    m = t.memberships.c
    return (
        sa.select(m.kind)
        .where(
            m.account_id == sa.bindparam("account_id"),
            m.active,
            sa.or_(Parties.side_clause(Side.EMPLOYER), Parties.side_clause(Side.TRAINING)),
        )
        .distinct()
    )


@functools.cache
def _side_admins(side: Side) -> sa.Select[Any]:
    m = t.memberships.c
    return (
        sa.select(m.account_id)
        .where(m.active, m.role == "admin", Parties.side_clause(side))
        .distinct()
        .order_by(m.account_id)
    )


@functools.cache
def _followers(sides: tuple[Side, ...]) -> sa.CompoundSelect:
    m, f = t.memberships.c, t.follows.c
    selects = [
        sa.select(sa.literal(side.value).label("side"), f.account_id)
        .join(t.memberships, m.account_id == f.account_id)
        .where(Parties.follow_targets(side), m.active, Parties.side_clause(side))
        for side in sides
    ]
    return sa.union(*selects).order_by("side", "account_id")


@functools.cache
def _contract(lock: bool) -> sa.Select[Any]:
    stmt = sa.select(t.contracts).where(t.contracts.c.contract_id == sa.bindparam("contract_id"))
    return stmt.with_for_update() if lock else stmt


@functools.cache
def _preferences_for_kind() -> sa.Select[Any]:
    c = t.preferences.c
    return sa.select(c.account_id, c.web, c.email).where(
        c.kind == sa.bindparam("kind"), c.account_id.in_(sa.bindparam("ids", expanding=True))
    )


class Directory:
    """The projections of identity's and contracts' events: people, organisations, memberships, contracts.

    Organisation names are remembered for the unit of work (a batch of events often names the same ones), and so
    is each contract's row once this transaction holds its lock (read `FOR UPDATE` or written): nobody else can
    change it until the commit, and every write here returns the row as written. An event's projection and its
    recipients then read the row once, not twice.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self._names: dict[tuple[Any, ...], str | None] = {}
        self._held: dict[UUID, sa.Row[Any] | None] = {}  # contracts locked by this transaction, as they now are

    # --- accounts ------------------------------------------------------------------------------------------
    async def upsert_account(self, account_id: UUID, email: str, full_name: str | None = None) -> None:
        values: dict[str, Any] = {"account_id": account_id, "email": email}
        if full_name is not None:
            values["full_name"] = full_name
        stmt = insert(t.accounts).values(**values)
        await self.s.execute(stmt.on_conflict_do_update(index_elements=["account_id"], set_=values))

    async def disable_account(self, account_id: UUID) -> None:
        await self.s.execute(sa.update(t.accounts).where(t.accounts.c.account_id == account_id).values(active=False))

    async def account_by_email(self, email: str) -> UUID | None:
        c = t.accounts.c
        stmt = sa.select(c.account_id).where(sa.func.lower(c.email) == email.lower(), c.active).limit(1)
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def people(self, ids: Iterable[UUID]) -> dict[UUID, tuple[str, str]]:
        """E-mail address and name of active accounts."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = await self.s.execute(_people(), {"ids": wanted})
        return {r.account_id: (r.email, r.full_name) for r in rows}

    # --- organisations and memberships ---------------------------------------------------------------------
    async def upsert_organisation(self, values: dict[str, Any]) -> None:
        self._names.clear()
        stmt = insert(t.organisations).values(**values)
        await self.s.execute(stmt.on_conflict_do_update(index_elements=["organisation_id"], set_=values))

    async def organisation_name(
        self, organisation_id: UUID | None = None, siret: str | None = None, uai: str | None = None
    ) -> str | None:
        key = (organisation_id, siret, uai)
        if key not in self._names:
            self._names[key] = await self._organisation_name(organisation_id, siret, uai)
        return self._names[key]

    async def _organisation_name(self, organisation_id: UUID | None, siret: str | None, uai: str | None) -> str | None:
        value: UUID | str
        if organisation_id is not None:
            by, value = "organisation_id", organisation_id
        elif siret:
            by, value = "siret", siret
        elif uai:
            by, value = "uai", uai
        else:
            return None
        return (await self.s.execute(_organisation_name_by(by), {"value": value})).scalar_one_or_none()

    async def upsert_membership(self, values: dict[str, Any]) -> None:
        stmt = insert(t.memberships).values(**values, active=True)
        await self.s.execute(
            stmt.on_conflict_do_update(index_elements=["membership_id"], set_={**values, "active": True})
        )

    async def change_role(self, membership_id: UUID, role: str) -> bool:
        """False when the membership is not known yet."""
        c = t.memberships.c
        result = await self.s.execute(
            sa.update(t.memberships).where(c.membership_id == membership_id).values(role=role)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def revoke_membership(self, membership_id: UUID) -> bool:
        """False when the membership is not known yet."""
        c = t.memberships.c
        result = await self.s.execute(
            sa.update(t.memberships).where(c.membership_id == membership_id).values(active=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def is_member_of(self, account_id: UUID, parties: Parties, side: Side) -> bool:
        return side in await self._sides_of(account_id, parties)

    async def side_of(self, account_id: UUID, parties: Parties) -> Side | None:
        """The side the account is a member of (the employer's first, if both)."""
        sides = await self._sides_of(account_id, parties)
        return next((side for side in (Side.EMPLOYER, Side.TRAINING) if side in sides), None)

    async def _sides_of(self, account_id: UUID, parties: Parties) -> set[Side]:
        rows = await self.s.execute(_sides_of(), {"account_id": account_id, **parties.params()})
        return {Side(kind) for kind in rows.scalars()}

    async def side_admins(self, parties: Parties, side: Side) -> list[UUID]:
        return list((await self.s.execute(_side_admins(side), parties.params())).scalars())

    async def side_followers(self, parties: Parties, side: Side, contract_id: UUID) -> list[UUID]:
        """Members of the side who follow this contract or their establishment's activity."""
        return (await self.followers(parties, [side], contract_id)).get(side, [])

    async def followers(self, parties: Parties, sides: Sequence[Side], contract_id: UUID) -> dict[Side, list[UUID]]:
        """`side_followers` of several sides in one query."""
        if not sides:
            return {}
        values = parties.params()
        rows = (await self.s.execute(_followers(tuple(sides)), {"contract_id": str(contract_id), **values})).all()
        out: dict[Side, list[UUID]] = {side: [] for side in sides}
        for row in rows:
            out[Side(row.side)].append(row.account_id)
        return out

    async def opco_staff(self, opco_code: str | None, roles: Sequence[str] | None = None) -> list[UUID]:
        if not opco_code:
            return []
        m = t.memberships.c
        by_role = [m.role.in_(list(roles))] if roles else []
        stmt = (
            sa.select(m.account_id)
            .where(m.active, m.kind == "opco", m.opco_code == opco_code, *by_role)
            .distinct()
            .order_by(m.account_id)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def organisation_admins(self, organisation_id: UUID) -> list[UUID]:
        m = t.memberships.c
        stmt = (
            sa.select(m.account_id)
            .where(m.active, m.role == "admin", m.organisation_id == organisation_id)
            .distinct()
            .order_by(m.account_id)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def memberships_of(self, account_id: UUID) -> list[sa.Row[Any]]:
        m = t.memberships.c
        return list((await self.s.execute(sa.select(t.memberships).where(m.account_id == account_id, m.active))).all())

    # --- contracts -----------------------------------------------------------------------------------------
    async def contract(self, contract_id: UUID, *, lock: bool = False) -> sa.Row[Any] | None:
        if contract_id in self._held:
            return self._held[contract_id]
        row = (await self.s.execute(_contract(lock), {"contract_id": contract_id})).first()
        if lock and row is not None:
            self._held[contract_id] = row
        return row

    async def upsert_contract(self, contract_id: UUID, values: dict[str, Any]) -> None:
        stmt = insert(t.contracts).values(contract_id=contract_id, **values)
        written = stmt.on_conflict_do_update(index_elements=["contract_id"], set_=values).returning(t.contracts)
        self._held[contract_id] = (await self.s.execute(written)).first()

    async def update_contract(self, contract_id: UUID, values: dict[str, Any]) -> None:
        c = t.contracts.c
        stmt = sa.update(t.contracts).where(c.contract_id == contract_id).values(**values).returning(t.contracts)
        row = (await self.s.execute(stmt)).first()
        if row is not None:
            self._held[contract_id] = row


class Preferences:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def of(self, account_id: UUID) -> dict[str, ChannelChoice]:
        c = t.preferences.c
        rows = await self.s.execute(sa.select(c.kind, c.web, c.email).where(c.account_id == account_id))
        return {r.kind: ChannelChoice(WebMode(r.web), EmailMode(r.email)) for r in rows}

    async def for_kind(self, account_ids: Sequence[UUID], kind: str) -> dict[UUID, ChannelChoice]:
        if not account_ids:
            return {}
        rows = await self.s.execute(_preferences_for_kind(), {"kind": kind, "ids": list(account_ids)})
        return {r.account_id: ChannelChoice(WebMode(r.web), EmailMode(r.email)) for r in rows}

    async def set(self, account_id: UUID, kind: str, choice: ChannelChoice, now: datetime) -> None:
        values = {"web": choice.web.value, "email": choice.email.value, "updated_at": now}
        stmt = insert(t.preferences).values(account_id=account_id, kind=kind, **values)
        await self.s.execute(stmt.on_conflict_do_update(index_elements=["account_id", "kind"], set_=values))

    async def reset(self, account_id: UUID, kind: str) -> None:
        c = t.preferences.c
        await self.s.execute(sa.delete(t.preferences).where(c.account_id == account_id, c.kind == kind))


class Follows:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def of(self, account_id: UUID) -> list[tuple[str, str]]:
        c = t.follows.c
        rows = await self.s.execute(
            sa.select(c.target_kind, c.target).where(c.account_id == account_id).order_by(c.target_kind, c.target)
        )
        return [(r.target_kind, r.target) for r in rows]

    async def add(self, account_id: UUID, kind: str, target: str) -> None:
        stmt = insert(t.follows).values(account_id=account_id, target_kind=kind, target=target)
        await self.s.execute(stmt.on_conflict_do_nothing())

    async def remove(self, account_id: UUID, kind: str, target: str) -> None:
        c = t.follows.c
        await self.s.execute(
            sa.delete(t.follows).where(c.account_id == account_id, c.target_kind == kind, c.target == target)
        )


_LATEST_MAIL = (
    sa.select(t.mails.c.to_address, t.mails.c.status, t.mails.c.attempts, t.mails.c.sent_at, t.mails.c.last_error)
    .where(t.mails.c.notification_id == t.notifications.c.id)
    .order_by(t.mails.c.created_at.desc())
    .limit(1)
    .lateral("mail")
)


def _feed_query(account: UUID | sa.BindParameter[Any]) -> sa.Select[Any]:
    """A person's notifications in the feed, each with its latest mail: what the list, one notification and the
    live stream show (`notification_view`)."""
    n, mail = t.notifications, _LATEST_MAIL
    return (
        sa.select(
            n,
            mail.c.to_address.label("mail_to"),
            mail.c.status.label("mail_status"),
            mail.c.attempts.label("mail_attempts"),
            mail.c.sent_at.label("mail_sent_at"),
            mail.c.last_error.label("mail_error"),
        )
        .select_from(n.outerjoin(mail, sa.true()))
        .where(n.c.account_id == account, n.c.web)
    )


@functools.cache
def _stream_after() -> sa.Select[Any]:
    """What `Notifications.stream_after` runs: the page of changes, the notification each names (with its latest
    mail) and the person's counts, joined (PostgreSQL reads the counts once)."""
    c, n = t.feed_changes.c, t.notifications
    account = sa.bindparam("account", type_=c.account_id.type)
    changes = (
        sa.select(c.seq, c.event, c.data)
        .where(c.account_id == account, c.seq > sa.bindparam("after", type_=c.seq.type))
        .order_by(c.seq)
        .limit(sa.bindparam("page", type_=sa.Integer))
        .cte("changes")
    )
    counts = (
        sa.select(
            sa.func.count().filter(n.c.read_at.is_(None)).label("unread"),
            sa.func.count().filter(n.c.seen_at.is_(None)).label("unseen"),
        )
        .where(n.c.account_id == account, n.c.web, n.c.archived_at.is_(None))
        .cte("counts")
    )
    shown = (
        _feed_query(account)
        .where(n.c.id == sa.cast(changes.c.data["notification_id"].astext, PG_UUID(as_uuid=True)))
        .lateral("shown")
    )
    return (
        sa.select(
            changes.c.seq.label("change_seq"),
            changes.c.event.label("change_event"),
            changes.c.data.label("change_data"),
            counts.c.unread,
            counts.c.unseen,
            shown,
        )
        .select_from(changes.join(counts, sa.true()).outerjoin(shown, sa.true()))
        .order_by(changes.c.seq)
    )


# The persons' locks (held to commit) keep each person's sequence in commit order. Taken in one order (sorted
# keys) by every transaction, so two never wait for each other crosswise.
_LOCK_FEEDS = sa.text(
    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
    "FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS u(k, i)"
)


class Notifications:
    """Notifications, their mails and the feed's change log. The change log's entries and the NOTIFYs are
    written once, just before commit (`flush`): a transaction holds a person's feed lock only for its last
    statements, not while it handles the rest of its batch (the mail sender, the other consumers and the API
    would wait for it)."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self.wakeups: set[tuple[str, str]] = set()
        self.changes: list[dict[str, Any]] = []

    async def queue_mail(self, values: dict[str, Any]) -> None:
        await self.s.execute(sa.insert(t.mails).values(**values))
        self.wakeups.add((MAIL_CHANNEL, ""))

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> set[UUID]:
        """The ids of those inserted (one statement): a row whose event already told its recipient is skipped."""
        if not rows:
            return set()
        # The rows as the execution's parameters, not in the statement: one compiled statement, cached, whatever
        # the count (SQLAlchemy still sends them as one multi-row INSERT). `.values(rows)` has no cache key: it was
        # compiled anew for every event.
        stmt = insert(t.notifications).on_conflict_do_nothing().returning(t.notifications.c.id)
        return set((await self.s.execute(stmt, list(rows))).scalars())

    async def queue_mails(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        await self.s.execute(sa.insert(t.mails), list(rows))
        self.wakeups.add((MAIL_CHANNEL, ""))

    async def record_change(self, account_id: UUID, event: str, data: dict[str, Any], now: datetime) -> None:
        """One entry of the person's change log, written at commit; their open streams are woken then."""
        entry = {"account_id": account_id, "event": event, "data": json.loads(dumps(data)), "created_at": now}
        self.changes.append(entry)
        self.wakeups.add((FEED_CHANNEL, str(account_id)))

    async def flush(self) -> None:
        """The change log's entries (in the order recorded, under their persons' locks), then the NOTIFYs."""
        changes, self.changes = self.changes, []
        if changes:
            keys = sorted({f"feed:{change['account_id']}" for change in changes})
            await self.s.execute(_LOCK_FEEDS, {"keys": keys})
            await self.s.execute(sa.insert(t.feed_changes), changes)
        await self.send_wakeups()

    def forget(self) -> None:
        self.changes, self.wakeups = [], set()

    async def send_wakeups(self) -> None:
        """The transaction's NOTIFYs in one statement (PostgreSQL delivers them on commit, none on rollback)."""
        if not self.wakeups:
            return
        channels, payloads = zip(*sorted(self.wakeups), strict=True)
        self.wakeups = set()
        await self.s.execute(
            sa.text("SELECT pg_notify(c, p) FROM unnest(CAST(:c AS text[]), CAST(:p AS text[])) AS w(c, p)"),
            {"c": list(channels), "p": list(payloads)},
        )

    def _query(self, account_id: UUID) -> sa.Select[Any]:
        return _feed_query(account_id)

    @staticmethod
    def _filters(contract_id: UUID | None, kinds: Sequence[str], state: str) -> list[sa.ColumnElement[bool]]:
        n = t.notifications.c
        out: list[sa.ColumnElement[bool]] = []
        if contract_id is not None:
            out.append(n.contract_id == contract_id)
        if kinds:
            out.append(n.kind.in_(list(kinds)))
        if state == "active":
            out.append(n.archived_at.is_(None))
        elif state == "unread":
            out += [n.archived_at.is_(None), n.read_at.is_(None)]
        elif state == "archived":
            out.append(n.archived_at.is_not(None))
        return out

    async def page(
        self,
        account_id: UUID,
        *,
        contract_id: UUID | None,
        kinds: Sequence[str],
        state: str,
        offset: int,
        limit: int,
    ) -> tuple[list[sa.Row[Any]], int]:
        n = t.notifications.c
        filters = self._filters(contract_id, kinds, state)
        stmt = self._query(account_id).where(*filters).order_by(n.created_at.desc(), n.id.desc())
        rows = list((await self.s.execute(stmt.offset(offset).limit(limit))).all())
        total = (
            await self.s.execute(
                sa.select(sa.func.count())
                .select_from(t.notifications)
                .where(n.account_id == account_id, n.web, *filters)
            )
        ).scalar_one()
        return rows, int(total)

    async def one(self, account_id: UUID, notification_id: UUID, *, lock: bool = False) -> sa.Row[Any] | None:
        stmt = self._query(account_id).where(t.notifications.c.id == notification_id)
        if lock:
            stmt = stmt.with_for_update(of=t.notifications)
        return (await self.s.execute(stmt)).first()

    async def counts(self, account_id: UUID) -> tuple[int, int]:
        n = t.notifications.c
        stmt = sa.select(
            sa.func.count().filter(n.read_at.is_(None)),
            sa.func.count().filter(n.seen_at.is_(None)),
        ).where(n.account_id == account_id, n.web, n.archived_at.is_(None))
        unread, unseen = (await self.s.execute(stmt)).one()
        return int(unread), int(unseen)

    async def set_marks(self, notification_id: UUID, marks: FeedMarks) -> None:
        await self.s.execute(
            sa.update(t.notifications)
            .where(t.notifications.c.id == notification_id)
            .values(seen_at=marks.seen_at, read_at=marks.read_at, archived_at=marks.archived_at)
        )

    async def mark_all(
        self, account_id: UUID, column: str, now: datetime, contract_id: UUID | None, kinds: Sequence[str]
    ) -> int:
        n = t.notifications.c
        values: dict[str, Any] = {column: now}
        if column == "read_at":
            values["seen_at"] = sa.func.coalesce(n.seen_at, now)
        stmt = (
            sa.update(t.notifications)
            .where(n.account_id == account_id, n.web, n.archived_at.is_(None), getattr(n, column).is_(None))
            .where(*self._filters(contract_id, kinds, "all"))
            .values(**values)
        )
        result = await self.s.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def changes_after(self, account_id: UUID, seq: int, limit: int = 500) -> list[sa.Row[Any]]:
        c = t.feed_changes.c
        stmt = (
            sa.select(c.seq, c.event, c.data)
            .where(c.account_id == account_id, c.seq > seq)
            .order_by(c.seq)
            .limit(limit)
        )
        return list((await self.s.execute(stmt)).all())

    async def stream_after(self, account_id: UUID, seq: int, limit: int) -> tuple[list[sa.Row[Any]], int, int]:
        """The person's change log after `seq`, each entry with its notification (`_feed_query`'s columns, None when not
        in the feed) and the unread and unseen counts: one statement, for each wake of each open stream."""
        rows = list((await self.s.execute(_stream_after(), {"account": account_id, "after": seq, "page": limit})).all())
        return rows, (rows[0].unread if rows else 0), (rows[0].unseen if rows else 0)

    async def last_change(self, account_id: UUID) -> int:
        c = t.feed_changes.c
        stmt = sa.select(sa.func.coalesce(sa.func.max(c.seq), 0)).where(c.account_id == account_id)
        return int((await self.s.execute(stmt)).scalar_one())

    async def forget_changes_before(self, before: datetime) -> None:
        await self.s.execute(sa.delete(t.feed_changes).where(t.feed_changes.c.created_at < before))

    # --- digest --------------------------------------------------------------------------------------------
    async def accounts_with_digest(self) -> list[UUID]:
        n = t.notifications.c
        stmt = sa.select(n.account_id).where(n.digest == "pending", n.account_id.is_not(None)).distinct()
        return list((await self.s.execute(stmt)).scalars())

    async def pending_digest(self, account_id: UUID) -> list[Any]:
        n = t.notifications.c
        stmt = (
            sa.select(n.id, n.title, n.body, n.link, n.email)
            .where(n.account_id == account_id, n.digest == "pending")
            .order_by(n.created_at)
            .with_for_update(skip_locked=True)
        )
        return list((await self.s.execute(stmt)).all())

    async def close_digest(self, ids: Sequence[UUID], mail_id: UUID) -> None:
        n = t.notifications.c
        await self.s.execute(
            sa.update(t.notifications).where(n.id.in_(list(ids))).values(digest="sent", digest_mail_id=mail_id)
        )

    async def last_run(self, task: str) -> datetime | None:
        c = t.task_runs.c
        return (await self.s.execute(sa.select(c.last_run_at).where(c.task == task))).scalar_one_or_none()

    async def record_run(self, task: str, at: datetime) -> None:
        stmt = insert(t.task_runs).values(task=task, last_run_at=at)
        await self.s.execute(stmt.on_conflict_do_update(index_elements=["task"], set_={"last_run_at": at}))


# A mail sender holds this lock (session-level, on its LISTEN connection) while it lives: a message it left in
# `sending` is in doubt only once the lock is free (the sender is gone, its connection closed with it).
SENDER_LOCK_KEY = "hashtextextended('notifier-mail-sender:' || {}, 0)"


# The mail senders' statements, built once (each sender runs them twice per message; building the claim alone
# took 0.7 ms of CPU, more than PostgreSQL spends on it).
@functools.cache
def _claim_next() -> sa.Update:
    c, n = t.mails.c, t.notifications.c
    now, sender = sa.bindparam("now", type_=c.next_attempt_at.type), sa.bindparam("sender", type_=c.sending_by.type)
    due = t.mails.alias("due")  # its own name inside the UPDATE of the same table
    picked = (
        sa.select(due.c.id, n.kind, n.legal, n.cause_event_id, n.contract_id)
        .select_from(due.outerjoin(t.notifications, n.id == due.c.notification_id))
        .where(due.c.status == DeliveryStatus.QUEUED.value, due.c.next_attempt_at <= now)
        .order_by(due.c.next_attempt_at)
        .limit(1)
        .with_for_update(skip_locked=True, of=due)
        .subquery("picked")
    )
    return (
        sa.update(t.mails)
        .where(c.id == picked.c.id)
        .values({**attempt_started(cast(UUID, sender), cast(datetime, now)), "attempts": c.attempts + 1})
        .returning(t.mails, picked.c.kind, picked.c.legal, picked.c.cause_event_id, picked.c.contract_id)
    )


@functools.cache
def _finish() -> sa.Update:
    c = t.mails.c
    mine = sa.and_(c.status == DeliveryStatus.SENDING.value, c.sending_by == sa.bindparam("sender"))
    return (
        sa.update(t.mails)
        .where(c.id == sa.bindparam("mail_id"), sa.or_(mine, c.status == DeliveryStatus.QUEUED.value))
        .returning(c.id)
    )


class Mails:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def claim_next(self, now: datetime, sender: UUID) -> Any | None:
        """The next due message, marked `sending` by `sender` (other senders skip it from the commit on), with the
        facts of its notification (a sent mail is published as `notification.sent`)."""
        return (await self.s.execute(_claim_next(), {"now": now, "sender": sender})).first()

    async def finish(self, mail_id: UUID, sender: UUID, values: dict[str, Any]) -> bool:
        """The attempt's outcome, unless another sender took the message meanwhile (False then). A message queued
        again as in doubt while this sender could not reach the database takes the outcome all the same."""
        stmt = _finish().values(**values)
        return (await self.s.execute(stmt, {"mail_id": mail_id, "sender": sender})).first() is not None

    async def requeue_in_doubt(self, sender: UUID, before: datetime, now: datetime) -> list[UUID]:
        """Messages left `sending` (since before `before`) by senders that are gone: queued again, counted."""
        c = t.mails.c
        left = t.mails.alias("left_sending")  # its own name inside the UPDATE of the same table
        gone = sa.text(
            "pg_try_advisory_xact_lock(" + SENDER_LOCK_KEY.format("CAST(left_sending.sending_by AS text)") + ")"
        )
        doubtful = (
            sa.select(left.c.id)
            .where(
                left.c.status == DeliveryStatus.SENDING.value,
                left.c.sending_by != sender,
                left.c.sending_since < before,
            )
            .where(gone)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        stmt = (
            sa.update(t.mails)
            .where(c.id.in_(doubtful))
            .values({**in_doubt(now), "resent_in_doubt": c.resent_in_doubt + 1})
            .returning(c.id)
        )
        return list((await self.s.execute(stmt)).scalars())


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, default=str)
