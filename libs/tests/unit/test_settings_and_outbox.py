from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from passerelle.libs.outbox import LANES, lane_of, outbox_row
from passerelle.libs.settings import ServiceSettings
from passerelle.schemas import Envelope
from passerelle.schemas.events.platform import ProbeRecorded


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore")
    service_name: ClassVar[str] = "demo"
    database_name: ClassVar[str | None] = "demo"


def test_service_variables_win_over_platform_ones(monkeypatch):
    monkeypatch.setenv("PASSERELLE_KAFKA_BOOTSTRAP", "platform:9092")
    monkeypatch.setenv("PASSERELLE_IDENTITY_URL", "http://identity:8001")
    assert DemoSettings().kafka_bootstrap == "platform:9092"
    assert DemoSettings().jwks_url == "http://identity:8001/.well-known/jwks.json"
    monkeypatch.setenv("DEMO_KAFKA_BOOTSTRAP", "own:9092")
    assert DemoSettings().kafka_bootstrap == "own:9092"


def test_outbox_row_keeps_key_headers_and_a_stable_lane():
    from datetime import UTC, datetime

    event = ProbeRecorded(key="contract-42", sequence=1, run_id="r", recorded_at=datetime.now(UTC))
    envelope = Envelope(type=event.topic, schema_version=1, producer="demo", subject=event.subject())
    row = outbox_row(envelope, event)
    assert row["key"] == "contract-42" and row["topic"] == "probe.recorded"
    assert ["ce_id", str(envelope.id)] in row["headers"]
    assert row["lane"] == lane_of("contract-42") and 0 <= row["lane"] < LANES
    assert lane_of(None) == 0
