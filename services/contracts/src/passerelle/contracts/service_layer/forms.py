"""Reading a tab or a whole form from a request body, and telling which fields a save changed.

Errors carry the field's full path in the form (`employer.address.postcode`, `tutors[0].birth_date`), so the
same path names a field in a 422, in a finding and in the history.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from passerelle.contracts.domain.form import (
    ContractForm,
    ContractTerms,
    Employee,
    Employer,
    FormPart,
    Introduction,
    Synthesis,
    Training,
    Tutor,
)
from passerelle.contracts.domain.tabs import Tab, tab_of
from passerelle.libs.errors import FieldError, InvalidInput, field_path, french_message


class TutorTab(FormPart):
    """The Tuteur tab: one or two tutors and the employer's attestation of their eligibility."""

    tutors: list[Tutor] = Field(default_factory=list, description="One or two tutors", max_length=5)
    tutor_eligibility_attested: bool | None = Field(
        None, description="The employer attests that the tutors meet the legal conditions"
    )


# The tab -> (form attribute, model of its content); the Tuteur tab spans two root fields.
TAB_MODELS: dict[Tab, tuple[str | None, type[BaseModel]]] = {
    Tab.INTRODUCTION: ("introduction", Introduction),
    Tab.EMPLOYER: ("employer", Employer),
    Tab.EMPLOYEE: ("employee", Employee),
    Tab.TUTOR: (None, TutorTab),
    Tab.CONTRACT: ("contract", ContractTerms),
    Tab.TRAINING: ("training", Training),
    Tab.SYNTHESIS: ("synthesis", Synthesis),
}
EDITABLE_TABS = tuple(TAB_MODELS)


def invalid_input(exc: ValidationError, prefix: str = "") -> InvalidInput:
    fields = []
    for error in exc.errors():
        path = field_path(tuple(error["loc"]))
        if prefix:
            path = prefix if path == "body" else f"{prefix}.{path}"
        fields.append(FieldError(path=path, code=error.get("type", "invalid"), message=french_message(error)))
    return InvalidInput(fields)


def parse_form(data: Any) -> ContractForm:
    try:
        return ContractForm.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def parse_tab(tab: Tab, data: Any) -> dict[str, Any]:
    """The form's root fields set by this tab's content (validated; unknown fields rejected)."""
    if tab not in TAB_MODELS:
        raise InvalidInput(
            [FieldError("tab", "tab_not_editable", "Cet onglet se complète en déposant les pièces du contrat.")],
            message="Cet onglet ne se modifie pas directement.",
        )
    attribute, model = TAB_MODELS[tab]
    try:
        parsed: Any = model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc, attribute or "") from exc
    if attribute is None:
        return {"tutors": parsed.tutors, "tutor_eligibility_attested": parsed.tutor_eligibility_attested}
    return {attribute: parsed}


def tab_content(form: ContractForm, tab: Tab) -> dict[str, Any]:
    attribute, _ = TAB_MODELS[tab]
    dumped = form.model_dump(mode="json")
    if attribute is None:
        return {"tutors": dumped["tutors"], "tutor_eligibility_attested": dumped["tutor_eligibility_attested"]}
    return dumped[attribute]


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", out)
    else:
        out[path] = value


def flat(form: ContractForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _flatten(form.model_dump(mode="json"), "", out)
    return out


def changed_paths(before: ContractForm, after: ContractForm) -> list[str]:
    """The leaf paths whose value differs (a removed tutor shows as its fields)."""
    old, new = flat(before), flat(after)
    return sorted(path for path in old.keys() | new.keys() if old.get(path) != new.get(path))


def changed_tabs(paths: list[str]) -> list[Tab]:
    found = {tab_of(path) for path in paths}
    return [tab for tab in Tab if tab in found]
