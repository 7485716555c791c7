"""Clustering at scale: 10k, 100k and 1M names on one machine.

For each size the names (``scale_data.scale_names``: development variants plus generated people
with transliteration noise, every name with its gold entity) are clustered by
``Matcher.cluster_run`` in a fresh process (so peak memory is that size's own), and the table
reports:

* seconds and names per second of the whole clustering (normalize, block, score, cluster);
* peak memory: of the whole job, the peak of the summed proportional set size (PSS) of the
  clustering process and the scoring processes it forks (``TreeMemory``: sampled from /proc
  every 0.5 s, so a peak shorter than that can be missed; a page shared by two processes counts
  half in each), and the peak RSS of the clustering process alone (the kernel's own maximum);
  a forked process writes the reference counts of the forms it reads and so copies most of
  their pages, and the RSS of one process says little of the job;
* pairs compared, and that as a share of all n(n-1)/2 pairs;
* blocking recall: on a sample of gold entities (~1,500 names), every pair is scored by the
  matcher (the all-pairs run); of the pairs it scores at or above the decision threshold, the
  share the blocking of the *whole* input proposes. Given twice: over all of those pairs, and
  over those that are also gold matches (the model also scores some unrelated cross-script
  pairs highly; no blocking key can or should find those); and against the all-pairs rapidfuzz
  baseline on the same sample: the share of the pairs WRatio, token_sort_ratio or ratio scores
  at 80 or 90 or more that blocking proposes, again over all of them and over those that are
  gold matches (the "true-match pairs from an all-pairs run" of the clustering issue; WRatio
  scores a short name found inside a longer one 90, "der" in "Edwin van der Sar", and no
  blocking key should propose those);
* pairwise precision, recall and F1 against the gold entities;
* the all-pairs baseline: rapidfuzz ``process.cdist`` over the same normalized forms (the
  romanized names), on both cores, timed on a 10k sample in the same run and extrapolated
  quadratically, for three scorers (WRatio, rapidfuzz's default for ``extract``;
  token_sort_ratio; ratio, the cheapest);
* a paired speed-up at 100k (``--paired N``, default 3): N times over, the WRatio baseline and
  then the 100k clustering (in a fresh process, without the recall sample), back to back, and
  the median of the N ratios. The machine is shared: its speed drifts by a third within an
  hour, and one baseline timed minutes before one clustering run measures the drift as much as
  the code.

Usage::

    .venv/bin/python benchmarks/cluster_scale.py            # 10k, 100k, 1M
    .venv/bin/python benchmarks/cluster_scale.py --sizes 10000 100000
    .venv/bin/python benchmarks/cluster_scale.py --sizes --paired 5   # paired speed runs only

Writes benchmarks/results/cluster_scale.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_data import scale_names

from app.core.blocking import form_candidate_pairs
from app.core.matcher import Matcher
from app.core.normalize import try_normalize_name
from app.core.parallel import score_pairs

RESULTS = Path(__file__).resolve().parent / "results"
SAMPLE_NAMES = 1500
# The size of the paired speed runs (``--paired``): the clustering issue's 50x is at 100k.
PAIRED_SIZE = 100_000
# Score cutoffs at which the all-pairs rapidfuzz baseline calls a pair a match (for the blocking
# recall against it): 90 is the usual cutoff for spelling variants, 80 a loose one.
RAPIDFUZZ_CUTOFFS = (80, 90)
RAPIDFUZZ_SCORERS = (fuzz.WRatio, fuzz.token_sort_ratio, fuzz.ratio)
BASELINE_SAMPLE = 10_000


def _pairs2(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(predicted: list[list[str]], gold: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a partition of names against gold entity ids."""
    cells: Counter[tuple[int, str]] = Counter()
    gold_sizes: Counter[str] = Counter()
    predicted_pairs = 0
    for k, members in enumerate(predicted):
        predicted_pairs += _pairs2(len(members))
        for name in members:
            cells[(k, gold[name])] += 1
    for name in gold:
        gold_sizes[gold[name]] += 1
    true_pairs = sum(_pairs2(c) for c in cells.values())
    gold_pairs = sum(_pairs2(c) for c in gold_sizes.values())
    precision = true_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = true_pairs / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def blocking_recall(names: list[tuple[str, str]], workers: int, seed: int) -> dict[str, float]:
    """Recall of the blocking of the whole input on an all-pairs run over a sample of gold
    entities (see the module docstring)."""
    matcher = Matcher()
    ordered = sorted({n for n, _ in names})
    gold = dict(names)
    forms = [try_normalize_name(n) for n in ordered]
    good = [i for i, f in enumerate(forms) if f is not None]
    gforms = [f for f in forms if f is not None]
    pairs = form_candidate_pairs(gforms)
    n = np.int64(len(gforms))
    proposed = set((pairs[:, 0] * n + pairs[:, 1]).tolist())
    by_entity: dict[str, list[int]] = {}
    for k, i in enumerate(good):
        by_entity.setdefault(gold[ordered[i]], []).append(k)
    entities = sorted(by_entity)
    random.Random(seed).shuffle(entities)
    sample: list[int] = []
    for entity in entities:
        if len(sample) >= SAMPLE_NAMES:
            break
        sample.extend(by_entity[entity])
    sample.sort()
    all_pairs = np.array(list(combinations(sample, 2)), dtype=np.int64)
    probabilities = score_pairs(gforms, all_pairs, matcher.model, workers)
    matched = probabilities >= matcher.threshold
    codes = (all_pairs[:, 0] * n + all_pairs[:, 1]).tolist()
    found = np.array([c in proposed for c in codes], dtype=bool)
    same = np.array(
        [gold[ordered[good[i]]] == gold[ordered[good[j]]] for i, j in all_pairs.tolist()],
        dtype=bool,
    )
    gold_matched = matched & same
    out: dict[str, float] = {
        "sample_names": len(sample),
        "sample_pairs": len(all_pairs),
        "matched_pairs": int(matched.sum()),
        "recall_all_matches": float(found[matched].mean()) if matched.any() else 1.0,
        "gold_matched_pairs": int(gold_matched.sum()),
        "recall_gold_matches": float(found[gold_matched].mean()) if gold_matched.any() else 1.0,
    }
    # The same sample scored by the all-pairs baseline (rapidfuzz over the romanized forms):
    # of the pairs it calls matches at a cutoff, the share blocking proposes.
    latin = [gforms[k].latin for k in sample]
    rows, cols = np.searchsorted(sample, all_pairs[:, 0]), np.searchsorted(sample, all_pairs[:, 1])
    for scorer in RAPIDFUZZ_SCORERS:
        scores = process.cdist(latin, latin, scorer=scorer, workers=-1, dtype=np.uint8)
        pair_scores = scores[rows, cols]
        for cutoff in RAPIDFUZZ_CUTOFFS:
            hit = pair_scores >= cutoff
            key = f"{scorer.__name__}_{cutoff}"
            out[f"{key}_pairs"] = int(hit.sum())
            out[f"{key}_recall"] = float(found[hit].mean()) if hit.any() else 1.0
            true = hit & same
            out[f"{key}_true_pairs"] = int(true.sum())
            out[f"{key}_true_recall"] = float(found[true].mean()) if true.any() else 1.0
    return out


