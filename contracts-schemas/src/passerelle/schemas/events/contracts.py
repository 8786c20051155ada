"""Events of the contracts context: a contract file's life from draft to amendment."""

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from pydantic import Field

from passerelle.schemas.base import Event
from passerelle.schemas.events.common import ContractParties, ContractType, DocumentRef


class ContractEvent(Event):
    subject_field: ClassVar[str | None] = "contract_id"

    contract_id: UUID = Field(description="The contract; also the Kafka key")
    contract_type: ContractType = Field(description="apprentissage (CERFA 10103) or professionnalisation (12434)")
    parties: ContractParties = Field(description="The organisations on the contract")
    actor_id: UUID | None = Field(default=None, description="The account that acted, if a person did")
    version: int | None = Field(
        default=None,
        ge=1,
        description=(
            "The contract's version after this change (the ETag of the contracts API): it grows with every change, "
            "and the events of one change share it. Consumers decide which of two events is newer by it, never by "
            "occurred_at (passerelle.libs.revisions)"
        ),
    )


class ContractDrafted(ContractEvent):
    topic: ClassVar[str] = "contract.drafted"


class ContractProposed(ContractEvent):
    """A training organisation pre-filled its part and sent the contract to the employer's e-mail."""

    topic: ClassVar[str] = "contract.proposed"
    employer_email: str = Field(description="Where the proposal was sent")


class ContractAccepted(ContractEvent):
    """The employer accepted a proposal: it may now read and complete it (nothing is transmitted)."""

    topic: ClassVar[str] = "contract.accepted"


class ContractDeclined(ContractEvent):
    """The employer declined a training organisation's proposal: the draft is the organisation's alone again
    (`parties.employer_may_see` is false), and it may address it to another employer."""

    topic: ClassVar[str] = "contract.declined"
    reason: str | None = Field(default=None, description="The employer's reason, in French, if it gave one")


class ContractUpdated(ContractEvent):
    topic: ClassVar[str] = "contract.updated"
    revision: int = Field(ge=1, description="The revision being edited")
    tabs: list[str] = Field(default_factory=list, description="The tabs whose fields changed")


class ContractTransmitted(ContractEvent):
    """The employer transmitted a complete, valid contract to the OPCO."""

    topic: ClassVar[str] = "contract.transmitted"
    revision: int = Field(ge=1, description="Revision transmitted; a new one after each correction")
    is_amendment: bool = Field(default=False, description="True when this revision is a modification request")
    form: dict[str, Any] = Field(description="The whole contract form, tab by tab, as the contracts API shows it")
    documents: list[DocumentRef] = Field(default_factory=list, description="The documents attached")
    transmitted_at: datetime = Field(description="When it was transmitted")


class ContractTransferred(ContractEvent):
    """The contract was handed to a colleague of the same SIRET or UAI."""

    topic: ClassVar[str] = "contract.transferred"
    from_account_id: UUID | None = Field(default=None, description="Previous person in charge")
    to_account_id: UUID = Field(description="New person in charge")


class ContractArchived(ContractEvent):
    topic: ClassVar[str] = "contract.archived"


class ContractDeleted(ContractEvent):
    """A draft was deleted (only drafts may be)."""

    topic: ClassVar[str] = "contract.deleted"


class AmendmentRequested(ContractEvent):
    """After engagement, a modification request opened a new editable revision."""

    topic: ClassVar[str] = "amendment.requested"
    revision: int = Field(ge=1, description="The new revision opened for the amendment")


class BulkDraftsCompleted(Event):
    """A bulk drafting request (`POST /bulk/drafts`) was worked through: every draft was created or refused.

    Partners' software may wait for this event instead of polling the submission's status; the results per
    draft stay at `GET /bulk/drafts/{submission_id}`.
    """

    topic: ClassVar[str] = "bulk_drafts.completed"
    subject_field: ClassVar[str | None] = "submission_id"

    submission_id: UUID = Field(description="The submission; also the Kafka key")
    request_key: str = Field(description="The caller's Idempotency-Key of the request")
    submitted_by: UUID = Field(description="The account or API client that submitted it")
    submitter_kind: str = Field(description="'user' or 'client' (an API client of a training organisation)")
    total: int = Field(ge=0, description="Drafts submitted")
    created: int = Field(ge=0, description="Drafts created")
    refused: int = Field(ge=0, description="Drafts refused (each with its error in the results)")
    contract_ids: list[UUID] = Field(default_factory=list, description="The contracts created, in submission order")
    finished_at: datetime = Field(description="When the last draft was processed")
