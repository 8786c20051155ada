"""Events of the platform's own machinery: probes that the delivery tests and benchmarks send."""

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from passerelle.schemas.base import Event


class ProbeRecorded(Event):
    """A probe change written through an outbox; the reliability test and the benchmark count them."""

    topic: ClassVar[str] = "probe.recorded"
    subject_field: ClassVar[str | None] = "key"

    key: str = Field(description="Partitioning key of the probe stream")
    sequence: int = Field(ge=0, description="Sequence number of the change, unique per run")
    run_id: str = Field(description="The test or benchmark run the probe belongs to")
    padding: str = Field(default="", description="Filler to reach a given message size")
    recorded_at: datetime = Field(description="When the change was committed")
