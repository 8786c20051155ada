"""The committed JSON Schemas match the models, and every model round-trips through a Kafka record."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from passerelle.schemas import EVENTS, Envelope, decode_record, encode_record
from passerelle.schemas.envelope import MalformedMessage
from passerelle.schemas.events.common import ContractParties
from passerelle.schemas.events.contracts import ContractTransmitted
from passerelle.schemas.export import run


def test_committed_schemas_are_current_and_compatible(tmp_path):
    # Against the committed folder: any stale, missing or breaking schema is listed.
    assert run(check_only=True) == []


def test_export_refuses_a_breaking_change(tmp_path):
    run(check_only=False, directory=tmp_path)
    target = tmp_path / "contract.transmitted.v1.json"
    published = json.loads(target.read_text())
    # Pretend the published v1 had a required field that the current model no longer has.
    published["properties"]["former_field"] = {"type": "string"}
    published["required"].append("former_field")
    target.write_text(json.dumps(published))
    problems = run(check_only=True, directory=tmp_path)
    assert problems == ["contract.transmitted v1 breaks consumers: $.former_field: required field removed"]


IRREGULAR_PAST = {"sent"}


def test_topics_are_thing_dot_past_tense():
    for event in EVENTS:
        thing, verb = event.topic.split(".")
        assert thing and (verb.endswith("ed") or verb in IRREGULAR_PAST), event.topic


def test_every_event_has_described_fields():
    for event in EVENTS:
        for name, field in event.model_fields.items():
            assert field.description, f"{event.__name__}.{name} has no description"


def test_record_round_trip_keeps_envelope_and_key():
    contract_id = uuid.uuid4()
    event = ContractTransmitted(
        contract_id=contract_id,
        contract_type="apprentissage",
        parties=ContractParties(employer_siret="73282932000074"),
        revision=2,
        form={"employer": {"siret": "73282932000074", "name": "Épicerie"}},
        transmitted_at=datetime.now(UTC),
    )
    envelope = Envelope(type=event.topic, schema_version=1, producer="contracts", subject=event.subject())
    key, value, headers = encode_record(envelope, event)
    assert key == str(contract_id).encode()
    assert dict(headers)["ce_type"] == b"contract.transmitted"
    decoded_envelope, payload = decode_record(value, headers)
    assert decoded_envelope == envelope
    assert payload == event


@pytest.mark.parametrize(
    "value, headers",
    [
        (b"{}", []),
        (b"not json", Envelope(type="contract.archived", schema_version=1, producer="x").headers()),
        (b"{}", Envelope(type="unknown.happened", schema_version=1, producer="x").headers()),
    ],
)
def test_malformed_records_are_refused(value, headers):
    with pytest.raises(MalformedMessage):
        decode_record(value, headers)


def test_a_nul_character_anywhere_in_a_payload_is_refused_but_an_escaped_backslash_u_is_not():
    event = ContractTransmitted(
        contract_id=uuid.uuid4(),
        contract_type="apprentissage",
        parties=ContractParties(employer_siret="73282932000074"),
        revision=1,
        form={"employer": {"name": "Épicerie\\u0000 du coin"}},  # the six characters, not a NUL
        transmitted_at=datetime.now(UTC),
    )
    envelope = Envelope(type=event.topic, schema_version=1, producer="contracts", subject=event.subject())
    _, value, headers = encode_record(envelope, event)
    assert decode_record(value, headers)[1] == event
    for poisoned in (
        event.model_copy(update={"form": {"employer": {"name": "Épicerie\x00"}}}),
        event.model_copy(update={"parties": ContractParties(employer_siret="7328293\x000074")}),
        event.model_copy(update={"form": {"tabs": [{"\x00": 1}]}}),
    ):
        _, value, headers = encode_record(envelope, poisoned)
        with pytest.raises(MalformedMessage, match="NUL"):
            decode_record(value, headers)
