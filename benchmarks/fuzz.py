"""The long fuzz run: Schemathesis against a real server, every operation, every check.

    .venv/bin/python benchmarks/fuzz.py [--examples 200] [--seed 7] [--postgres SERVER_URL]

A uvicorn server of this checkout is started on loopback (seeded registry in a fresh SQLite
file, or with ``--postgres`` in a fresh database created on that server and dropped after; an
API key required for writes) and ``schemathesis run`` fuzzes its own ``/openapi.json``: the
examples, coverage, fuzzing and stateful phases, with the settings of ``schemathesis.toml``
(shared with ``tests/api/test_fuzz.py``), a fixed seed and at most ``--examples`` cases per
operation and phase. Beside Schemathesis' own verdict, the server's access log is read back
to count every status it sent, so a 5xx cannot go unnoticed. Results go to
benchmarks/results/fuzz.txt (summary) and fuzz.json (Schemathesis' report); the exit status
is non-zero on any failure or 5xx.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import ROOT, running_server

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
KEY = "k-fuzz-1d7c93e0"
# uvicorn's access log: 127.0.0.1:51234 - "POST /v1/compare HTTP/1.1" 200 OK
ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/[0-9.]+" (\d{3})')


def _statuses(log: Path) -> collections.Counter[str]:
    counts: collections.Counter[str] = collections.Counter()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if (m := ACCESS.search(line)) is not None:
            counts[m.group(3)] += 1
    return counts


def _summary(output: str) -> str:
    start = output.rfind("SUMMARY")
    return output[output.rfind("\n", 0, start) + 1 :].strip() if start >= 0 else output[-3000:]


@contextmanager
def _database(server_url: str | None) -> Iterator[str | None]:
    """A fresh PostgreSQL database on ``server_url`` (dropped after), or None for SQLite."""
    if server_url is None:
        yield None
        return
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"canonym_fuzz_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="cases per operation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres",
        default=None,
        metavar="SERVER_URL",
        help="fuzz on a fresh database of this PostgreSQL server, e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres (default: SQLite)",
    )
    parser.add_argument("--output", default="fuzz", help="name of the result files")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    settings = {"CANONYM_API_KEYS": KEY, "CANONYM_LOG_LEVEL": "info"}
    report = RESULTS / f"{args.output}.json"
    shown = report.relative_to(ROOT)  # the path the summary names
    with (
        tempfile.TemporaryDirectory(prefix="canonym-fuzz-") as tmp,
        _database(args.postgres) as url,
    ):
        if url is not None:
            settings["CANONYM_DATABASE_URL"] = url
        with running_server(Path(tmp), settings) as server:
            command = [
                str(Path(sys.executable).with_name("schemathesis")),
                "--config-file",
                str(ROOT / "schemathesis.toml"),
                "--no-color",
                "run",
                f"{server.url}/openapi.json",
                "--checks=all",
                f"--max-examples={args.examples}",
                f"--seed={args.seed}",
                "--workers=1",
                f"--header=X-API-Key: {KEY}",
                "--report=json",
                f"--report-json-path={shown}",
            ]
            start = time.perf_counter()
            hooks = {**os.environ, "SCHEMATHESIS_HOOKS": str(HERE / "fuzz_hooks.py")}
            run = subprocess.run(
                command, cwd=ROOT, env=hooks, capture_output=True, text=True, check=False
            )
            elapsed = time.perf_counter() - start
        statuses = _statuses(server.log)
    result = json.loads(report.read_text(encoding="utf-8"))
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5"))
    cases = result["test_cases"]
    engine = "PostgreSQL" if args.postgres else "SQLite"
    lines = [
        f"# Fuzz run ({time.strftime('%Y-%m-%d')}), Schemathesis {result['schemathesis_version']}",
        "",
        f"command: .venv/bin/python benchmarks/fuzz.py {shlex.join(sys.argv[1:])}".rstrip(),
        f"registry: {engine} (seeded), writes need an API key; seed {args.seed}, "
        f"at most {args.examples} cases per operation and phase, every check",
        f"operations tested: {result['operations']['tested']}/{result['operations']['total']}",
        f"test cases: {cases['generated']} generated, {cases['with_failures']} with failures, "
        f"{cases['errored']} errored; {len(result['failures'])} distinct failures",
        f"requests the server answered: {sum(statuses.values())} "
        + "("
        + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
        + ")",
        f"server errors (5xx): {server_errors}",
        f"time: {elapsed:.0f} s; schemathesis exit status {run.returncode}",
        "",
        _summary(run.stdout),
        "",
    ]
    (RESULTS / f"{args.output}.txt").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    if run.returncode != 0:
        print(run.stdout[-20_000:], file=sys.stderr)
    return 1 if run.returncode != 0 or server_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
