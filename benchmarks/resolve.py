"""Resolve at scale: index build time and memory, per-name latency, HTTP throughput.

    .venv/bin/python benchmarks/resolve.py [--aliases 1000000] [--queries 2000] [--http]

The registry comes from ``registry_data.generate`` (development clusters, seeds and synthetic
people with transliteration-like noise). In process: the candidate index is built alias by
alias (time and resident-memory growth are sampled on the way, to show how they scale), then
names are resolved one by one: fresh noisy spellings of registry entities, exact aliases and
names the registry does not hold. Baseline in the same run: a brute-force rapidfuzz scan
(``process.extractOne`` with WRatio over every alias), on a subset of the same names.
With ``--http``, the registry is written to a SQLite file and served by one uvicorn worker;
``/v1/resolve`` is called in batches of 100 names from two client threads, with the default
``top_k`` of 3 and with ``top_k`` 1 (each returned candidate costs an explained comparison),
first with the in-process queries sent over and over, then with names never sent before.
Results go to benchmarks/results/resolve_<aliases>.{json,md}.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry_data import Entity, generate, noisy

from app.core.index import CandidateIndex
from app.core.matcher import Matcher
from app.core.memory import long_lived
from app.store.base import AliasDraft, EntityDraft
from app.store.sql import SqlStore

HERE = Path(__file__).resolve().parent
SYLLABLES = ["ka", "ro", "mi", "zu", "ne", "ta", "shi", "an", "do", "vi", "el", "qu", "bri", "lo"]


def rss_mib() -> float:
    """Resident memory of this process (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def build(entities: list[Entity], checkpoints: list[int]) -> tuple[CandidateIndex, list[dict]]:
    gc.collect()
    base = rss_mib()
    index = CandidateIndex()
    samples = []
    start = time.perf_counter()
    alias_id = 0
    pending = sorted(checkpoints)
    # As the service builds its index: without the cyclic garbage collector, then frozen.
    with long_lived():
        for e in entities:
            index.set_entity(e.id, e.canonical, e.kind)
            for name in e.aliases:
                alias_id += 1
                index.add_alias(alias_id, e.id, name)
            if pending and alias_id >= pending[0]:
                pending.pop(0)
                samples.append(
                    {
                        "aliases": alias_id,
                        "seconds": round(time.perf_counter() - start, 1),
                        "rss_delta_mib": round(rss_mib() - base, 1),
                    }
                )
                print("  build", samples[-1], flush=True)
    gc.collect()
    samples.append(
        {
            "aliases": alias_id,
            "seconds": round(time.perf_counter() - start, 1),
            "rss_delta_mib": round(rss_mib() - base, 1),
        }
    )
    return index, samples


def queries(entities: list[Entity], n: int, rng: random.Random) -> list[tuple[str, str | None]]:
    """(name, expected entity id or None): half noisy, a quarter exact, a quarter unknown."""
    out: list[tuple[str, str | None]] = []
    for i in range(n):
        e = rng.choice(entities)
        alias = rng.choice(e.aliases)
        if i % 4 in (0, 1):
            out.append((noisy(alias, rng), e.id))
        elif i % 4 == 2:
            out.append((alias, e.id))
        else:
            words = ["".join(rng.choice(SYLLABLES) for _ in range(3)).title() for _ in range(2)]
            out.append((" ".join(words), None))
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_resolve(index: CandidateIndex, names: list[tuple[str, str | None]]) -> dict:
    matcher = Matcher()
    for name, _ in names[:100]:  # warm-up: first calls fill the core's caches
        matcher.resolve(name, index)
    latencies, correct, known, decisions = [], 0, 0, {"matched": 0, "ambiguous": 0, "new": 0}
    false_match = 0
    for name, expected in names:
        start = time.perf_counter()
        result = matcher.resolve(name, index)
        latencies.append((time.perf_counter() - start) * 1000)
        decisions[result.decision] += 1
        top = result.candidates[0].entity_id if result.candidates else None
        if expected is not None:
            known += 1
            correct += top == expected
        elif result.decision == "matched":
            false_match += 1
    return {
        "names": len(names),
        "p50_ms": round(pct(latencies, 0.5), 2),
        "p99_ms": round(pct(latencies, 0.99), 2),
        "mean_ms": round(statistics.mean(latencies), 2),
        "max_ms": round(max(latencies), 2),
        "names_per_second_single_thread": round(1000 / statistics.mean(latencies)),
        "top1_accuracy_known": round(correct / (known or 1), 4),
        "unknown_names_matched": false_match,
        "decisions": decisions,
    }


def run_baseline(entities: list[Entity], names: list[tuple[str, str | None]]) -> dict:
    choices, owner = [], []
    for e in entities:
        for a in e.aliases:
            choices.append(a.casefold())
            owner.append(e.id)
    latencies, correct, known = [], 0, 0
    for name, expected in names:
        start = time.perf_counter()
        best = process.extractOne(name.casefold(), choices, scorer=fuzz.WRatio)
        latencies.append((time.perf_counter() - start) * 1000)
        if expected is not None:
            known += 1
            correct += best is not None and owner[best[2]] == expected
    return {
        "method": "rapidfuzz process.extractOne(WRatio) over every alias, case-folded",
        "names": len(names),
        "p50_ms": round(pct(latencies, 0.5), 2),
        "p99_ms": round(pct(latencies, 0.99), 2),
        "top1_accuracy_known": round(correct / (known or 1), 4),
    }


def write_store(entities: list[Entity], path: Path) -> float:
    start = time.perf_counter()
    store = SqlStore(f"sqlite:///{path}")
    drafts = (
        EntityDraft(
            canonical=e.canonical,
            kind=e.kind,
            id=e.id.replace(":", "-")[:64],
            aliases=tuple(AliasDraft(a, "benchmark") for a in e.aliases),
        )
        for e in entities
    )
    store.import_entities(drafts)
    store.close()
    return time.perf_counter() - start


def run_http(entities: list[Entity], names: list[str], fresh: list[str], seconds: float) -> dict:
    """Throughput of one uvicorn worker: ``names`` sent over and over (a pipeline that meets
    the same names again: the core's caches help), then ``fresh`` names, each sent once."""
    workdir = Path(tempfile.mkdtemp(prefix="canonym-bench-"))
    db = workdir / "registry.db"
    import_seconds = write_store(entities, db)
    env = {
        **os.environ,
        "CANONYM_DATABASE_PATH": str(db),
        "CANONYM_LOAD_SEEDS": "false",
        "CANONYM_LOG_LEVEL": "warning",
    }
    port = 8765
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--workers", "1"]
    cmd += ["--log-level", "warning"]
    server = subprocess.Popen(cmd, env=env, cwd=HERE.parent)
    url = f"http://127.0.0.1:{port}"
    try:
        start = time.perf_counter()
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                msg = "the server stopped before it was ready"
                raise RuntimeError(msg)
            time.sleep(1)
        ready_seconds = time.perf_counter() - start
        rates = {k: _throughput(url, names, seconds, k) for k in (3, 1)}
        unseen = _throughput(url, fresh, seconds, 3)
        if unseen["names"] > len(fresh):
            msg = "too few fresh names for the measured time: some were sent twice"
            raise RuntimeError(msg)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "workers": 1,
        "batch": 100,
        "client_threads": 2,
        "store_import_seconds": round(import_seconds, 1),
        "startup_to_ready_seconds": round(ready_seconds, 1),
        "names": rates[3]["names"],
        "seconds": rates[3]["seconds"],
        "names_per_second": rates[3]["names_per_second"],
        "top_k_1": rates[1],
        "fresh_names": unseen,
    }


