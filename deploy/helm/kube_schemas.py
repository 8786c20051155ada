#!/usr/bin/env python3
"""Kubernetes JSON schemas for kubeconform, made offline from the Kubernetes OpenAPI document.

kubeconform fetches its schemas from GitHub, which machines without Internet access cannot reach. The same
definitions ship in the Kubernetes Go module (api/openapi-spec/swagger.json), which the Go module proxy serves:
this script downloads that module at a pinned version (`go mod download`) and writes one standalone, strict
schema per kind, named as kubeconform's `-schema-location` template below expects.

    kube_schemas.py            prints the schema folder (built once, under $CACHE_DIR/kube-schemas/<version>)
    kubeconform -strict -schema-location "$(kube_schemas.py)/{{ .ResourceKind }}{{ .KindSuffix }}.json" ...
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

KUBERNETES_VERSION = "v1.33.4"
REPO = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("CACHE_DIR", REPO / ".stack" / "cache")).resolve()
OUT = CACHE_DIR / "kube-schemas" / KUBERNETES_VERSION

# Types the API server accepts in two JSON forms although the document says "string".
TWO_FORMS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"oneOf": [{"type": "string"}, {"type": "number"}]},
}


def swagger() -> dict[str, Any]:
    info = json.loads(
        subprocess.run(
            ["go", "mod", "download", "-json", f"k8s.io/kubernetes@{KUBERNETES_VERSION}"],
            check=True,
            capture_output=True,
            text=True,
            cwd="/tmp",
        ).stdout
    )
    return json.loads((Path(info["Dir"]) / "api" / "openapi-spec" / "swagger.json").read_text())


def strict(node: Any) -> Any:
    """Unknown fields are errors (kubectl's server-side validation does the same): objects with declared
    properties get additionalProperties: false, unless the API keeps unknown fields there."""
    if isinstance(node, dict):
        out = {k: strict(v) for k, v in node.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [strict(v) for v in node]
    return node


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.add(ref.removeprefix("#/definitions/"))
        for value in node.values():
            found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def closure(definitions: dict[str, Any], name: str) -> dict[str, Any]:
    todo, seen = [name], {}
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen[current] = definitions[current]
        todo += sorted(refs(definitions[current]) - seen.keys())
    return seen


def file_name(gvk: dict[str, str]) -> str:
    group = gvk["group"].split(".")[0]
    suffix = f"-{group}-{gvk['version']}" if group else f"-{gvk['version']}"
    return f"{gvk['kind'].lower()}{suffix}.json"


def build() -> Path:
    marker = OUT / ".complete"
    if marker.exists():
        return OUT
    definitions = swagger()["definitions"]
    definitions = {name: TWO_FORMS.get(name, strict(d)) for name, d in definitions.items()}
    OUT.mkdir(parents=True, exist_ok=True)
    for name, definition in definitions.items():
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            if name.startswith("io.k8s.apimachinery"):
                continue  # DeleteOptions, WatchEvent...: listed under every group, not resources of their own
            schema = {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "$ref": f"#/definitions/{name}",
                "definitions": closure(definitions, name),
            }
            (OUT / file_name(gvk)).write_text(json.dumps(schema))
    marker.write_text(KUBERNETES_VERSION)
    return OUT


if __name__ == "__main__":
    print(build())
    sys.exit(0)
