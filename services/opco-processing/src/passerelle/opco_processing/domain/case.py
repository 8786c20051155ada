"""The review case: one contract's file at its OPCO, from receipt to decision and deposit.

A case lives through revisions of the contract (a correction after an anomaly, an amendment after
engagement). It records everything done to it in its history, and the events it causes in `outbox`;
a decision's event waits in its letter until the letter is stored (see `Letter`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from .clocks import DecisionClock, Filing, local_date
from .errors import CaseConflict, CaseError, CaseNotFound


class CaseStatus(StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    ANOMALY_PENDING = "anomaly_pending"
    READY = "ready"
    ENGAGED = "engaged"
    REFUSED = "refused"
    IMPLICITLY_REFUSED = "implicitly_refused"
    IMPLICITLY_ACCEPTED = "implicitly_accepted"
    DEPOSITED = "deposited"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def open(self) -> bool:
        return self in OPEN_STATUSES


_LABELS = {
    CaseStatus.RECEIVED: "Reçu (contrôles en cours)",
    CaseStatus.IN_REVIEW: "En instruction",
    CaseStatus.ANOMALY_PENDING: "En anomalie (réponse attendue)",
    CaseStatus.READY: "Prêt",
    CaseStatus.ENGAGED: "Engagé",
    CaseStatus.REFUSED: "Refusé",
    CaseStatus.IMPLICITLY_REFUSED: "Refus implicite (délai expiré)",
    CaseStatus.IMPLICITLY_ACCEPTED: "Accord implicite (délai expiré)",
    CaseStatus.DEPOSITED: "Déposé (DECA)",
    CaseStatus.WITHDRAWN: "Retiré",
}
OPEN_STATUSES = frozenset({CaseStatus.RECEIVED, CaseStatus.IN_REVIEW, CaseStatus.READY, CaseStatus.ANOMALY_PENDING})
DECIDABLE_STATUSES = frozenset({CaseStatus.IN_REVIEW, CaseStatus.READY})
ENGAGED_STATUSES = frozenset({CaseStatus.ENGAGED, CaseStatus.IMPLICITLY_ACCEPTED})
REFUSAL_LETTER_TYPE = "autre"


class CheckResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


class Actor(Model):
    """Who acts: a member of the OPCO's staff, or the platform itself (clocks, automatic engagement)."""

    id: UUID | None = None
    name: str = "Passerelle"
    role: str = "system"

    @property
    def is_system(self) -> bool:
        return self.id is None


SYSTEM = Actor()


class Override(Model):
    result: CheckResult
    reason: str
    by: Actor
    at: datetime


class Check(Model):
    id: str
    label: str
    result: CheckResult
    reason: str
    reference: str
    blocking: bool = True
    details: dict[str, Any] = Field(default_factory=dict)
    override: Override | None = None

    @property
    def effective(self) -> CheckResult:
        return self.override.result if self.override else self.result

    @property
    def blocks(self) -> bool:
        return self.blocking and self.effective == CheckResult.FAILED


class AnomalyKind(StrEnum):
    FIELD_ERROR = "field_error"
    MISSING_DOCUMENT = "missing_document"


class Anomaly(Model):
    id: UUID = Field(default_factory=uuid4)
    code: str
    kind: AnomalyKind
    tab: str | None = None
    field: str | None = None
    document_type: str | None = None
    reason: str
    revision: int
    raised_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = None  # document_received | corrected

    @property
    def open(self) -> bool:
        return self.resolved_at is None


class Revision(Model):
    number: int
    transmitted_at: datetime
    is_amendment: bool = False
    form: dict[str, Any]
    documents: list[dict[str, Any]] = Field(default_factory=list)


class Decision(Model):
    kind: str  # engaged | anomaly | refused | implicit_refusal | implicit_acceptance
    revision: int
    at: datetime
    by: Actor
    reason: str | None = None
    legal_basis: str
    file_number: str | None = None
    funding_amount: str | None = None
    letter_id: UUID | None = None


class Letter(Model):
    """A decision's letter: rendered and stored in the background, then its event is published."""

    id: UUID = Field(default_factory=uuid4)
    kind: str  # agreement | anomaly | refusal
    document_type: str
    revision: int
    created_at: datetime
    status: str = "pending"  # pending | stored
    document_id: UUID | None = None
    stored_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    topic: str
    payload: dict[str, Any]
    # Events that must follow this letter's (an anomaly resolved before its letter was even stored).
    then: list[dict[str, Any]] = Field(default_factory=list)


