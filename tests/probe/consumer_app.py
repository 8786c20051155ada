"""The probe consumer: a real service built from libs that applies probe.recorded events.

PROBE_DATABASE_URL=... uvicorn tests.probe.consumer_app:app --port ...
"""

from typing import ClassVar

import sqlalchemy as sa
from pydantic_settings import SettingsConfigDict

from passerelle.libs.consumer import ConsumerGroup
from passerelle.libs.service import Service
from passerelle.libs.settings import ServiceSettings
from passerelle.libs.unit_of_work import SqlUnitOfWork
from passerelle.schemas import Envelope
from passerelle.schemas.events.platform import ProbeRecorded
from tests.probe.model import probe_effect

GROUP = "probe-consumer"


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore")
    service_name: ClassVar[str] = "probe"
    relay_in_process: bool = False
    # When set, the consumer fails on this sequence number every time (a poison message).
    poison_sequence: int | None = None


def consumers(service: Service) -> ConsumerGroup:
    settings: ProbeSettings = service.settings  # type: ignore[assignment]
    group = ConsumerGroup(GROUP, uow_factory=lambda: SqlUnitOfWork(service.sessions, "probe"))

    @group.on_batch(ProbeRecorded.topic)
    async def apply(uow: SqlUnitOfWork, batch: list[tuple[Envelope, ProbeRecorded]]) -> None:
        for _, event in batch:
            if event.sequence == settings.poison_sequence:
                raise ValueError(f"poison probe {event.sequence}")
        rows = [{"run_id": e.run_id, "sequence": e.sequence, "recorded_at": e.recorded_at} for _, e in batch]
        await uow.session.execute(sa.insert(probe_effect), rows)

    return group


service = Service(ProbeSettings(), title="Passerelle probe consumer", consumers=consumers)
app = service.app()
