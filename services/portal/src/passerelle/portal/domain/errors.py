"""The platform's field errors as the pages show them: one message per field, an error summary, counts per tab.

This is the one place where an API's `fields[{path, code, message}]` becomes what DSFR's field errors need.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    path: str
    code: str
    message: str


def field_id(path: str) -> str:
    """An HTML id for a field path (`tutors[0].birth_date` -> `f-tutors-0-birth_date`), used by labels and links."""
    out = path.replace("[", "-").replace("]", "").replace(".", "-")
    return "f-" + out


@dataclass
class FormErrors:
    """Errors of one form: a message per field (first one wins), and the form-wide message if any."""

    message: str | None = None
    by_field: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, problems: list[FieldProblem], message: str | None = None, prefix: str = "") -> FormErrors:
        errors = cls(message=message)
        for problem in problems:
            path = problem.path
            if prefix and path and not path.startswith(prefix) and path != "body":
                path = f"{prefix}{path}"
            errors.by_field.setdefault(path, problem.message)
        return errors

    def __bool__(self) -> bool:
        return bool(self.message or self.by_field)

    def get(self, path: str) -> str | None:
        return self.by_field.get(path)

    def summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, field label, message) for every field in error, in order: the links of the summary."""
        return [(field_id(p), self.labels.get(p, p), m) for p, m in self.by_field.items() if p != "body"]
