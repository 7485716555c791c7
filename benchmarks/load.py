"""Load test: concurrent clients on compare, cluster and resolve, repeated, with server memory.

    .venv/bin/python benchmarks/load.py [--clients 64] [--seconds 60] [--rounds 3]

One uvicorn worker of this checkout serves the seeded SQLite registry on loopback (started
here, access log off); this process is the client: ``--clients`` asyncio tasks with one httpx
connection pool send requests back to back for ``--seconds`` per round, cycling through
``/v1/compare`` (10 pairs), ``/v1/cluster`` (20 names) and ``/v1/resolve`` (5 names). Names
come from a fixed pool (the seed registry's spellings and transliteration-like variants of
them, deterministic), so every round asks the same kind of thing: the server's bounded caches
fill during the first round, and resident memory that still grows in later rounds would be a
leak. Latency percentiles, throughput and errors per operation and round, and the server's
resident memory after start-up and after each round, go to benchmarks/results/load.txt (and
load.json). Bounded: ``rounds x seconds`` plus the answers in flight (30 s timeout each).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry_data import SEEDS, noisy
from serve import ROOT, Server, running_server

RESULTS = ROOT / "benchmarks" / "results"
OPERATIONS = ("compare", "cluster", "resolve")


def name_pool(variants: int, seed: int = 11) -> list[str]:
    """The seed registry's spellings plus ``variants`` noisy copies of its Latin ones."""
    names: list[str] = []
    for line in SEEDS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        names.append(record["canonical"])
        names.extend(a if isinstance(a, str) else a["name"] for a in record.get("aliases", []))
    rng = random.Random(seed)
    latin = [n for n in names if n.isascii()]
    names.extend(noisy(rng.choice(latin), rng) for _ in range(variants))
    return list(dict.fromkeys(names))


def _body(operation: str, pool: list[str], rng: random.Random) -> dict[str, Any]:
    if operation == "compare":
        pairs = [{"a": rng.choice(pool), "b": rng.choice(pool)} for _ in range(10)]
        return {"pairs": pairs}
    if operation == "cluster":
        return {"names": rng.sample(pool, 20)}
    return {"names": rng.sample(pool, 5)}


