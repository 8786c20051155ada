"""Does a new JSON Schema of an event still serve the consumers built against the published one?

Consumers read events produced under the new schema, and replay events written under the old one,
so a change is compatible only if it is safe both ways:
- a field consumers could rely on (required) may not disappear or become optional;
- a new field must be optional, since old events in the log do not carry it;
- a field's type may not change, nor may an enumeration lose or gain values, nor may a
  constraint tighten (old events could fail it).
A breaking change is shipped as a new schema version, beside the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JsonSchema = dict[str, Any]
_CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "format",
    "const",
)


@dataclass(frozen=True)
class Breakage:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _resolve(schema: JsonSchema, root: JsonSchema) -> JsonSchema:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root.get("$defs", {})[name]
    return schema


def _variants(schema: JsonSchema, root: JsonSchema) -> list[JsonSchema]:
    schema = _resolve(schema, root)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            out: list[JsonSchema] = []
            for sub in schema[key]:
                out.extend(_variants(sub, root))
            return out
    return [schema]


def _type_signature(schema: JsonSchema, root: JsonSchema) -> set[str]:
    kinds = set()
    for v in _variants(schema, root):
        t = v.get("type")
        if isinstance(t, list):
            kinds.update(t)
        elif t is not None:
            kinds.add(t)
        elif "enum" in v or "const" in v:
            kinds.add("enum")
        elif "allOf" in v:
            kinds.add("object")
        else:
            kinds.add("any")
    return kinds


def check(old: JsonSchema, new: JsonSchema) -> list[Breakage]:
    """Every way `new` would break a consumer of `old` (an empty list means compatible)."""
    return _compare(old, new, old, new, "$")


def _compare(old: JsonSchema, new: JsonSchema, old_root: JsonSchema, new_root: JsonSchema, path: str) -> list[Breakage]:
    problems: list[Breakage] = []
    old_r, new_r = _resolve(old, old_root), _resolve(new, new_root)
    old_types, new_types = _type_signature(old_r, old_root), _type_signature(new_r, new_root)
    if "any" not in old_types and old_types != new_types:
        lost, gained = old_types - new_types, new_types - old_types
        if lost:
            problems.append(Breakage(path, f"type no longer accepts {sorted(lost)}"))
        if gained:
            problems.append(Breakage(path, f"type now also allows {sorted(gained)}, unknown to consumers"))
        return problems

    old_enum = {x for v in _variants(old_r, old_root) for x in v.get("enum", [])}
    new_enum = {x for v in _variants(new_r, new_root) for x in v.get("enum", [])}
    if old_enum and old_enum != new_enum:
        if old_enum - new_enum:
            problems.append(Breakage(path, f"values removed: {sorted(map(str, old_enum - new_enum))}"))
        if new_enum - old_enum:
            problems.append(Breakage(path, f"values added: {sorted(map(str, new_enum - old_enum))}"))

    old_objs = [v for v in _variants(old_r, old_root) if "properties" in v]
    new_objs = [v for v in _variants(new_r, new_root) if "properties" in v]
    if old_objs and new_objs:
        problems += _compare_objects(old_objs[0], new_objs[0], old_root, new_root, path)

    old_items = [v["items"] for v in _variants(old_r, old_root) if "items" in v]
    new_items = [v["items"] for v in _variants(new_r, new_root) if "items" in v]
    if old_items and new_items:
        problems += _compare(old_items[0], new_items[0], old_root, new_root, path + "[]")

    for key in _CONSTRAINTS:
        o = [v.get(key) for v in _variants(old_r, old_root) if key in v]
        n = [v.get(key) for v in _variants(new_r, new_root) if key in v]
        if n and o != n:
            problems.append(Breakage(path, f"constraint {key} changed from {o or None} to {n}"))
    return problems


def _compare_objects(
    old: JsonSchema, new: JsonSchema, old_root: JsonSchema, new_root: JsonSchema, path: str
) -> list[Breakage]:
    problems: list[Breakage] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
    for name in old_props:
        where = f"{path}.{name}"
        if name not in new_props:
            if name in old_req:
                problems.append(Breakage(where, "required field removed"))
            continue
        if name in old_req and name not in new_req:
            problems.append(Breakage(where, "required field became optional"))
        problems += _compare(old_props[name], new_props[name], old_root, new_root, where)
    for name in new_req - old_req:
        if name not in old_props:
            problems.append(Breakage(f"{path}.{name}", "new required field: events already written lack it"))
        elif name in old_props:
            problems.append(Breakage(f"{path}.{name}", "optional field became required"))
    return problems
