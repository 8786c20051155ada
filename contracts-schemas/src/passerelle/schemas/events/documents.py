"""Events of the documents context."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from passerelle.schemas.base import Event
from passerelle.schemas.events.common import DocumentType


class DocumentUploaded(Event):
    """A clean document was stored on a contract (a new version supersedes the previous one of its type)."""

    topic: ClassVar[str] = "document.uploaded"
    subject_field: ClassVar[str | None] = "contract_id"

    document_id: UUID = Field(description="The stored document")
    contract_id: UUID = Field(description="The contract it belongs to; also the Kafka key")
    document_type: DocumentType = Field(description="What the document is")
    version: int = Field(ge=1, description="Version of this type on this contract")
    supersedes: UUID | None = Field(default=None, description="The document this version replaces")
    filename: str = Field(description="Safe display name")
    size: int = Field(ge=1, description="Size in bytes")
    sha256: str = Field(description="SHA-256 of the content, hex")
    media_type: str = Field(description="Media type sniffed from the content")
    uploaded_by: UUID | None = Field(default=None, description="Account that uploaded it; none for a service")
    uploaded_at: datetime = Field(description="When it was stored")


class DocumentRejected(Event):
    """An upload was refused (type, size, virus...): nothing was stored."""

    topic: ClassVar[str] = "document.rejected"
    subject_field: ClassVar[str | None] = "contract_id"

    contract_id: UUID = Field(description="The contract it was meant for")
    document_type: DocumentType = Field(description="Declared type")
    filename: str = Field(description="Safe display name of the refused file")
    reason_code: str = Field(description="Machine code: too_large, empty, type_not_allowed, infected, scan_failed")
    reason: str = Field(description="French explanation shown to people")
    rejected_by: UUID | None = Field(default=None, description="Account that tried to upload it")
    rejected_at: datetime = Field(description="When it was refused")
