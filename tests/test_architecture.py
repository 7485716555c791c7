"""The matching core stays pure: no web, SQL, Spark or HTTP-client imports under app/core."""

import ast
from pathlib import Path

CORE = Path(__file__).parents[1] / "app" / "core"
FORBIDDEN = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "psycopg",
    "psycopg2",
    "pyspark",
    "httpx",
    "requests",
    "uvicorn",
    "sqlite3",
    "pydantic",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_io_framework():
    files = sorted(CORE.rglob("*.py"))
    assert files
    for path in files:
        bad = imported_modules(path) & set(FORBIDDEN)
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_checker_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("from fastapi import FastAPI\nimport sqlalchemy.orm\n")
    assert imported_modules(sample) & set(FORBIDDEN) == {"fastapi", "sqlalchemy"}
