"""Validators of the W3C Reconciliation Service API 0.2 schemas vendored in tests/data."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

DATA = Path(__file__).parent / "data" / "reconciliation"
SCHEMAS = DATA / "schemas"


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"].rstrip("#"), DRAFT7.create_resource(schema)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft7Validator:
    """A validator of one schema (``manifest``, ``reconciliation-result-batch``, ...); its
    references (``type.json``, the Swagger schema) resolve offline."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=_registry())


def errors(name: str, instance: object) -> list[str]:
    """The schema's complaints about ``instance`` (empty when it validates)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(instance)
    ]


def example(name: str) -> object:
    return json.loads((DATA / "examples" / name).read_text(encoding="utf-8"))


__all__ = ["DATA", "errors", "example", "validator"]
