"""Events of the OPCO processing context: review cases and decisions."""

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from passerelle.schemas.base import Event


class Anomaly(BaseModel):
    """One thing missing or wrong in a transmitted contract."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    code: str = Field(description="Stable anomaly code, e.g. MISSING_TRAINING_AGREEMENT")
    kind: Literal["missing_document", "field_error"] = Field(description="Fixed by an upload, or by a correction")
    field: str | None = Field(default=None, description="Field path of the contract, for a field error")
    tab: str | None = Field(default=None, description="The form tab of the field (or documents), to show it in place")
    document_type: str | None = Field(default=None, description="Expected document type, for a missing document")
    message: str = Field(description="French explanation for the employer")


class CaseEvent(Event):
    subject_field: ClassVar[str | None] = "contract_id"

    case_id: UUID = Field(description="The review case")
    contract_id: UUID = Field(description="The contract; also the Kafka key")
    revision: int = Field(ge=1, description="The contract revision reviewed")


class CaseOpened(CaseEvent):
    topic: ClassVar[str] = "case.opened"
    opco_code: str = Field(description="The OPCO in charge")
    decision_due_on: date = Field(description="Legal deadline of the decision")


class AnomalyRaised(CaseEvent):
    topic: ClassVar[str] = "anomaly.raised"
    anomalies: list[Anomaly] = Field(min_length=1, description="Everything missing or wrong")
    letter_document_id: UUID | None = Field(default=None, description="The anomaly letter stored on the contract")
    raised_at: datetime = Field(description="When the anomaly was raised")
    answer_due_on: date | None = Field(default=None, description="The day the OPCO expects the answer by, if set")


class AnomalyResolved(CaseEvent):
    topic: ClassVar[str] = "anomaly.resolved"
    codes: list[str] = Field(description="Anomaly codes resolved (e.g. by a document upload)")


class ContractEngaged(CaseEvent):
    topic: ClassVar[str] = "contract.engaged"
    opco_file_number: str = Field(description="The OPCO's file number for the contract")
    letter_document_id: UUID | None = Field(default=None, description="The agreement letter stored on the contract")
    engaged_at: datetime = Field(description="When the OPCO engaged it")


class ContractRefused(CaseEvent):
    topic: ClassVar[str] = "contract.refused"
    reason: str = Field(description="French reason, e.g. the legal deadline passed without a complete file")
    refused_at: datetime = Field(description="When it was refused")
    letter_document_id: UUID | None = Field(default=None, description="The refusal letter stored on the contract")


class ContractDeposited(CaseEvent):
    """The OPCO deposited the engaged contract with the administration (DECA)."""

    topic: ClassVar[str] = "contract.deposited"
    opco_file_number: str = Field(description="The OPCO's file number")
    deposit_number: str = Field(description="The administration's registration number")
    deposited_at: datetime = Field(description="When it was deposited")


class DeadlineApproached(CaseEvent):
    """The legal decision period of a case ends soon: the assigned reviewer and the supervisors are told."""

    topic: ClassVar[str] = "deadline.approached"
    opco_code: str = Field(description="The OPCO in charge")
    due_at: datetime = Field(description="When the period ends (silence then decides)")
    days_left: int = Field(ge=0, description="The alert threshold reached, in days before the end")
    assignee_id: UUID | None = Field(default=None, description="The reviewer the case is assigned to, if any")
    silence: Literal["refusal", "acceptance"] = Field(description="What silence means at the end of the period")


class CaseAssigned(CaseEvent):
    """A review case was given to a reviewer (taken by them, or assigned by a supervisor), or handed back to the
    queue: the notifier tells the new assignee when someone else gave it to them, and addresses the case's later
    news to them."""

    topic: ClassVar[str] = "case.assigned"
    opco_code: str = Field(description="The OPCO in charge")
    assignee_id: UUID | None = Field(default=None, description="The reviewer now in charge; none: back in the queue")
    assignee_name: str | None = Field(default=None, description="The reviewer's name, as the back office shows it")
    actor_id: UUID | None = Field(default=None, description="Who assigned it (the reviewer themself when taken)")
    assigned_at: datetime = Field(description="When it was assigned")