@dataclass
class Tally:
    """What one operation did in one round."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    names: int = 0
    first_errors: list[str] = field(default_factory=list)

    def record_error(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what[:300])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def _client(
    client: httpx.AsyncClient, index: int, pool: list[str], end: float, tallies: dict[str, Tally]
) -> None:
    rng = random.Random(index)
    turn = index
    while time.monotonic() < end:
        operation = OPERATIONS[turn % len(OPERATIONS)]
        turn += 1
        body = _body(operation, pool, rng)
        tally = tallies[operation]
        start = time.perf_counter()
        try:
            r = await client.post(f"/v1/{operation}", json=body)
        except httpx.HTTPError as exc:
            tally.record_error(f"{type(exc).__name__}: {exc}")
            continue
        elapsed_ms = (time.perf_counter() - start) * 1000
        if r.status_code != 200:
            tally.record_error(f"{r.status_code}: {r.text}")
            continue
        tally.latencies_ms.append(elapsed_ms)
        tally.names += len(body.get("pairs") or body["names"])


async def _round(server: Server, clients: int, seconds: float, pool: list[str]) -> dict[str, Any]:
    tallies = {op: Tally() for op in OPERATIONS}
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them: a
    # request sent on a connection the server is closing at that moment fails on the client.
    limits = httpx.Limits(
        max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=2.0
    )
    cpu_before = server.cpu_seconds()
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30) as client:
        start = time.monotonic()
        end = start + seconds
        await asyncio.gather(*(_client(client, i, pool, end, tallies) for i in range(clients)))
        wall = time.monotonic() - start
    ops: dict[str, Any] = {}
    for op, t in tallies.items():
        ops[op] = {
            "requests": len(t.latencies_ms),
            "errors": t.errors,
            "first_errors": t.first_errors,
            "requests_per_s": len(t.latencies_ms) / wall,
            "names_per_s": t.names / wall,
            "p50_ms": _percentile(t.latencies_ms, 0.50),
            "p99_ms": _percentile(t.latencies_ms, 0.99),
            "max_ms": max(t.latencies_ms, default=0.0),
        }
    cpu = server.cpu_seconds() - cpu_before
    return {"seconds": wall, "operations": ops, "rss_mib": server.rss_mib(), "server_cpu_s": cpu}


def _report(
    args: argparse.Namespace, pool: int, start_rss: float, rounds: list[dict], machine: str
) -> str:
    lines = [
        f"# Load test ({time.strftime('%Y-%m-%d')})",
        "",
        f"command: .venv/bin/python benchmarks/load.py --clients {args.clients} "
        f"--seconds {args.seconds:g} --rounds {args.rounds}",
        "server: one uvicorn worker, seeded SQLite registry (338 entities, 1,543 aliases), "
        "access log off, on 127.0.0.1",
        f"clients: {args.clients} concurrent (asyncio + httpx, one process), {pool} distinct "
        "names; compare = 10 pairs, cluster = 20 names, resolve = 5 names per request",
        machine,
        "",
        "| round | operation | requests | errors | req/s | names/s | p50 ms | p99 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n, r in enumerate(rounds, start=1):
        for op, s in r["operations"].items():
            lines.append(
                f"| {n} | {op} | {s['requests']} | {s['errors']} | {s['requests_per_s']:.1f} "
                f"| {s['names_per_s']:.0f} | {s['p50_ms']:.0f} | {s['p99_ms']:.0f} "
                f"| {s['max_ms']:.0f} |"
            )
    total = sum(s["requests"] for r in rounds for s in r["operations"].values())
    errors = sum(s["errors"] for r in rounds for s in r["operations"].values())
    rss = [start_rss] + [r["rss_mib"] for r in rounds]
    cpu = [
        f"round {n}: {r['server_cpu_s']:.0f} s of CPU in {r['seconds']:.0f} s "
        f"({100 * r['server_cpu_s'] / r['seconds']:.0f}% of one core), "
        f"{sum(s['requests'] for s in r['operations'].values()) / r['server_cpu_s']:.1f} "
        "requests per CPU-second"
        for n, r in enumerate(rounds, start=1)
    ]
    lines += [
        "",
        f"requests: {total}, errors: {errors}",
        "server CPU (the one worker is CPU-bound; on a busy machine it gets less than a core): "
        + "; ".join(cpu),
        "server resident memory (MiB): after start-up "
        + f"{rss[0]:.0f}; "
        + ", ".join(f"after round {i} {v:.0f}" for i, v in enumerate(rss[1:], start=1)),
        f"growth from round 1 to round {len(rounds)}: {rss[-1] - rss[1]:+.1f} MiB",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", type=int, default=3_000, help="noisy names in the pool")
    parser.add_argument("--output", default="load", help="name of the result files")
    args = parser.parse_args()
    pool = name_pool(args.variants)
    rounds = []
    load_before = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="canonym-load-") as tmp,
        running_server(Path(tmp), {"CANONYM_LOG_LEVEL": "warning"}, access_log=False) as srv,
    ):
        start_rss = srv.rss_mib()
        for n in range(1, args.rounds + 1):
            rounds.append(asyncio.run(_round(srv, args.clients, args.seconds, pool)))
            print(f"round {n}: server RSS {rounds[-1]['rss_mib']:.0f} MiB", file=sys.stderr)
    machine = (
        f"machine: {os.cpu_count()} cores shared with other work; load average "
        f"{load_before[0]:.1f} before the run, {os.getloadavg()[0]:.1f} after"
    )
    report = _report(args, len(pool), start_rss, rounds, machine)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.output}.txt").write_text(report, encoding="utf-8")
    raw = {"args": vars(args), "pool": len(pool), "start_rss_mib": start_rss, "rounds": rounds}
    (RESULTS / f"{args.output}.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    print(report)
    errors = sum(s["errors"] for r in rounds for s in r["operations"].values())
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
