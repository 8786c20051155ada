"""The consumer's use case: apply a batch of events to the projections, then tell whoever the rule table names.

One transaction (the consumer group's) holds the inbox claims, the projections, every notification, its mail
outbox row, the feed's change log and the web channel's `notification.sent` events: an event is told to a
recipient once, whatever is redelivered.

A batch is applied in segments: events whose projections cannot change one another's facts (each of another
contract; an identity event, which changes people and memberships, in a segment of its own). For a segment, the
projections first, in the records' order; then the facts of all its events, one query per table
(service_layer/facts.py); then their recipients' names, addresses and preferences, one query each; then every
notification in one statement and their mails in another.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.delivery import DeliveryStatus
from passerelle.notifier.domain.kinds import Kind, is_legal
from passerelle.notifier.domain.preferences import ChannelChoice, EmailMode, WebMode, effective
from passerelle.notifier.domain.recipients import Recipient, resolve
from passerelle.notifier.domain.rules import LETTER_DOCUMENT_TYPES, Audience, Rule, Telling, rule_for
from passerelle.notifier.service_layer import content as contents
from passerelle.notifier.service_layer.context import NotifierContext
from passerelle.notifier.service_layer.facts import BatchFacts, EventFacts
from passerelle.notifier.service_layer.projections import known_contract, project_contract, project_identity
from passerelle.schemas import Envelope
from passerelle.schemas.events import contracts as c
from passerelle.schemas.events import documents as docs
from passerelle.schemas.events import opco as o
from passerelle.schemas.events.notifier import NotificationSent

ADDRESS_ONLY = ChannelChoice(WebMode.OFF, EmailMode.IMMEDIATE)
IDENTITY = {"account", "organisation", "membership", "invitation"}


@dataclass
class Planned:
    """One telling of one event: who, and what the facts say."""

    envelope: Envelope
    event: Any
    telling: Telling
    recipients: list[Recipient]
    told: EventFacts


async def handle_batch(ctx: NotifierContext, uow: NotifierUnitOfWork, batch: list[tuple[Envelope, Any]]) -> int:
    """Returns how many notifications the events created (0 for projection-only events)."""
    created = 0
    for segment in segments(batch):
        created += await _apply_segment(ctx, uow, segment)
    return created


async def handle_event(ctx: NotifierContext, uow: NotifierUnitOfWork, envelope: Envelope, event: Any) -> int:
    """One event (tests and tools): a batch of one."""
    return await handle_batch(ctx, uow, [(envelope, event)])


def segments(batch: list[tuple[Envelope, Any]]) -> list[list[tuple[Envelope, Any]]]:
    """The batch cut where an event's projection could change the facts of another in its segment: before and
    after an identity event, and before a second event of the same contract."""
    out: list[list[tuple[Envelope, Any]]] = []
    current: list[tuple[Envelope, Any]] = []
    contracts: set[Any] = set()
    alone = False
    for envelope, event in batch:
        identity = envelope.type.split(".")[0] in IDENTITY
        contract_id = getattr(event, "contract_id", None)
        if current and (identity or alone or (contract_id is not None and contract_id in contracts)):
            out.append(current)
            current, contracts = [], set()
        current.append((envelope, event))
        alone = identity
        if contract_id is not None:
            contracts.add(contract_id)
    if current:
        out.append(current)
    return out


async def _project(uow: NotifierUnitOfWork, envelope: Envelope, event: Any) -> None:
    if isinstance(event, c.ContractEvent):
        await project_contract(uow, envelope.type, event)
    elif envelope.type.split(".")[0] in IDENTITY:
        await project_identity(uow, event)
    elif isinstance(event, o.CaseEvent):
        await project_case(uow, event)


async def _apply_segment(ctx: NotifierContext, uow: NotifierUnitOfWork, segment: list[tuple[Envelope, Any]]) -> int:
    rules: list[tuple[Envelope, Any, Rule]] = []
    for envelope, event in segment:
        with uow.caused_by(envelope):
            await _project(uow, envelope, event)
        rule = rule_for(envelope.type)
        if rule is None or (isinstance(event, docs.DocumentUploaded) and event.document_type in LETTER_DOCUMENT_TYPES):
            continue
        rules.append((envelope, event, rule))
    if not rules:
        return 0
    facts = await BatchFacts.load(uow, [event for _, event, _ in rules])
    planned: list[Planned] = []
    for envelope, event, rule in rules:
        of_event = facts.of(rule, event)
        for telling in rule.tellings:
            recipients = resolve(telling, of_event.facts, rule.exclude_actor)
            if recipients:
                planned.append(Planned(envelope, event, telling, recipients, of_event))
    if not planned:
        return 0
    accounts = {r.account_id for p in planned for r in p.recipients if r.account_id}
    accounts |= {p.told.from_account for p in planned if p.told.from_account}
    people = await uow.directory.people(accounts)
    stored = await uow.preferences.for_kinds(
        (r.account_id, p.telling.kind.value) for p in planned for r in p.recipients if r.account_id
    )
    now = ctx.clock()
    # Every notification of the segment in one statement, then their mails in another (round trips, not rows).
    told: list[tuple[Planned, contents.Content, dict[str, Any], dict[str, Any] | None, bool]] = []
    for p in planned:
        if p.told.from_account:
            p.told.names.from_name = people.get(p.told.from_account, ("", None))[1]
        content = contents.build(p.telling.kind, p.event, p.told.names, ctx.links)
        if Audience.CASE_STAFF in p.telling.audiences and p.told.facts.case_id is not None:
            content = contents.for_staff(content, p.told.facts.case_id, ctx.links)
        for notification, mail, web in _notices(ctx, p, content, people, stored, now):
            told.append((p, content, notification, mail, web))
    added = await uow.notifications.add_many([notification for _, _, notification, _, _ in told])
    told = [item for item in told if item[2]["id"] in added]  # the others told this recipient already
    await uow.notifications.queue_mails([mail for _, _, _, mail, _ in told if mail is not None])
    for p, content, notification, _, web in told:
        if not web:
            continue
        account_id = notification["account_id"]
        await uow.notifications.record_change(
            account_id, "notification", {"notification_id": str(notification["id"])}, now
        )
        kind = p.telling.kind
        with uow.caused_by(p.envelope):
            # In the person's notification centre from this commit on: told on the web.
            uow.publish(
                NotificationSent(
                    notification_id=notification["id"],
                    account_id=account_id,
                    channel="web",
                    contract_id=content.contract_id,
                    cause_event_id=p.envelope.id,
                    sent_at=now,
                    kind=kind.value,
                    legal=is_legal(kind),
                )
            )
    return len(told)


async def project_case(uow: NotifierUnitOfWork, event: o.CaseEvent) -> None:
    """The contract's review case (one per contract, across its revisions), its opening revision, its file
    number and the assignee a clock alert names: written only when they change."""
    row = await known_contract(uow, event.contract_id)
    values: dict[str, Any] = {}
    if row.case_id != event.case_id:
        values["case_id"] = event.case_id
    if isinstance(event, o.CaseOpened) and row.case_revision != event.revision:
        values["case_revision"] = event.revision
    if isinstance(event, o.ContractEngaged):
        values["opco_file_number"] = event.opco_file_number
    if isinstance(event, o.DeadlineApproached | o.CaseAssigned) and row.case_assignee != event.assignee_id:
        values["case_assignee"] = event.assignee_id
    if values:
        await uow.directory.update_contract(event.contract_id, values)


def _notices(
    ctx: NotifierContext,
    p: Planned,
    content: contents.Content,
    people: dict[Any, tuple[str, str]],
    stored: dict[tuple[Any, str], ChannelChoice],
    now: Any,
) -> list[tuple[dict[str, Any], dict[str, Any] | None, bool]]:
    """Each recipient's notification row, its mail row (if told by e-mail at once) and whether it is on the web."""
    kind, telling, event, envelope = p.telling.kind, p.telling, p.event, p.envelope
    out: list[tuple[dict[str, Any], dict[str, Any] | None, bool]] = []
    for recipient in p.recipients:
        if recipient.account_id is None:
            choice, address, name = ADDRESS_ONLY, recipient.email, None
        else:
            choice = effective(kind, stored.get((recipient.account_id, kind.value)), telling.default)
            address, name = people.get(recipient.account_id, (recipient.email, None))
        if choice.silent:
            continue
        context = content.context
        if kind is Kind.CONTRACT_PROPOSED:
            context = contents.for_proposal_recipient(content, event, recipient.account_id is not None, ctx.links)
        context = context | {"recipient_name": name, "legal": is_legal(kind)}
        rendered = ctx.renderer.render(telling.template_name, context)
        notification_id = uuid.uuid4()
        wants_mail = choice.email is not EmailMode.OFF and bool(address)
        web = choice.web is WebMode.IMMEDIATE and recipient.account_id is not None
        notification = {
            "id": notification_id,
            "account_id": recipient.account_id,
            "email": address,
            "recipient_key": recipient.key,
            "kind": kind.value,
            "legal": is_legal(kind),
            "cause_event_id": envelope.id,
            "cause_type": envelope.type,
            "contract_id": content.contract_id,
            "organisation_id": content.organisation_id,
            "title": rendered.subject,
            "body": rendered.summary,
            "link": context.get("action_url") or content.link,
            "letter_url": content.letter_url,
            "web": web,
            "created_at": now,
            "digest": "pending" if wants_mail and choice.email is EmailMode.DIGEST else None,
        }
        mail = None
        if wants_mail and choice.email is EmailMode.IMMEDIATE:
            mail = {
                "id": uuid.uuid4(),
                "notification_id": notification_id,
                "account_id": recipient.account_id,
                "to_address": address,
                "subject": rendered.subject,
                "text_body": rendered.text,
                "html_body": rendered.html,
                "status": DeliveryStatus.QUEUED.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        out.append((notification, mail, web))
    return out