class HistoryEntry(Model):
    at: datetime
    actor: Actor
    action: str
    revision: int
    details: dict[str, Any] = Field(default_factory=dict)


class Outgoing(Model):
    """An event the case caused, published in the same transaction (a decision's waits for its letter)."""

    topic: str
    payload: dict[str, Any]


class Deposit(Model):
    status: str  # deposited | not_depositable | failed
    at: datetime
    number: str | None = None
    reason: str | None = None


class ReviewCase(Model):
    id: UUID = Field(default_factory=uuid4)
    contract_id: UUID
    contract_type: str
    opco_code: str
    routing: dict[str, Any] = Field(default_factory=dict)
    parties: dict[str, Any] = Field(default_factory=dict)
    status: CaseStatus = CaseStatus.RECEIVED
    revision: int
    revisions: list[Revision] = Field(default_factory=list)
    received_at: datetime
    updated_at: datetime
    checks: list[Check] = Field(default_factory=list)
    checks_revision: int | None = None
    funding: dict[str, Any] | None = None
    anomalies: list[Anomaly] = Field(default_factory=list)
    answer_due_on: date | None = None
    decisions: list[Decision] = Field(default_factory=list)
    letters: list[Letter] = Field(default_factory=list)
    file_number: str | None = None
    assignee: Actor | None = None
    filing: dict[str, Any] | None = None
    clock_state: dict[str, Any]
    alerts_sent: list[str] = Field(default_factory=list)
    deposit: Deposit | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    outbox: list[Outgoing] = Field(default_factory=list, exclude=True)

    # --- opening and revisions -----------------------------------------------------------------
    @classmethod
    def open(
        cls,
        *,
        contract_id: UUID,
        contract_type: str,
        opco_code: str,
        routing: dict[str, Any],
        parties: dict[str, Any],
        revision: Revision,
        now: datetime,
    ) -> ReviewCase:
        clock = DecisionClock.for_case(contract_type, revision.transmitted_at)
        clock.start(revision.transmitted_at, "dossier reçu")
        case = cls(
            contract_id=contract_id,
            contract_type=contract_type,
            opco_code=opco_code,
            routing=routing,
            parties=parties,
            revision=revision.number,
            revisions=[revision],
            received_at=revision.transmitted_at,
            updated_at=now,
            clock_state=clock.as_dict(),
        )
        case._compute_filing(revision)
        case._log(now, SYSTEM, "case_opened", {"opco_code": opco_code, "routing": routing})
        case._emit("case.opened", {"opco_code": opco_code, "decision_due_on": clock.due_on()})
        return case

    def receive_revision(self, revision: Revision, now: datetime) -> bool:
        """A corrected contract or an amendment arrives; False if it is not newer (ignored)."""
        if revision.number <= self.revision:
            return False
        if self.status in (CaseStatus.REFUSED, CaseStatus.IMPLICITLY_REFUSED, CaseStatus.WITHDRAWN):
            self._log(now, SYSTEM, "revision_ignored", {"received": revision.number, "status": self.status.value})
            return False
        previous = self.current_revision
        self.revisions.append(revision)
        self.revision = revision.number
        resolved = self._close_fixed_anomalies(previous, revision, now)
        if revision.is_amendment or self.status in ENGAGED_STATUSES or self.status == CaseStatus.DEPOSITED:
            clock = DecisionClock.for_case(self.contract_type, revision.transmitted_at)
            clock.start(revision.transmitted_at, "avenant reçu")
            self.clock_state = clock.as_dict()
        else:
            clock = self.clock
            clock.pause(revision.transmitted_at, "nouvelle révision")
            self._resume_clock(clock, revision.transmitted_at, "contrat corrigé transmis")
        self.status = CaseStatus.RECEIVED
        self.answer_due_on = None
        self._compute_filing(revision)
        self._log(now, SYSTEM, "revision_received", {"revision": revision.number, "amendment": revision.is_amendment})
        if resolved:
            self._emit_resolved(resolved)
        return True

    def _resume_clock(self, clock: DecisionClock, at: datetime, reason: str) -> None:
        """The file is complete again: the period runs anew ("restart") or from where it stopped ("continue")."""
        clock.start(at, reason)
        self.clock_state = clock.as_dict()

    def _close_fixed_anomalies(self, previous: Revision, revision: Revision, now: datetime) -> list[str]:
        present = {d.get("document_type") for d in revision.documents}
        resolved = []
        for anomaly in self.open_anomalies:
            if anomaly.kind == AnomalyKind.MISSING_DOCUMENT:
                fixed = anomaly.document_type in present
            else:
                fixed = value_at(previous.form, anomaly.field) != value_at(revision.form, anomaly.field)
            if fixed:
                anomaly.resolved_at = now
                anomaly.resolution = (
                    "document_received" if anomaly.kind == AnomalyKind.MISSING_DOCUMENT else "corrected"
                )
                resolved.append(anomaly.code)
            else:
                anomaly.resolved_at = now
                anomaly.resolution = "not_corrected"
        return resolved

    def _compute_filing(self, revision: Revision) -> None:
        start = value_at(revision.form, "contract.start_date")
        if not start:
            self.filing = None
            return
        filing = Filing.of(self.contract_type, date.fromisoformat(str(start)), self.received_at)
        self.filing = {
            "contract_start": filing.contract_start,
            "due_on": filing.due_on,
            "received_on": filing.received_on,
            "late_by": filing.late_by,
            "unit": filing.period.unit,
            "reference": filing.period.reference,
        }

    # --- checks --------------------------------------------------------------------------------
    def record_checks(self, revision: int, checks: list[Check], funding: dict[str, Any] | None, now: datetime) -> bool:
        """The automated checks of a revision; False if they are stale (the case moved meanwhile), nothing recorded.

        A case whose every blocking check passes is READY (it may be engaged as it stands), otherwise IN_REVIEW."""
        if revision != self.revision or self.status != CaseStatus.RECEIVED:
            return False
        self.checks = checks
        self.checks_revision = revision
        self.funding = funding
        failed = [c.id for c in checks if c.blocks]
        self.status = CaseStatus.IN_REVIEW if failed else CaseStatus.READY
        self._log(now, SYSTEM, "checks_run", {"failed": failed, "passed": len(checks) - len(failed)})
        return True

    def override_check(self, check_id: str, result: CheckResult, reason: str, by: Actor, now: datetime) -> None:
        self._require_open("modifier un contrôle")
        if not reason.strip():
            raise CaseError("override_reason_required", "Indiquez la raison de la modification du contrôle.", "reason")
        check = next((c for c in self.checks if c.id == check_id), None)
        if check is None:
            raise CaseNotFound("check_not_found", "Ce contrôle n'existe pas sur ce dossier.", "check_id")
        check.override = Override(result=result, reason=reason.strip(), by=by, at=now)
        if self.status == CaseStatus.IN_REVIEW and not any(c.blocks for c in self.checks):
            self.status = CaseStatus.READY
        elif self.status == CaseStatus.READY and any(c.blocks for c in self.checks):
            self.status = CaseStatus.IN_REVIEW
        self._log(now, by, "check_overridden", {"check_id": check_id, "result": result.value, "reason": reason})

    # --- assignment ----------------------------------------------------------------------------
    def assign(self, assignee: Actor | None, by: Actor, now: datetime) -> None:
        changed = (self.assignee.id if self.assignee else None) != (assignee.id if assignee else None)
        self.assignee = assignee
        self._log(now, by, "assigned" if assignee else "unassigned", {"assignee": assignee.name if assignee else None})
        if changed:  # the notifier follows the case's assignee (and tells them when someone else gave it to them)
            self._emit(
                "case.assigned",
                {
                    "opco_code": self.opco_code,
                    "assignee_id": assignee.id if assignee else None,
                    "assignee_name": assignee.name if assignee else None,
                    "actor_id": by.id,
                    "assigned_at": now,
                },
            )

    # --- decisions -----------------------------------------------------------------------------
    def engage(self, by: Actor, file_number: str, now: datetime, *, automatic: bool = False) -> Letter:
        self._require_decidable("engager ce dossier")
        blocking = [c.id for c in self.checks if c.blocks]
        if blocking:
            raise CaseConflict(
                "checks_failed",
                "Des contrôles sont en échec : corrigez-les par une anomalie ou modifiez-les avec une raison "
                f"avant d'engager ({', '.join(blocking)}).",
                "checks",
            )
        return self._engage(by, file_number, now, "engaged", self._basis("engaged"), automatic=automatic)

    def _engage(
        self, by: Actor, file_number: str, now: datetime, kind: str, basis: str, *, automatic: bool = False
    ) -> Letter:
        self.file_number = self.file_number or file_number
        self.status = CaseStatus.ENGAGED if kind == "engaged" else CaseStatus.IMPLICITLY_ACCEPTED
        self._stop_clock(now, kind)
        amount = (self.funding or {}).get("amount")
        letter = self._letter(
            "agreement",
            "courrier_accord",
            now,
            "contract.engaged",
            {"opco_file_number": self.file_number, "engaged_at": now},
        )
        self.decisions.append(
            Decision(
                kind=kind,
                revision=self.revision,
                at=now,
                by=by,
                legal_basis=basis,
                file_number=self.file_number,
                funding_amount=amount,
                letter_id=letter.id,
            )
        )
        self._log(now, by, kind, {"file_number": self.file_number, "funding": amount, "automatic": automatic})
        return letter

    def raise_anomaly(self, anomalies: list[Anomaly], answer_due_on: date | None, by: Actor, now: datetime) -> Letter:
        self._require_decidable("mettre ce dossier en anomalie")
        if not anomalies:
            raise CaseError("anomalies_required", "Indiquez au moins une anomalie.", "anomalies")
        if answer_due_on is not None and answer_due_on <= local_date(now):
            raise CaseError(
                "answer_due_in_past", "La date limite de réponse doit être postérieure à aujourd'hui.", "answer_due_on"
            )
        codes = [a.code for a in anomalies]
        if len(set(codes)) != len(codes):
            raise CaseError("anomaly_duplicated", "La même anomalie est indiquée deux fois.", "anomalies")
        self.anomalies.extend(anomalies)
        self.answer_due_on = answer_due_on
        self.status = CaseStatus.ANOMALY_PENDING
        clock = self.clock
        clock.pause(now, "anomalie")
        self.clock_state = clock.as_dict()
        letter = self._letter(
            "anomaly",
            "courrier_anomalie",
            now,
            "anomaly.raised",
            {
                "anomalies": [
                    {
                        "code": a.code,
                        "kind": a.kind.value,
                        "tab": a.tab,
                        "field": a.field,
                        "document_type": a.document_type,
                        "message": a.reason,
                    }
                    for a in anomalies
                ],
                "raised_at": now,
                "answer_due_on": answer_due_on,
            },
        )
        self.decisions.append(
            Decision(
                kind="anomaly",
                revision=self.revision,
                at=now,
                by=by,
                legal_basis=self._basis("anomaly"),
                letter_id=letter.id,
                reason="; ".join(a.reason for a in anomalies),
            )
        )
        self._log(now, by, "anomaly_raised", {"codes": codes, "answer_due_on": answer_due_on})
        return letter

    def refuse(self, reason: str, by: Actor, now: datetime) -> Letter:
        self._require_decidable("refuser ce dossier")
        if len(reason.strip()) < 10:
            raise CaseError("refusal_reason_required", "Un refus doit être motivé (au moins 10 caractères).", "reason")
        return self._refuse(reason.strip(), by, now, "refused", self._basis("refused"))

    def _refuse(self, reason: str, by: Actor, now: datetime, kind: str, basis: str) -> Letter:
        self.status = CaseStatus.REFUSED if kind == "refused" else CaseStatus.IMPLICITLY_REFUSED
        self._stop_clock(now, kind)
        letter = self._letter(
            # No document type of its own yet (adding one to the schemas' enumeration is a breaking change).
            "refusal",
            REFUSAL_LETTER_TYPE,
            now,
            "contract.refused",
            {"reason": reason, "refused_at": now},
        )
        self.decisions.append(
            Decision(
                kind=kind, revision=self.revision, at=now, by=by, reason=reason, legal_basis=basis, letter_id=letter.id
            )
        )
        self._log(now, by, kind, {"reason": reason})
        return letter

    # --- documents -----------------------------------------------------------------------------
    def document_received(self, document_type: str, document_id: UUID, now: datetime) -> list[str]:
        """A document arrives on the contract: it closes the anomalies waiting for it, and resumes the case
        by itself when nothing else is awaited. Returns the codes resolved."""
        resolved = []
        for anomaly in self.open_anomalies:
            if anomaly.kind == AnomalyKind.MISSING_DOCUMENT and anomaly.document_type == document_type:
                anomaly.resolved_at = now
                anomaly.resolution = "document_received"
                resolved.append(anomaly.code)
        if not resolved:
            return []
        current = self.current_revision
        current.documents = [d for d in current.documents if d.get("document_type") != document_type] + [
            {"document_id": str(document_id), "document_type": document_type}
        ]
        self._log(now, SYSTEM, "document_received", {"document_type": document_type, "resolved": resolved})
        self._emit_resolved(resolved)
        if self.status == CaseStatus.ANOMALY_PENDING and not self.open_anomalies:
            self._resume_clock(self.clock, now, "pièce manquante reçue")
            self.status = CaseStatus.RECEIVED  # the checks run again on the completed file
            self.answer_due_on = None
            self._log(now, SYSTEM, "case_resumed", {"reason": "pièce manquante reçue"})
        return resolved

    # --- clocks --------------------------------------------------------------------------------
    def expire(self, now: datetime, file_number: str | None) -> Letter | None:
        """The decision period ended without a decision: silence is refusal or acceptance."""
        due = self.clock.due_at()
        if not self.status.open or self.status == CaseStatus.ANOMALY_PENDING or due is None or now < due:
            return None
        period = self.clock.period
        basis = period.reference
        if period.silence == "acceptance":
            assert file_number is not None
            return self._engage(SYSTEM, file_number, now, "implicit_acceptance", basis)
        reason = (
            "Faute de décision dans le délai de vingt jours à compter de la réception du dossier complet, "
            "le silence gardé par l'OPCO vaut refus de prise en charge."
        )
        return self._refuse(reason, SYSTEM, now, "implicit_refusal", basis)

    def alert_due(self, now: datetime, days_before: list[int]) -> list[int]:
        """The alerts (days before expiry) whose time came and that were not sent for this deadline."""
        due = self.clock.due_at()
        if due is None or not self.status.open or self.status == CaseStatus.ANOMALY_PENDING:
            return []
        out = []
        for days in sorted(days_before, reverse=True):
            key = f"{due.isoformat()}/{days}"
            if now >= due - timedelta(days=days) and now < due and key not in self.alerts_sent:
                out.append(days)
        return out

    def record_alert(self, days: int, now: datetime) -> None:
        due = self.clock.due_at()
        assert due is not None
        self.alerts_sent.append(f"{due.isoformat()}/{days}")
        self._log(now, SYSTEM, "deadline_alert", {"days_before": days, "due_at": due})
        self._emit(
            "deadline.approached",
            {
                "opco_code": self.opco_code,
                "due_at": due,
                "days_left": days,
                "assignee_id": self.assignee.id if self.assignee else None,
                "silence": self.clock.period.silence,
            },
        )

    # --- letters and deposit -------------------------------------------------------------------
    def letter(self, letter_id: UUID) -> Letter:
        found = next((x for x in self.letters if x.id == letter_id), None)
        if found is None:
            raise CaseNotFound("letter_not_found", "Courrier introuvable.", "letter_id")
        return found

    def letter_stored(self, letter_id: UUID, document_id: UUID, now: datetime) -> bool:
        """The letter is stored: its decision's event leaves now. False if it already had (nothing twice)."""
        letter = self.letter(letter_id)
        if letter.status == "stored":
            return False
        letter.status = "stored"
        letter.document_id = document_id
        letter.stored_at = now
        for decision in self.decisions:
            if decision.letter_id == letter_id:
                decision.letter_id = letter_id
        self._log(now, SYSTEM, "letter_stored", {"kind": letter.kind, "document_id": str(document_id)})
        self._emit(letter.topic, {**letter.payload, "letter_document_id": document_id}, revision=letter.revision)
        for follow in letter.then:
            self.outbox.append(Outgoing(topic=follow["topic"], payload=follow["payload"]))
        letter.then = []
        return True

    def record_deposit(self, deposit: Deposit, now: datetime) -> None:
        if self.status not in ENGAGED_STATUSES:
            raise CaseConflict("not_engaged", "Seul un dossier engagé peut être déposé.", "status")
        self.deposit = deposit
        self._log(now, SYSTEM, "deposit", deposit.model_dump(mode="json"))
        if deposit.status == "deposited":
            self.status = CaseStatus.DEPOSITED
            self._emit(
                "contract.deposited",
                {"opco_file_number": self.file_number, "deposit_number": deposit.number, "deposited_at": deposit.at},
            )

    def withdraw(self, now: datetime, reason: str) -> None:
        if self.status.open:
            self.status = CaseStatus.WITHDRAWN
            self._stop_clock(now, "withdrawn")
            self._log(now, SYSTEM, "withdrawn", {"reason": reason})

    def add_note_entry(self, by: Actor, now: datetime) -> None:
        self._log(now, by, "note_added", {})

    # --- views ---------------------------------------------------------------------------------
    @property
    def clock(self) -> DecisionClock:
        return DecisionClock.from_dict(self.clock_state)

    @property
    def current_revision(self) -> Revision:
        return self.revisions[-1]

    @property
    def open_anomalies(self) -> list[Anomaly]:
        return [a for a in self.anomalies if a.open]

    @property
    def pending_letters(self) -> list[Letter]:
        return [x for x in self.letters if x.status == "pending"]

    def due_at(self) -> datetime | None:
        return self.clock.due_at() if self.status.open and self.status != CaseStatus.ANOMALY_PENDING else None

    # --- internals -----------------------------------------------------------------------------
    def _basis(self, kind: str) -> str:
        return self.clock.period.reference

    def _stop_clock(self, now: datetime, reason: str) -> None:
        clock = self.clock
        clock.stop(now, reason)
        self.clock_state = clock.as_dict()

    def _require_open(self, action: str) -> None:
        if not self.status.open:
            raise CaseConflict("case_closed", f"Le dossier est « {self.status.label} » : impossible de {action}.")

    def _require_decidable(self, action: str) -> None:
        if self.status not in DECIDABLE_STATUSES:
            raise CaseConflict("not_decidable", f"Le dossier est « {self.status.label} » : impossible de {action}.")

    def _letter(self, kind: str, document_type: str, now: datetime, topic: str, payload: dict[str, Any]) -> Letter:
        letter = Letter(
            kind=kind,
            document_type=document_type,
            revision=self.revision,
            created_at=now,
            topic=topic,
            payload=_jsonable(payload),
        )
        self.letters.append(letter)
        return letter

    def _log(self, at: datetime, actor: Actor, action: str, details: dict[str, Any]) -> None:
        self.updated_at = at
        self.history.append(
            HistoryEntry(at=at, actor=actor, action=action, revision=self.revision, details=_jsonable(details))
        )

    def _emit(self, topic: str, payload: dict[str, Any], revision: int | None = None) -> None:
        self.outbox.append(self._outgoing(topic, payload, revision))

    def _outgoing(self, topic: str, payload: dict[str, Any], revision: int | None = None) -> Outgoing:
        base = {"case_id": self.id, "contract_id": self.contract_id, "revision": revision or self.revision}
        return Outgoing(topic=topic, payload=_jsonable({**base, **payload}))

    def _emit_resolved(self, codes: list[str]) -> None:
        """Anomalies closed; if their letter is not out yet, after it: nobody hears of a fix before the anomaly."""
        outgoing = self._outgoing("anomaly.resolved", {"codes": codes})
        waiting = [x for x in self.letters if x.status == "pending" and x.kind == "anomaly"]
        if waiting:
            waiting[-1].then.append(outgoing.model_dump(mode="json"))
        else:
            self.outbox.append(outgoing)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def value_at(form: dict[str, Any], path: str | None) -> Any:
    """The value at `employer.idcc` or `tutors[0].birth_date` in a form snapshot (None when absent)."""
    if not path:
        return None
    current: Any = form
    for part in path.replace("]", "").split("."):
        name, _, index = part.partition("[")
        if not isinstance(current, dict):
            return None
        current = current.get(name)
        if index:
            if not isinstance(current, list) or int(index) >= len(current):
                return None
            current = current[int(index)]
    return current
