"""The consumer's use case: apply an event to the projections, then tell whoever the rule table names.

One transaction (the consumer group's) holds the inbox claim, the projections, every notification, its mail
outbox row, the feed's change log and the web channel's `notification.sent` events: an event is told to a
recipient once, whatever is redelivered.
"""

from __future__ import annotations

import uuid
from typing import Any

from passerelle.libs.access import Side
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.delivery import DeliveryStatus
from passerelle.notifier.domain.kinds import Kind, is_legal
from passerelle.notifier.domain.preferences import ChannelChoice, EmailMode, WebMode, effective
from passerelle.notifier.domain.recipients import Facts, Recipient, resolve
from passerelle.notifier.domain.rules import LETTER_DOCUMENT_TYPES, Audience, Rule, Telling, rule_for
from passerelle.notifier.service_layer import content as contents
from passerelle.notifier.service_layer.context import NotifierContext
from passerelle.notifier.service_layer.projections import (
    known_contract,
    parties_of,
    project_contract,
    project_identity,
)
from passerelle.schemas import Envelope
from passerelle.schemas.events import contracts as c
from passerelle.schemas.events import documents as docs
from passerelle.schemas.events import identity as i
from passerelle.schemas.events import opco as o
from passerelle.schemas.events.notifier import NotificationSent

ADDRESS_ONLY = ChannelChoice(WebMode.OFF, EmailMode.IMMEDIATE)
SIDE_AUDIENCES = ((Side.EMPLOYER, Audience.EMPLOYER_SIDE), (Side.TRAINING, Audience.TRAINING_SIDE))


async def handle_event(ctx: NotifierContext, uow: NotifierUnitOfWork, envelope: Envelope, event: Any) -> int:
    """Returns how many notifications the event created (0 for a projection-only event)."""
    if isinstance(event, c.ContractEvent):
        await project_contract(uow, envelope.type, event)
    elif envelope.type.split(".")[0] in {"account", "organisation", "membership", "invitation"}:
        await project_identity(uow, event)
    elif isinstance(event, o.CaseEvent):
        await project_case(uow, event)
    rule = rule_for(envelope.type)
    if rule is None or (isinstance(event, docs.DocumentUploaded) and event.document_type in LETTER_DOCUMENT_TYPES):
        return 0
    facts, names = await gather_facts(uow, rule, envelope.type, event)
    created = 0
    for telling in rule.tellings:
        recipients = resolve(telling, facts, rule.exclude_actor)
        if not recipients:
            continue
        content = contents.build(telling.kind, event, names, ctx.links)
        if Audience.CASE_STAFF in telling.audiences and facts.case_id is not None:
            content = contents.for_staff(content, facts.case_id, ctx.links)
        created += await tell(ctx, uow, envelope, telling, event, content, recipients, facts)
    return created


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