def _romanized(names: list[str]) -> list[str]:
    """The normalized forms the all-pairs baseline scores: the romanized names."""
    return [f.latin if (f := try_normalize_name(n)) is not None else n for n in names]


def _cdist_seconds(forms: list[str], scorer: Any) -> float:
    """Seconds of an all-pairs ``process.cdist`` of ``forms`` with ``scorer``."""
    start = time.perf_counter()
    # score_cutoff and uint8 keep the matrix as cheap as cdist allows (10k x 10k = 100 MB).
    process.cdist(forms, forms, scorer=scorer, workers=-1, dtype=np.uint8, score_cutoff=80)
    return time.perf_counter() - start


def baseline_seconds(forms: list[str]) -> dict[str, float]:
    """Seconds of an all-pairs ``process.cdist`` over ``forms`` (``_romanized`` names)."""
    return {
        s.__name__: _cdist_seconds(forms, s)
        for s in (fuzz.WRatio, fuzz.token_sort_ratio, fuzz.ratio)
    }


class TreeMemory:
    """The peak summed PSS (MiB) of this process and its descendants while in a ``with``
    block, sampled every ``interval`` seconds from /proc/<pid>/smaps_rollup (Linux 4.14+);
    ``peak`` stays None where /proc cannot tell."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peak: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _tree(pid: int) -> list[int]:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return [pid]
        return [pid] + [p for child in children for p in TreeMemory._tree(int(child))]

    @staticmethod
    def _pss_kib(pid: int) -> int | None:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            return None
        return None

    def _sample(self) -> None:
        while True:
            sizes = [self._pss_kib(pid) for pid in self._tree(os.getpid())]
            if sizes[0] is not None:
                total = sum(s for s in sizes if s is not None) / 1024
                self.peak = total if self.peak is None else max(self.peak, total)
            if self._stop.wait(self.interval):
                return


def run_one(size: int, workers: int, seed: int, recall: bool) -> dict[str, Any]:
    """One size, in this process: cluster, then (outside the timing) measure the rest."""
    names = scale_names(size, seed=seed)
    gold = dict(names)
    counts = [(n, 1) for n, _ in names]
    with TreeMemory() as memory:
        start = time.perf_counter()
        run = Matcher().cluster_run(counts, workers=workers)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    predicted = [[m.name for m in c.members] for c in run.clusters]
    row: dict[str, Any] = {
        "names": size,
        "entities": len(run.clusters),
        "gold_entities": len(set(gold.values())),
        "seconds": seconds,
        "names_per_second": size / seconds,
        "peak_mib": peak,
        "worker_peak_mib": worker_peak,
        "job_peak_pss_mib": memory.peak,
        "pairs_compared": run.pairs_compared,
        "pairs_fraction": run.pairs_compared / _pairs2(size),
        "pairwise": pairwise_scores(predicted, gold),
    }
    del run, predicted
    if recall:
        row["blocking"] = blocking_recall(names, workers, seed)
    return row


def _mib(value: float | None) -> str:
    return "not measured" if value is None else f"{value:,.0f}"


def _markdown(
    rows: list[dict[str, Any]],
    baseline: dict[str, float],
    workers: int,
    paired: list[dict[str, float]] | None = None,
) -> str:
    lines = [
        "# Clustering at scale",
        "",
        f"`.venv/bin/python benchmarks/cluster_scale.py` on this machine ({os.cpu_count()} cores,"
        f" {workers} scoring processes, the clustering process one of them). Names: development"
        " variants (a third) and generated people with transliteration noise"
        " (benchmarks/scale_data.py), every name with its gold entity.",
        "",
        "| names | seconds | names/s | peak MiB: job (PSS) / process (RSS) | pairs compared "
        "| share of all pairs "
        "| blocking recall: all matches / gold matches | pairwise P / R / F1 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        b = r.get("blocking")
        rec = (
            f"{b['recall_all_matches']:.3f} / {b['recall_gold_matches']:.3f}"
            if b
            else "not measured"
        )
        p = r["pairwise"]
        lines.append(
            f"| {r['names']:,} | {r['seconds']:.1f} | {r['names_per_second']:,.0f} "
            f"| {_mib(r.get('job_peak_pss_mib'))} / {r['peak_mib']:,.0f} "
            f"| {r['pairs_compared']:,} "
            f"| {r['pairs_fraction']:.2e} | {rec} "
            f"| {p['precision']:.3f} / {p['recall']:.3f} / {p['f1']:.3f} |"
        )
    lines += [
        "",
        f"All-pairs baseline (rapidfuzz `process.cdist`, all cores) on {BASELINE_SAMPLE:,} of the"
        " names, measured in this run and extrapolated as n squared:",
        "",
        "| names | scorer | all-pairs seconds | Canonym seconds | speed-up |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        for scorer, secs in baseline.items():
            estimate = secs * (r["names"] / BASELINE_SAMPLE) ** 2
            lines.append(
                f"| {r['names']:,} | {scorer} | {estimate:,.0f} | {r['seconds']:.1f} "
                f"| {estimate / r['seconds']:.1f}x |"
            )
    if paired:
        lines += [
            "",
            f"Paired speed-up at {PAIRED_SIZE:,} names (WRatio baseline, then clustering, back "
            "to back):",
            "",
            "| pair | WRatio baseline s (10k) | all-pairs estimate s | Canonym s | speed-up |",
            "|---:|---:|---:|---:|---:|",
        ]
        for k, p in enumerate(paired, start=1):
            lines.append(
                f"| {k} | {p['baseline']:.1f} | {p['estimate']:,.0f} | {p['seconds']:.1f} "
                f"| {p['speedup']:.1f}x |"
            )
        median = statistics.median(p["speedup"] for p in paired)
        lines += ["", f"Median paired speed-up: {median:.1f}x"]
    by_size = {r["names"]: r for r in rows}
    if 100_000 in by_size and 1_000_000 in by_size:
        ratio = by_size[1_000_000]["seconds"] / by_size[100_000]["seconds"]
        lines += ["", f"time(1M) / time(100k) = {ratio:.1f}"]
    for r in rows:
        b = r.get("blocking")
        if b:
            lines.append(
                f"\nBlocking recall at {r['names']:,}: a sample of {b['sample_names']:,} names "
                f"({b['sample_pairs']:,} pairs, all scored): {b['matched_pairs']:,} pairs at or "
                f"above the decision threshold, of which {b['gold_matched_pairs']:,} are gold "
                "matches."
            )
            for scorer in (s.__name__ for s in RAPIDFUZZ_SCORERS):
                for cutoff in RAPIDFUZZ_CUTOFFS:
                    key = f"{scorer}_{cutoff}"
                    if f"{key}_recall" in b:
                        true = (
                            f"; of the {b[f'{key}_true_pairs']:,} of them that are gold matches,"
                            f" {b[f'{key}_true_recall']:.4f}"
                            if f"{key}_true_recall" in b
                            else ""
                        )
                        lines.append(
                            f"Of the {b[f'{key}_pairs']:,} pairs that all-pairs rapidfuzz "
                            f"{scorer} scores {cutoff} or more, blocking proposes "
                            f"{b[f'{key}_recall']:.4f}{true}."
                        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--recall-up-to", type=int, default=100_000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS / "cluster_scale")
    parser.add_argument("--paired", type=int, default=3, help="paired speed runs at 100k")
    args = parser.parse_args()
    if args.one:
        row = run_one(args.one, args.workers, args.seed, args.one <= args.recall_up_to)
        print(json.dumps(row))
        return
    baseline_forms = _romanized([n for n, _ in scale_names(BASELINE_SAMPLE, seed=args.seed)])
    baseline = baseline_seconds(baseline_forms)
    print(f"all-pairs baseline on {BASELINE_SAMPLE}: {baseline}", flush=True)
    rows: list[dict[str, Any]] = []
    paired: list[dict[str, float]] = []

    def write() -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "rows": rows,
            "baseline_seconds": baseline,
            "baseline_sample": BASELINE_SAMPLE,
            "paired": paired,
        }
        args.out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
        markdown = _markdown(rows, baseline, args.workers, paired)
        args.out.with_suffix(".md").write_text(markdown, "utf-8")

    for size in args.sizes:
        rows.append(_run_size(size, args.workers, args.seed, args.recall_up_to))
        print(json.dumps(rows[-1]), flush=True)
        write()
    for _ in range(args.paired):
        secs = _cdist_seconds(baseline_forms, fuzz.WRatio)
        estimate = secs * (PAIRED_SIZE / BASELINE_SAMPLE) ** 2
        run = _run_size(PAIRED_SIZE, args.workers, args.seed, 0)
        paired.append(
            {
                "baseline": secs,
                "estimate": estimate,
                "seconds": run["seconds"],
                "speedup": estimate / run["seconds"],
            }
        )
        print(json.dumps(paired[-1]), flush=True)
        write()


def _run_size(size: int, workers: int, seed: int, recall_up_to: int) -> dict[str, Any]:
    """``run_one`` in a fresh process (so that its peak memory is its own)."""
    cmd = [sys.executable, __file__, "--one", str(size), "--workers", str(workers)]
    cmd += ["--seed", str(seed), "--recall-up-to", str(recall_up_to)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


if __name__ == "__main__":
    main()
