"""Writes each service's AsyncAPI document, generated from its code (its subscribers and publishers)."""

import argparse
import importlib
import json
from pathlib import Path

import registry  # scripts/registry.py, beside this file: the services come from services.toml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/asyncapi"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for entry in registry.services():
        service = importlib.import_module(f"passerelle.{entry.module}.bootstrap").bootstrap()
        document = json.loads(service.asyncapi())
        path = args.out / f"{entry.module}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(f"{path}: {len(document.get('channels', {}))} channel(s)")


if __name__ == "__main__":
    main()
