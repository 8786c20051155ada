"""The base class of every event payload."""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """An event payload. Subclasses name their topic and schema version.

    Payloads ignore unknown fields, so a producer may add optional fields without breaking
    consumers that were built against an older version of the model.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    topic: ClassVar[str]
    schema_version: ClassVar[int] = 1
    # The payload field that carries the subject (the Kafka key): the contract id for contract events.
    subject_field: ClassVar[str | None] = None

    def subject(self) -> str | None:
        if self.subject_field is None:
            return None
        value = getattr(self, self.subject_field)
        return None if value is None else str(value)
