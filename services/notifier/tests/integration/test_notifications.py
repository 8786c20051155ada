"""Who is told what, through which channel, exactly once: the consumer path on real PostgreSQL and SMTP."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_string
from typing import Any

import pytest
import sqlalchemy as sa

from passerelle.notifier.adapters import tables as t
from passerelle.notifier.service_layer.projections import known_contract
from passerelle.schemas.events import contracts as c
from passerelle.schemas.events import documents as docs
from passerelle.schemas.events import identity as i
from passerelle.schemas.events import opco as o

from .conftest import bearer, mails_to, record, unique_address
from .world import World

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


async def wait_for_mails(mail_api: str, address: str, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        found = await mails_to(mail_api, address)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{len(found)} mail(s) to {address}, expected {count}")


async def notifications_of(notifier, **where: Any) -> list[Any]:
    async with notifier.uow_factory() as uow:
        n = t.notifications.c
        clauses = [getattr(n, k) == v for k, v in where.items()]
        return list((await uow.session.execute(sa.select(t.notifications).where(*clauses))).all())


async def test_a_proposal_to_an_address_without_account_mails_an_invitation_once(
    deliver, notifier, mail_api, mail_loop
):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    await deliver(*world.drain())
    address = unique_address("recrutement")
    contract_id = uuid.uuid4()
    proposed = record(world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=address))
    await deliver(world.contract(contract_id, c.ContractDrafted, cfa_user), proposed)
    await deliver(proposed)  # redelivered: the inbox skips it

    mails = await wait_for_mails(mail_api, address, 1)
    await asyncio.sleep(0.5)
    mails = await mails_to(mail_api, address)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["subject"] == "CFA des Métiers vous propose un contrat d'apprentissage"
    link = f"https://portail.test/inscription?courriel={address.replace('@', '%40')}&contrat={contract_id}"
    assert link in mail["text"]
    rows = await notifications_of(notifier, contract_id=contract_id)
    assert [(r.account_id, r.email, r.web) for r in rows] == [(None, address, False)]


async def test_the_contract_flow_tells_each_side_once_and_never_the_actor(
    deliver, notifier, client, tokens, mail_api, mail_loop
):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer_admin = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    contract_id = uuid.uuid4()
    transmitted = world.contract(
        contract_id,
        c.ContractTransmitted,
        employer_admin,
        revision=1,
        form={"employee": {"first_name": "Léa", "last_name": "Petit"}},
        transmitted_at=NOW,
    )
    await deliver(
        world.contract(contract_id, c.ContractDrafted, cfa_user),
        world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer_admin.email),
    )
    await deliver(world.contract(contract_id, c.ContractAccepted, employer_admin), transmitted)
    anomaly = o.AnomalyRaised(
        case_id=uuid.uuid4(),
        contract_id=contract_id,
        revision=1,
        raised_at=NOW,
        letter_document_id=uuid.uuid4(),
        anomalies=[o.Anomaly(code="NIR", kind="field_error", field="employee.nir", message="Le NIR est faux.")],
    )
    anomaly_record = record(anomaly)
    await deliver(anomaly_record)
    await deliver(anomaly_record)

    kinds = lambda person: sorted(  # noqa: E731
        r.kind for r in rows if r.account_id == person.account_id
    )
    rows = await notifications_of(notifier, contract_id=contract_id)
    # The employer's account got the proposal (its address has an account), then the anomaly; not its own acts.
    assert kinds(employer_admin) == ["anomaly_raised", "contract_proposed"]
    assert kinds(cfa_user) == ["anomaly_raised", "contract_accepted", "contract_transmitted"]

    cfa_mails = await wait_for_mails(mail_api, cfa_user.email, 3)
    subjects = sorted(m["subject"] for m in cfa_mails)
    assert subjects == sorted(
        [
            "Anomalie sur le contrat de Léa Petit : action requise",
            "Boulangerie Dupain a accepté votre proposition de contrat",
            "Contrat transmis à l'OPCO : Léa Petit",
        ]
    )
    anomaly_mail = next(m for m in cfa_mails if m["subject"].startswith("Anomalie"))
    # The OPCO's event carries no contract type: the projection's is used.
    assert "sur le contrat d'apprentissage de Léa Petit" in anomaly_mail["text"]
    # The API shows the CFA its feed, newest first, with each e-mail's delivery status.
    everything = (await client.get("/notifications", headers=bearer(tokens, cfa_user.account_id))).json()
    assert everything["items"][-1]["kind"] == "membership_granted" and everything["total"] == 4
    feed = {"contract_id": str(contract_id)}
    listing = (await client.get("/notifications", params=feed, headers=bearer(tokens, cfa_user.account_id))).json()
    assert [n["kind"] for n in listing["items"]] == ["anomaly_raised", "contract_transmitted", "contract_accepted"]
    assert listing["unread"] == 4 and listing["total"] == 3
    assert listing["items"][0]["legal"] is True
    assert listing["items"][0]["letter_url"].startswith(f"https://portail.test/contrats/{contract_id}/documents/")
    deadline = time.monotonic() + 10
    while {n["email"]["status"] for n in listing["items"]} != {"sent"} and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        listing = (await client.get("/notifications", params=feed, headers=bearer(tokens, cfa_user.account_id))).json()
    assert {n["email"]["status"] for n in listing["items"]} == {"sent"}
    # The HTML part is there too, escaped and linking back.
    raw = message_from_string(await _raw(mail_api, cfa_mails[0]["id"]))
    assert {p.get_content_type() for p in raw.walk()} >= {"text/plain", "text/html"}


async def _raw(mail_api: str, message_id: str) -> str:
    import httpx

    async with httpx.AsyncClient(timeout=10) as http:
        return (await http.get(f"{mail_api}/api/messages/{message_id}/raw")).text


async def test_preferences_silence_a_kind_but_never_a_legal_notice(
    deliver, notifier, client, tokens, mail_api, mail_loop
):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    headers = bearer(tokens, cfa_user.account_id, cfa_user.orgs)
    off = await client.put("/preferences/contract_transmitted", json={"web": "off", "email": "off"}, headers=headers)
    assert off.status_code == 200 and off.json()["web"] == "off"
    refused = await client.put("/preferences/anomaly_raised", json={"web": "off", "email": "off"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "legal_notice_required"
    assert "ne peuvent pas être désactivées" in refused.json()["error"]["message"]
    web_only = await client.put(
        "/preferences/anomaly_raised", json={"web": "immediate", "email": "off"}, headers=headers
    )
    assert web_only.status_code == 200
    prefs = (await client.get("/preferences", headers=headers)).json()
    by_kind = {k["kind"]: k for k in prefs["kinds"]}
    assert by_kind["anomaly_raised"]["legal"] and by_kind["anomaly_raised"]["email"] == "off"
    assert by_kind["contract_accepted"]["is_default"] is True

    contract_id = uuid.uuid4()
    await deliver(
        world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer.email),
        world.contract(contract_id, c.ContractAccepted, employer),
        world.contract(contract_id, c.ContractTransmitted, employer, revision=1, form={}, transmitted_at=NOW),
        o.AnomalyRaised(
            case_id=uuid.uuid4(),
            contract_id=contract_id,
            revision=1,
            raised_at=NOW,
            anomalies=[o.Anomaly(code="X", kind="missing_document", message="Pièce manquante.")],
        ),
    )
    rows = await notifications_of(notifier, contract_id=contract_id, account_id=cfa_user.account_id)
    assert sorted(r.kind for r in rows) == ["anomaly_raised", "contract_accepted"]
    mails = await wait_for_mails(mail_api, cfa_user.email, 1)
    await asyncio.sleep(0.5)
    assert [m["subject"] for m in await mails_to(mail_api, cfa_user.email)] == [
        "Boulangerie Dupain a accepté votre proposition de contrat"
    ]
    assert mails


async def test_a_reviewers_preferences_list_their_cases_kinds_with_their_own_defaults(deliver, client, tokens):
    world = World()
    reviewer = world.person("Inès Roche", world.opco, role="reviewer")
    cfa_user = world.person("Claire Formation", world.cfa)
    await deliver(*world.drain())
    staff = (await client.get("/preferences", headers=bearer(tokens, reviewer.account_id, reviewer.orgs))).json()
    by_kind = {k["kind"]: k for k in staff["kinds"]}
    assert {"case_opened", "case_assigned", "clock_alert", "document_received"} <= set(by_kind)
    assert not {"contract_proposed", "contract_engaged", "anomaly_raised"} & set(by_kind)
    # The parties' news of a case: web only for staff (as they are told), not the parties' web and digest.
    assert (by_kind["document_received"]["web"], by_kind["document_received"]["email"]) == ("immediate", "off")
    mailed = await client.put(
        "/preferences/document_received",
        json={"web": "immediate", "email": "immediate"},
        headers=bearer(tokens, reviewer.account_id, reviewer.orgs),
    )
    assert mailed.json()["is_default"] is False
    party = (await client.get("/preferences", headers=bearer(tokens, cfa_user.account_id, cfa_user.orgs))).json()
    party_kinds = {k["kind"]: k for k in party["kinds"]}
    assert "clock_alert" not in party_kinds and party_kinds["document_received"]["email"] == "digest"


async def test_a_join_request_reaches_the_administrators_only(deliver, notifier, mail_api, mail_loop):
    world = World()
    admin = world.person("Anne Admin", world.employer, role="admin")
    colleague = world.person("Carl Contributeur", world.employer, role="contributor")
    await deliver(*world.drain())
    applicant = unique_address("candidat")
    request = i.MembershipRequested(
        request_id=uuid.uuid4(),
        organisation_id=world.employer.organisation_id,
        account_id=uuid.uuid4(),
        email=applicant,
        full_name="Jean Candidat",
        message="Je viens d'être embauché.",
    )
    await deliver(request)
    rows = (
        await notifications_of(notifier, cause_event_id=None)
        if False
        else await notifications_of(
            notifier, organisation_id=world.employer.organisation_id, kind="membership_requested"
        )
    )
    assert [r.account_id for r in rows] == [admin.account_id]
    mail = (await wait_for_mails(mail_api, admin.email, 1))[0]
    assert mail["subject"] == "Jean Candidat demande à rejoindre Boulangerie Dupain"
    assert f"https://portail.test/organisations/{world.employer.organisation_id}/demandes" in mail["text"]
    assert await mails_to(mail_api, colleague.email) == []


async def test_followers_of_an_establishment_are_told_and_only_as_members(deliver, notifier, client, tokens):
    world = World()
    owner = world.person("Claire Formation", world.cfa)
    follower = world.person("Fabien Suivi", world.cfa)
    outsider = world.person("Olga Ailleurs", world.employer)
    await deliver(*world.drain())
    ok = await client.put(
        f"/follows/establishments/{world.cfa.uai}", headers=bearer(tokens, follower.account_id, follower.orgs)
    )
    assert ok.status_code == 200 and ok.json()["establishments"] == [{"identifier": world.cfa.uai, "kind": "uai"}]
    denied = await client.put(
        f"/follows/establishments/{world.cfa.uai}", headers=bearer(tokens, outsider.account_id, outsider.orgs)
    )
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "not_a_member"
    contract_id = uuid.uuid4()
    await deliver(
        world.contract(contract_id, c.ContractProposed, owner, employer_email=unique_address("x")),
        world.contract(contract_id, c.ContractAccepted, outsider),
    )
    rows = await notifications_of(notifier, contract_id=contract_id, kind="contract_accepted")
    assert sorted(r.account_id for r in rows) == sorted([owner.account_id, follower.account_id])


async def test_an_opco_event_about_an_unknown_contract_is_retried_then_parked_not_dropped(service, deliver):
    parked: list[Any] = []

    class Parker:
        async def park(self, group, rec, exc, attempts):  # noqa: ANN001
            parked.append((rec.topic, attempts, repr(exc)))

    group = service.consumer_group
    group.dead_letters, before = Parker(), group.dead_letters  # type: ignore[assignment]
    group.max_attempts, group.backoff_seconds = 2, 0.01
    patience, group.not_yet_patience_seconds = group.not_yet_patience_seconds, 0  # parked at once, not in 10 min
    try:
        await deliver(
            o.ContractEngaged(
                case_id=uuid.uuid4(), contract_id=uuid.uuid4(), revision=1, opco_file_number="F-1", engaged_at=NOW
            )
        )
    finally:
        group.dead_letters, group.not_yet_patience_seconds = before, patience
    assert parked and parked[0][0] == "contract.engaged"
    assert "NotYetApplicable" in parked[0][2] and "not known" in parked[0][2]


async def test_projections_follow_versions_not_arrival_order(deliver, notifier, service):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    await deliver(*world.drain())
    contract_id = uuid.uuid4()
    newer = world.contract(contract_id, c.ContractUpdated, cfa_user, revision=1, version=5)
    older = world.contract(contract_id, c.ContractUpdated, cfa_user, revision=1, version=3)
    older = older.model_copy(update={"parties": older.parties.model_copy(update={"employer_siret": "00000000000000"})})
    await deliver(newer)
    await deliver(older)
    async with notifier.uow() as uow:
        row = await uow.directory.contract(contract_id)
    assert row.version == 5 and row.employer_siret == world.employer.siret


async def test_a_revocation_that_overtakes_its_grant_waits_for_it(deliver, notifier, service):
    world = World()
    member = world.person("Marc Membre")
    await deliver(*world.drain())
    granted = world.join(member, world.employer, "contributor")
    world.drain()
    revoked = i.MembershipRevoked(
        membership_id=granted.membership_id,
        account_id=member.account_id,
        organisation_id=world.employer.organisation_id,
    )
    group = service.consumer_group
    parked: list[str] = []

    class Parker:
        async def park(self, group_name, rec, exc, attempts):  # noqa: ANN001
            parked.append(repr(exc))

    group.dead_letters, before = Parker(), group.dead_letters  # type: ignore[assignment]
    attempts, backoff = group.max_attempts, group.backoff_seconds
    group.max_attempts, group.backoff_seconds = 2, 0.01
    patience, group.not_yet_patience_seconds = group.not_yet_patience_seconds, 0  # parked at once, not in 10 min
    try:
        revoked_record = record(revoked)
        await deliver(revoked_record)  # before its grant: retried, then parked (a replay applies it later)
        await deliver(granted)
        await deliver(revoked_record)  # replayed from the dead letters
    finally:
        group.dead_letters, group.max_attempts, group.backoff_seconds = before, attempts, backoff
        group.not_yet_patience_seconds = patience
    assert parked and "not granted yet" in parked[0]
    async with notifier.uow() as uow:
        rows = await uow.directory.memberships_of(member.account_id)
    assert rows == []  # revoked: not an active membership


@dataclass
class CaseWorld:
    """An employer's contract of Léa Petit and its OPCO's staff: two reviewers and a supervisor (projected)."""

    world: World
    employer: Any
    reviewer: Any
    other_reviewer: Any
    supervisor: Any
    contract_id: uuid.UUID = field(default_factory=uuid.uuid4)
    case_id: uuid.UUID = field(default_factory=uuid.uuid4)
    form: dict[str, Any] = field(default_factory=lambda: {"employee": {"first_name": "Léa", "last_name": "Petit"}})

    @property
    def staff(self) -> set[uuid.UUID]:
        return {self.reviewer.account_id, self.other_reviewer.account_id, self.supervisor.account_id}

    def transmit(self, revision: int) -> Any:
        return self.world.contract(
            self.contract_id,
            c.ContractTransmitted,
            self.employer,
            revision=revision,
            form=self.form,
            transmitted_at=NOW,
        )

    def upload(self) -> docs.DocumentUploaded:
        return docs.DocumentUploaded(
            document_id=uuid.uuid4(), contract_id=self.contract_id, document_type="convention_formation", version=1,
            filename="convention.pdf", size=10, sha256="0" * 64, media_type="application/pdf", uploaded_at=NOW,
            uploaded_by=self.employer.account_id,
        )  # fmt: skip


async def case_world(deliver: Any) -> CaseWorld:
    world = World()
    people = CaseWorld(
        world,
        employer=world.person("Paul Dupain", world.employer, role="admin"),
        reviewer=world.person("Inès Roche", world.opco, role="reviewer"),
        other_reviewer=world.person("Rémi Instructeur", world.opco, role="reviewer"),
        supervisor=world.person("Sarah Superviseuse", world.opco, role="supervisor"),
    )
    await deliver(*world.drain())
    return people


async def test_a_clock_alert_reaches_the_assigned_reviewer_and_the_supervisors(deliver, notifier):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    assigned = world.person("Rita Instructrice", world.opco, role="reviewer")
    other = world.person("Rémi Instructeur", world.opco, role="reviewer")
    supervisor = world.person("Sarah Superviseuse", world.opco, role="supervisor")
    await deliver(*world.drain())
    contract_id = uuid.uuid4()
    await deliver(world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=unique_address("x")))
    alert = o.DeadlineApproached(
        case_id=uuid.uuid4(), contract_id=contract_id, revision=1, opco_code=world.opco.opco_code or "",
        due_at=NOW, days_left=2, assignee_id=assigned.account_id, silence="refusal",
    )  # fmt: skip
    await deliver(alert)
    rows = await notifications_of(notifier, contract_id=contract_id, kind="clock_alert")
    assert sorted(r.account_id for r in rows) == sorted([assigned.account_id, supervisor.account_id])
    assert other.account_id not in {r.account_id for r in rows} and all(r.legal for r in rows)


async def test_a_case_given_to_a_reviewer_tells_them_and_its_news_reach_them_alone(deliver, notifier):
    cw = await case_world(deliver)
    world, reviewer, other, supervisor = cw.world, cw.reviewer, cw.other_reviewer, cw.supervisor
    contract_id, case_id = cw.contract_id, cw.case_id
    opco_code = world.opco.opco_code or ""
    await deliver(
        cw.transmit(1),
        o.CaseOpened(case_id=case_id, contract_id=contract_id, revision=1, opco_code=opco_code, decision_due_on=NOW.date()),
    )  # fmt: skip

    def assigned(to: Any, by: Any) -> o.CaseAssigned:
        return o.CaseAssigned(
            case_id=case_id, contract_id=contract_id, revision=1, opco_code=opco_code,
            assignee_id=to.account_id if to else None, assignee_name=to.full_name if to else None,
            actor_id=by.account_id, assigned_at=NOW,
        )  # fmt: skip

    given = record(assigned(reviewer, supervisor))
    await deliver(given)
    await deliver(given)  # redelivered: told once
    rows = await notifications_of(notifier, contract_id=contract_id, kind="case_assigned")
    assert [r.account_id for r in rows] == [reviewer.account_id]
    assert rows[0].title == "Dossier attribué : Léa Petit"
    assert rows[0].link == f"https://portail.test/instruction/dossiers/{case_id}" and rows[0].web
    # The employer's upload now reaches the assignee alone, not every reviewer.
    await deliver(cw.upload())
    rows = await notifications_of(notifier, contract_id=contract_id, kind="document_received")
    assert [r.account_id for r in rows if r.account_id in cw.staff] == [reviewer.account_id]
    # A reviewer who takes a case themself is not told of it; handed back to the queue, the case's news reach the
    # reviewers again.
    await deliver(assigned(other, other))
    assert len(await notifications_of(notifier, contract_id=contract_id, kind="case_assigned")) == 1
    await deliver(assigned(None, supervisor))
    async with notifier.uow() as uow:
        row = await known_contract(uow, contract_id)
    assert row is not None and row.case_assignee is None


async def test_each_notification_told_is_published_once_per_channel(deliver, notifier, client, tokens, mail_loop):
    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    address = unique_address("sans-compte")
    contract_id, invited_id = uuid.uuid4(), uuid.uuid4()
    accepted = record(world.contract(contract_id, c.ContractAccepted, employer))
    await deliver(
        world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer.email),
        world.contract(invited_id, c.ContractProposed, cfa_user, employer_email=address),
    )
    await deliver(accepted)
    await deliver(accepted)  # redelivered: nothing told twice, nothing published twice
    [told] = [
        r for r in await notifications_of(notifier, contract_id=contract_id) if r.account_id == cfa_user.account_id
    ]
    headers = bearer(tokens, cfa_user.account_id)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        listing = (await client.get(f"/contracts/{contract_id}/notifications", headers=headers)).json()
        if listing["items"] and listing["items"][0]["email"]["status"] == "sent":
            break
        await asyncio.sleep(0.1)
    async with notifier.uow_factory() as uow:
        payloads = (
            await uow.session.execute(sa.text("SELECT payload FROM outbox WHERE topic = 'notification.sent'"))
        ).scalars()
        published = [json.loads(p) for p in payloads]
    mine = [p for p in published if p["notification_id"] == str(told.id)]
    assert sorted(p["channel"] for p in mine) == ["email", "web"]
    for event in mine:
        assert event["account_id"] == str(cfa_user.account_id) and event["contract_id"] == str(contract_id)
        assert event["kind"] == "contract_accepted" and event["legal"] is False
        assert event["cause_event_id"] == str(accepted[1].id)
    # The address without an account was mailed its invitation, but is nobody's notification centre.
    invited = await notifications_of(notifier, contract_id=invited_id)
    assert invited and not [p for p in published if p["notification_id"] in {str(r.id) for r in invited}]


async def test_the_staff_of_a_case_are_told_live_of_an_upload_a_resolved_anomaly_and_a_correction(
    deliver, notifier, client, tokens
):
    cw = await case_world(deliver)
    world, employer, reviewer, other_reviewer = cw.world, cw.employer, cw.reviewer, cw.other_reviewer
    contract_id, case_id, transmit, upload = cw.contract_id, cw.case_id, cw.transmit, cw.upload
    # Before the OPCO opened a case, an upload tells no staff; the first transmission reaches them as the new case.
    await deliver(world.contract(contract_id, c.ContractDrafted, employer), upload())
    await deliver(transmit(1))
    opened = o.CaseOpened(
        case_id=case_id, contract_id=contract_id, revision=1, opco_code=world.opco.opco_code or "",
        decision_due_on=NOW.date(),
    )  # fmt: skip
    await deliver(opened)
    await deliver(transmit(1))  # the same revision again (another event id): not a correction
    staff_ids = cw.staff
    staff_rows = lambda rows: sorted(  # noqa: E731
        (r.kind, str(r.account_id)) for r in rows if r.account_id in staff_ids
    )
    rows = await notifications_of(notifier, contract_id=contract_id)
    assert staff_rows(rows) == sorted(("case_opened", str(p)) for p in staff_ids)

    # The case's events: an upload, an anomaly resolved, the corrected contract; each tells the reviewers once.
    uploaded = record(upload())
    resolved = record(o.AnomalyResolved(case_id=case_id, contract_id=contract_id, revision=1, codes=["MISSING"]))
    corrected = record(transmit(2))
    for item in (uploaded, resolved, corrected):
        await deliver(item)
        await deliver(item)  # redelivered: told once
    rows = await notifications_of(notifier, contract_id=contract_id)
    reviewers = sorted(str(p.account_id) for p in (reviewer, other_reviewer))
    told = {kind: sorted(str(r.account_id) for r in rows if r.kind == kind and r.account_id in staff_ids)
            for kind in ("document_received", "anomaly_resolved", "contract_transmitted")}  # fmt: skip
    assert told == {kind: reviewers for kind in told}
    case_url = f"https://portail.test/instruction/dossiers/{case_id}"
    mine = [r for r in rows if r.account_id == reviewer.account_id and r.kind != "case_opened"]
    assert {r.link for r in mine} == {case_url} and all(r.web for r in mine)
    assert {r.title for r in mine} == {
        "Pièce reçue sur un dossier : convention de formation (Léa Petit)",
        "Anomalie levée sur un dossier : Léa Petit",
        "Contrat corrigé transmis : Léa Petit",
    }
    # Web only by default for staff: no mail queued for them; the employer keeps its own wording, not the case.
    async with notifier.uow_factory() as uow:
        mailed = set(
            (await uow.session.execute(
                sa.select(t.mails.c.account_id).where(t.mails.c.notification_id.in_([r.id for r in mine]))
            )).scalars()
        )  # fmt: skip
    assert mailed == set()
    assert all(r.link != case_url for r in rows if r.account_id not in staff_ids)
    # The reviewer's live stream and feed carry them with the contract id the back office matches its page on.
    listing = (await client.get("/notifications", headers=bearer(tokens, reviewer.account_id))).json()
    assert [n["kind"] for n in listing["items"][:3]] == [
        "contract_transmitted",
        "anomaly_resolved",
        "document_received",
    ]
    assert {n["contract_id"] for n in listing["items"][:3]} == {str(contract_id)}
    async with notifier.uow_factory() as uow:
        changes = await uow.notifications.changes_after(reviewer.account_id, 0)
    told_live = {ch.data["notification_id"] for ch in changes if ch.event == "notification"}
    assert {str(r.id) for r in mine} <= told_live

    # Once a clock alert names the assignee, only the assignee hears of the case.
    alert = o.DeadlineApproached(
        case_id=case_id, contract_id=contract_id, revision=2, opco_code=world.opco.opco_code or "",
        due_at=NOW, days_left=2, assignee_id=reviewer.account_id, silence="refusal",
    )  # fmt: skip
    await deliver(alert)
    await deliver(upload())
    rows = await notifications_of(notifier, contract_id=contract_id, kind="document_received")
    assert sorted(str(r.account_id) for r in rows if r.account_id in staff_ids) == sorted(
        reviewers + [str(reviewer.account_id)]
    )


async def test_telling_a_contracts_flow_runs_only_statements_compiled_once(service, deliver, notifier):
    """Each statement the consumer runs is compiled once and then taken from SQLAlchemy's cache: a statement
    that carries its rows in itself (`insert().values([...])`) has no cache key and was compiled anew for every
    event."""
    from sqlalchemy import event
    from sqlalchemy.engine.default import NO_CACHE_KEY

    uncached: list[str] = []

    def check(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001 - SQLAlchemy's
        if context is not None and context.cache_hit is NO_CACHE_KEY:
            uncached.append(" ".join(statement.split())[:120])

    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer_admin = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    engine = service.engine.sync_engine
    event.listen(engine, "after_cursor_execute", check)
    try:
        for _ in range(2):
            contract_id = uuid.uuid4()
            await deliver(
                world.contract(contract_id, c.ContractDrafted, cfa_user),
                world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer_admin.email),
            )
            await deliver(
                world.contract(contract_id, c.ContractAccepted, employer_admin),
                world.contract(
                    contract_id, c.ContractTransmitted, employer_admin, revision=1, form={}, transmitted_at=NOW
                ),
            )
            anomaly = o.AnomalyRaised(
                case_id=uuid.uuid4(),
                contract_id=contract_id,
                revision=1,
                raised_at=NOW,
                anomalies=[o.Anomaly(code="NIR", kind="field_error", field="employee.nir", message="Le NIR est faux.")],
            )
            await deliver(anomaly)
    finally:
        event.remove(engine, "after_cursor_execute", check)
    told = await notifications_of(notifier, contract_id=contract_id)
    assert sorted(r.kind for r in told) == [
        "anomaly_raised",
        "anomaly_raised",
        "contract_accepted",
        "contract_proposed",
        "contract_transmitted",
    ]
    assert uncached == []


async def test_an_event_reads_its_contracts_row_once(service, deliver, notifier):
    """The projection locks the contract's row and writes it; the recipients then come from that row as written,
    not from a second read (the row is this transaction's until the commit)."""
    from sqlalchemy import event

    reads: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001 - SQLAlchemy's
        if statement.lstrip().startswith("SELECT") and "FROM contracts" in statement:
            reads.append(statement)

    world = World()
    cfa_user = world.person("Claire Formation", world.cfa)
    employer_admin = world.person("Paul Dupain", world.employer, role="admin")
    await deliver(*world.drain())
    contract_id = uuid.uuid4()
    await deliver(world.contract(contract_id, c.ContractDrafted, cfa_user))
    engine = service.engine.sync_engine
    event.listen(engine, "after_cursor_execute", count)
    try:
        await deliver(world.contract(contract_id, c.ContractProposed, cfa_user, employer_email=employer_admin.email))
        proposed = len(reads)
        await deliver(world.contract(contract_id, c.ContractAccepted, employer_admin))
    finally:
        event.remove(engine, "after_cursor_execute", count)
    assert (proposed, len(reads)) == (1, 2)
    told = await notifications_of(notifier, contract_id=contract_id)
    assert sorted(r.kind for r in told) == ["contract_accepted", "contract_proposed"]


async def test_the_directorys_party_clauses_match_only_identifiers_the_contract_has(notifier):
    """A side's members, admins and followers, with the parties as parameters of statements built once: a missing
    identifier matches nobody (it is NULL), a training organisation is found by its UAI or its SIRET."""
    from passerelle.libs.access import Side
    from passerelle.notifier.adapters.repositories import Parties

    def siret() -> str:
        return str(uuid.uuid4().int)[:14]

    employer_siret, cfa_uai, cfa_siret = siret(), f"{uuid.uuid4().int % 10**7:07d}X", siret()
    people = {name: uuid.uuid4() for name in ("boss", "cfa_by_uai", "cfa_by_siret", "follower", "reader", "gone")}
    contract_id = uuid.uuid4()
    async with notifier.uow_factory() as uow:
        d = uow.directory
        for name, kind, role, values in [
            ("boss", "employer", "admin", {"siret": employer_siret}),
            ("cfa_by_uai", "training", "admin", {"uai": cfa_uai}),
            ("cfa_by_siret", "training", "contributor", {"siret": cfa_siret}),
            ("follower", "training", "contributor", {"uai": cfa_uai}),
            ("reader", "employer", "contributor", {"siret": employer_siret}),
        ]:
            await d.upsert_membership(
                {"membership_id": uuid.uuid4(), "account_id": people[name], "organisation_id": uuid.uuid4(),
                 "kind": kind, "role": role, **values}
            )  # fmt: skip
        await uow.follows.add(people["follower"], "uai", cfa_uai)
        await uow.follows.add(people["reader"], "contract", str(contract_id))
        await uow.follows.add(people["gone"], "contract", str(contract_id))  # no membership: never told
        await uow.commit()
    full = Parties(employer_siret, cfa_uai, cfa_siret)
    by_siret_only = Parties(None, None, cfa_siret)
    async with notifier.uow_factory() as uow:
        d = uow.directory
        assert await d.side_of(people["boss"], full) == Side.EMPLOYER
        assert await d.side_of(people["cfa_by_uai"], full) == Side.TRAINING
        assert await d.side_of(people["cfa_by_uai"], by_siret_only) is None
        assert await d.side_of(people["cfa_by_siret"], by_siret_only) == Side.TRAINING
        assert await d.side_of(people["boss"], by_siret_only) is None
        assert await d.side_admins(full, Side.EMPLOYER) == [people["boss"]]
        assert await d.side_admins(by_siret_only, Side.EMPLOYER) == []
        assert await d.side_admins(full, Side.TRAINING) == [people["cfa_by_uai"]]
        assert await d.followers(full, [Side.EMPLOYER, Side.TRAINING], contract_id) == {
            Side.EMPLOYER: [people["reader"]],
            Side.TRAINING: [people["follower"]],
        }
        assert await d.followers(by_siret_only, [Side.TRAINING], contract_id) == {Side.TRAINING: []}
