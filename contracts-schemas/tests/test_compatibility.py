"""The checker itself: it must accept compatible changes and catch each kind of breaking one."""

from typing import ClassVar, Literal

from pydantic import Field

from passerelle.schemas.base import Event
from passerelle.schemas.compatibility import check


class Published(Event):
    topic: ClassVar[str] = "thing.happened"
    contract_id: str = Field(description="id")
    revision: int = Field(ge=1, description="rev")
    status: Literal["a", "b"] = Field(description="status")
    note: str | None = Field(default=None, description="optional note")


def schema(model: type[Event]) -> dict:
    return model.model_json_schema(mode="serialization")


def reasons(new: type[Event]) -> list[str]:
    return [str(b) for b in check(schema(Published), schema(new))]


def test_identical_schema_is_compatible():
    assert reasons(Published) == []


def test_adding_an_optional_field_is_compatible():
    class AddsOptional(Published):
        extra: str | None = Field(default=None, description="new, optional")

    assert reasons(AddsOptional) == []


def test_removing_a_required_field_breaks_consumers():
    class RemovesRevision(Event):
        topic: ClassVar[str] = "thing.happened"
        contract_id: str
        status: Literal["a", "b"]
        note: str | None = None

    assert reasons(RemovesRevision) == ["$.revision: required field removed"]


def test_changing_a_type_breaks_consumers():
    class RevisionAsText(Event):
        topic: ClassVar[str] = "thing.happened"
        contract_id: str
        revision: str
        status: Literal["a", "b"]
        note: str | None = None

    found = reasons(RevisionAsText)
    assert any(r.startswith("$.revision: type") for r in found), found


def test_new_required_field_breaks_replay_of_old_events():
    class NewRequired(Published):
        opco_code: str

    assert "$.opco_code: new required field: events already written lack it" in reasons(NewRequired)


def test_required_becoming_optional_breaks_consumers():
    class OptionalRevision(Event):
        topic: ClassVar[str] = "thing.happened"
        contract_id: str
        revision: int | None = Field(default=None, ge=1)
        status: Literal["a", "b"]
        note: str | None = None

    found = reasons(OptionalRevision)
    assert "$.revision: required field became optional" in found


def test_enum_change_breaks_consumers():
    class MoreStatuses(Event):
        topic: ClassVar[str] = "thing.happened"
        contract_id: str
        revision: int = Field(ge=1)
        status: Literal["a", "b", "c"]
        note: str | None = None

    assert reasons(MoreStatuses) == ["$.status: values added: ['c']"]


def test_tightened_constraint_breaks_replay():
    class Tighter(Event):
        topic: ClassVar[str] = "thing.happened"
        contract_id: str
        revision: int = Field(ge=2)
        status: Literal["a", "b"]
        note: str | None = None

    found = reasons(Tighter)
    assert any("constraint minimum" in r for r in found), found