def _throughput(url: str, names: list[str], seconds: float, top_k: int) -> dict:
    """Names resolved per second by two client threads sending batches of 100."""
    batches = [names[i : i + 100] for i in range(0, len(names) - 99, 100)]
    done = [0]
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as c:
            k = offset
            while time.perf_counter() < deadline:
                body = {"names": batches[k % len(batches)], "top_k": top_k}
                c.post("/v1/resolve", json=body).raise_for_status()
                done[0] += len(body["names"])
                k += 2

    begin = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    return {
        "top_k": top_k,
        "names": done[0],
        "seconds": round(elapsed, 1),
        "names_per_second": round(done[0] / elapsed),
    }


def report(result: dict, path: Path) -> None:
    a = result["aliases"]
    lines = [
        f"# Resolve at {a:,} aliases",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Registry: {result['entities']:,} entities, {a:,} aliases (development clusters, seeds "
        "and synthetic people, with transliteration-like noise; benchmarks/registry_data.py).",
        "",
        "## Index build (in process)",
        "",
        "| aliases | seconds | resident memory growth (MiB) |",
        "| ---: | ---: | ---: |",
        *(f"| {s['aliases']:,} | {s['seconds']} | {s['rss_delta_mib']} |" for s in result["build"]),
        "",
        f"Index: {result['index']}",
        "",
        "## Resolve, one name at a time (in process)",
        "",
        "| method | names | p50 ms | p99 ms | top-1 (known names) |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| Canonym resolve (index + calibrated comparison) | {result['resolve']['names']} | "
        f"{result['resolve']['p50_ms']} | {result['resolve']['p99_ms']} | "
        f"{result['resolve']['top1_accuracy_known']} |",
        f"| baseline: brute-force rapidfuzz WRatio | {result['baseline']['names']} | "
        f"{result['baseline']['p50_ms']} | {result['baseline']['p99_ms']} | "
        f"{result['baseline']['top1_accuracy_known']} |",
        "",
        f"Resolve details: {json.dumps(result['resolve'])}",
    ]
    if "http" in result:
        h = result["http"]
        lines += [
            "",
            "## HTTP (`/v1/resolve`, one uvicorn worker, batches of 100)",
            "",
            f"{h['names_per_second']:,} names/s with the default top_k=3 ({h['names']:,} names "
            f"in {h['seconds']} s, {h['client_threads']} client threads); "
            f"{h['top_k_1']['names_per_second']:,} names/s with top_k=1 (one explained "
            f"candidate per name instead of three); store import {h['store_import_seconds']} s, "
            f"start to ready (index build from SQLite) {h['startup_to_ready_seconds']} s.",
            "",
            f"Those names are the {result['resolve']['names']:,} queries above, sent over and "
            "over, as a pipeline meets the same names again. Names never sent before (new noisy "
            f"spellings, exact aliases and unknown names in the same mix), each sent once: "
            f"{h['fresh_names']['names_per_second']:,} names/s with top_k=3 "
            f"({h['fresh_names']['names']:,} names in {h['fresh_names']['seconds']} s).",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aliases", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--baseline-queries", type=int, default=100)
    ap.add_argument("--http", action="store_true", help="also measure HTTP throughput")
    ap.add_argument("--http-seconds", type=float, default=30.0)
    args = ap.parse_args()
    rng = random.Random(11)
    entities = generate(args.aliases)
    total = sum(len(e.aliases) for e in entities)
    print(f"{len(entities):,} entities, {total:,} aliases", flush=True)
    checkpoints = [c for c in (100_000, 250_000, 500_000) if c < total]
    index, samples = build(entities, checkpoints)
    stats = index.stats()
    print("index", stats, flush=True)
    names = queries(entities, args.queries, rng)
    resolved = run_resolve(index, names)
    print("resolve", resolved, flush=True)
    baseline = run_baseline(entities, names[: args.baseline_queries])
    print("baseline", baseline, flush=True)
    result: dict = {
        "command": "python benchmarks/resolve.py " + " ".join(sys.argv[1:]),
        "entities": len(entities),
        "aliases": total,
        "build": samples,
        "index": {
            "aliases": stats.aliases,
            "entities": stats.entities,
            "keys": stats.keys,
            "common_keys": stats.common_keys,
        },
        "resolve": resolved,
        "baseline": baseline,
    }
    if args.http:
        del index
        gc.collect()
        # Enough names never sent before for the measured time at 2,000 names/s: each once, and
        # none of the repeated queries (a quarter are exact aliases, which can be drawn twice).
        repeated = [n for n, _ in names]
        drawn = queries(entities, int(args.http_seconds * 2000), random.Random(12))
        sent = set(repeated)
        fresh = [n for n in dict.fromkeys(n for n, _ in drawn) if n not in sent]
        result["http"] = run_http(entities, repeated, fresh, args.http_seconds)
        print("http", result["http"], flush=True)
    out = HERE / "results" / f"resolve_{args.aliases}"
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    report(result, out.with_suffix(".md"))


if __name__ == "__main__":
    main()
