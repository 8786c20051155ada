"""Every answer a contract can hold has its French label in the field registry (the catalogue's questions and the
answers that are not questions): nothing a reviewer picks or reads is named by its path."""

from __future__ import annotations

import types
import typing
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from passerelle.contracts.domain.codes import ContractType
from passerelle.contracts.domain.form import ContractForm
from passerelle.contracts.domain.labels import answers_not_asked, field_registry
from passerelle.contracts.domain.tabs import tab_of


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The form part an annotation holds (`X | None`, `list[X] | None`), and whether it is a list of them."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg is not type(None):
                return _model_of(arg)
    if origin is list:
        inner, _ = _model_of(get_args(annotation)[0])
        return inner, True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def answer_paths(model: type[BaseModel] = ContractForm, prefix: str = "") -> list[str]:
    """Every leaf of the form model, rows of a list written `[]`."""
    hints = typing.get_type_hints(model)
    paths: list[str] = []
    for name in model.model_fields:
        path = f"{prefix}.{name}" if prefix else name
        part, is_list = _model_of(hints[name])
        if part is None:
            paths.append(path)
        else:
            paths += answer_paths(part, path + ("[]" if is_list else ""))
    return paths


def test_the_walk_reaches_nested_parts_and_list_rows():
    paths = answer_paths()
    assert "employee.legal_representative.address.city" in paths
    assert "tutors[].birth_date" in paths and "contract.pay_schedule[].gross_monthly" in paths


def test_every_answer_of_the_form_has_a_french_label():
    labels = {a.path: a.label for a in field_registry()}
    unlabelled = [path for path in answer_paths() if not labels.get(path, "").strip()]
    assert unlabelled == []


def test_the_registry_names_each_path_once_on_its_tab_and_only_real_answers():
    registry = field_registry()
    assert len({a.path for a in registry}) == len(registry)
    known = set(answer_paths())
    assert [a.path for a in answers_not_asked() if a.path not in known] == []  # no label for a field that is not
    for answer in registry:
        assert answer.tab == tab_of(answer.path) and answer.contract_types <= set(ContractType)


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("contract.pay_schedule[].rate_percent", "Taux appliqué sur la période (en %)"),
        ("training.organisation.email", "Adresse électronique de l'organisme de formation"),
    ],
)
def test_answers_that_are_not_questions_are_labelled_from_the_data_file(path, label):
    assert {a.path: a.label for a in field_registry()}[path] == label
