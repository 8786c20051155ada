"""Export every event's JSON Schema to contracts-schemas/jsonschema/, refusing breaking changes.

python -m passerelle.schemas.export            # write new or compatible schemas
python -m passerelle.schemas.export --check    # fail if a committed schema is stale or broken
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from passerelle.schemas.base import Event
from passerelle.schemas.compatibility import check
from passerelle.schemas.registry import EVENTS

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "jsonschema"


def schema_of(event: type[Event]) -> dict:
    schema = event.model_json_schema(mode="serialization")
    schema["$id"] = f"https://passerelle.example/schemas/{event.topic}/v{event.schema_version}.json"
    schema["x-topic"] = event.topic
    schema["x-schema-version"] = event.schema_version
    return schema


def file_for(event: type[Event], directory: Path = SCHEMA_DIR) -> Path:
    return directory / f"{event.topic}.v{event.schema_version}.json"


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def run(check_only: bool, directory: Path = SCHEMA_DIR) -> list[str]:
    """Problems found; writes files unless check_only."""
    problems: list[str] = []
    directory.mkdir(parents=True, exist_ok=True)
    for event in EVENTS:
        path = file_for(event, directory)
        current = schema_of(event)
        if path.exists():
            published = json.loads(path.read_text())
            breaks = check(published, current)
            if breaks:
                problems += [f"{event.topic} v{event.schema_version} breaks consumers: {b}" for b in breaks]
                continue
            if render(published) == render(current):
                continue
            if check_only:
                problems.append(f"{path.name} is stale: run `make schemas`")
                continue
        elif check_only:
            problems.append(f"{path.name} is missing: run `make schemas`")
            continue
        path.write_text(render(current))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args()
    problems = run(check_only=args.check)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
