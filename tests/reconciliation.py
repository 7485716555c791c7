"""Validators of the W3C Reconciliation Service API schemas vendored in tests/data (0.2 and
1.0-draft); references between schemas resolve offline."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

DATA = Path(__file__).parent / "data" / "reconciliation"


@cache
def _registry(version: str) -> Registry:
    resources = []
    # The Swagger 2.0 schema (for manifests' `authentication`) is one file for both versions.
    swagger = DATA / "0.2" / "schemas" / "openapi.json"
    for path in sorted({swagger, *(DATA / version / "schemas").glob("*.json")}):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"].rstrip("#"), DRAFT7.create_resource(schema)))
    return Registry().with_resources(resources)


@cache
def validator(name: str, version: str = "0.2") -> Draft7Validator:
    """A validator of one schema (``manifest``, ``reconciliation-result-batch``, ...)."""
    path = DATA / version / "schemas" / f"{name}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=_registry(version))


def errors(name: str, instance: object, version: str = "0.2") -> list[str]:
    """The schema's complaints about ``instance`` (empty when it validates)."""
    found = validator(name, version).iter_errors(instance)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def example(name: str, version: str = "0.2") -> object:
    return json.loads((DATA / version / "examples" / name).read_text(encoding="utf-8"))


__all__ = ["DATA", "errors", "example", "validator"]