async def gather_facts(
    uow: NotifierUnitOfWork, rule: Rule, event_type: str, event: Any
) -> tuple[Facts, contents.Names]:
    d = uow.directory
    facts = Facts()
    names = contents.Names()
    contract_id = getattr(event, "contract_id", None)
    contract = await known_contract(uow, contract_id) if contract_id is not None else None
    if contract is not None:
        parties = parties_of(contract)
        names.employer_name = await d.organisation_name(siret=contract.employer_siret)
        names.training_name = await d.organisation_name(uai=contract.training_uai) or await d.organisation_name(
            siret=contract.training_siret
        )
        names.apprentice_name = contract.apprentice_name
        names.contract_type = contract.contract_type
        wanted = set(rule.audiences)
        sides = [
            s
            for s, a in ((Side.EMPLOYER, Audience.EMPLOYER_SIDE), (Side.TRAINING, Audience.TRAINING_SIDE))
            if a in wanted
        ]
        for side in sides:
            owner = contract.employer_in_charge if side is Side.EMPLOYER else contract.training_in_charge
            if owner is not None:
                facts.in_charge[side] = owner
            else:
                facts.side_admins[side] = await d.side_admins(parties, side)
        if sides:
            facts.side_followers.update(await d.followers(parties, sides, contract.contract_id))
        if isinstance(event, o.DeadlineApproached):
            # The reviewer the case is assigned to, and those who supervise the queue.
            leads = await d.opco_staff(event.opco_code, roles=("supervisor", "admin"))
            facts.opco_staff = ([event.assignee_id] if event.assignee_id else []) + leads
        elif Audience.OPCO_STAFF in wanted:
            facts.opco_staff = await d.opco_staff(getattr(event, "opco_code", None) or contract.opco_code)
        if any(Audience.CASE_STAFF in t.audiences for t in rule.also):
            await _case_staff(uow, facts, contract, event)
    elif Audience.OPCO_STAFF in rule.audiences:
        facts.opco_staff = await d.opco_staff(getattr(event, "opco_code", None))
    facts.actor_id = _actor(event)
    match event:
        case c.ContractProposed():
            facts.employer_address = event.employer_email
            facts.employer_address_account = await d.account_by_email(event.employer_email)
        case o.CaseAssigned():
            facts.assignee = event.assignee_id
            if event.actor_id:
                names.from_name = (await d.people([event.actor_id])).get(event.actor_id, ("", None))[1]
        case c.ContractTransferred():
            facts.new_owner = event.to_account_id
            if event.from_account_id:
                names.from_name = (await d.people([event.from_account_id])).get(event.from_account_id, ("", None))[1]
        case i.MembershipRequested():
            facts.organisation_admins = await d.organisation_admins(event.organisation_id)
        case i.InvitationSent():
            facts.invitee = await d.account_by_email(event.email)
        case i.MembershipGranted() | i.MembershipRoleChanged() | i.MembershipRevoked():
            facts.member = event.account_id
        case _:
            pass
    if getattr(event, "organisation_id", None) is not None:
        names.organisation_name = await d.organisation_name(organisation_id=event.organisation_id)
    return facts, names


async def _case_staff(uow: NotifierUnitOfWork, facts: Facts, contract: Any, event: Any) -> None:
    """The staff of the contract's case: nobody before the OPCO opened one (its `case.opened` tells them), nor of
    the transmission that opened it; then the assignee, else the OPCO's reviewers (else all its staff)."""
    case_id = getattr(event, "case_id", None) or contract.case_id
    if case_id is None:
        return
    if isinstance(event, c.ContractTransmitted) and event.revision <= (contract.case_revision or 0):
        return
    facts.case_id = case_id
    facts.case_assignee = contract.case_assignee
    if facts.case_assignee is None:
        d = uow.directory
        facts.case_reviewers = await d.opco_staff(contract.opco_code, roles=("reviewer",)) or await d.opco_staff(
            contract.opco_code
        )


def _actor(event: Any) -> Any:
    for attribute in ("actor_id", "uploaded_by", "changed_by", "revoked_by", "invited_by"):
        value = getattr(event, attribute, None)
        if value is not None:
            return value
    return None


async def tell(
    ctx: NotifierContext,
    uow: NotifierUnitOfWork,
    envelope: Envelope,
    telling: Telling,
    event: Any,
    content: contents.Content,
    recipients: list[Recipient],
    facts: Facts,
) -> int:
    kind = telling.kind
    now = ctx.clock()
    accounts = [r.account_id for r in recipients if r.account_id]
    people = await uow.directory.people(accounts)
    stored = await uow.preferences.for_kind(accounts, kind.value)
    # Every recipient's notification in one statement, then their mails in another (round trips, not rows).
    told: list[tuple[dict[str, Any], dict[str, Any] | None, bool]] = []
    for recipient in recipients:
        if recipient.account_id is None:
            choice, address, name = ADDRESS_ONLY, recipient.email, None
        else:
            choice = effective(kind, stored.get(recipient.account_id), telling.default)
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
        told.append((notification, mail, web))
    added = await uow.notifications.add_many([notification for notification, _, _ in told])
    told = [item for item in told if item[0]["id"] in added]  # the others told this recipient already
    await uow.notifications.queue_mails([mail for _, mail, _ in told if mail is not None])
    for notification, _, web in told:
        if not web:
            continue
        account_id = notification["account_id"]
        await uow.notifications.record_change(
            account_id, "notification", {"notification_id": str(notification["id"])}, now
        )
        # In the person's notification centre from this commit on: told on the web.
        uow.publish(
            NotificationSent(
                notification_id=notification["id"],
                account_id=account_id,
                channel="web",
                contract_id=content.contract_id,
                cause_event_id=envelope.id,
                sent_at=now,
                kind=kind.value,
                legal=is_legal(kind),
            )
        )
    return len(told)
