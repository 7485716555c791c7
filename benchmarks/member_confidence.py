"""Calibration of clustering's confidences against the development clusters.

    .venv/bin/python benchmarks/member_confidence.py [--clusters 2000] [--dump FILE]

For every development task (``scripts.devdata.TASK_FILES``) and for all-script and Latin-only
variants, the names of up to ``--clusters`` gold entities (drawn as the shared evaluator draws
them) are clustered by ``Matcher.cluster``, each half of the entities on its own: the half
``scripts/fit_model.py`` fits on and the held-out half (``fit_model.holdout``). Each member's
evidence (``app.core.confidence.features``: its match probabilities with the entity's other
members, scored again here, the entity's size and scripts) is rebuilt beside the clustering,
and the confidence the packaged calibration gives it is checked against the one
``Matcher.cluster`` returned (``mismatches`` counts those that differ by more than rounding).
Then:

* every member of a found entity of two or more names is *right* when its gold entity is the
  found entity's majority gold entity (a tie goes to the gold entity of the canonical name);
  its confidence claims the probability of that;
* a found entity's confidence claims the share of its members that are right.

Reported per task and half: members, the mean confidence and the share right, and the expected
calibration error (ten equal-width bins, as the shared evaluator bins pair scores) of member and
entity confidences, and of the raw means beside them. A one-name entity has confidence 1.0 by
definition (its name belongs to it) and is counted apart. ``--dump`` writes each member's figures
(task, half, evidence, right) for the fit of ``scripts/fit_confidence.py``.

Results go to benchmarks/results/member_confidence.md and .json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from app.core.compare import probability  # noqa: E402
from app.core.confidence import features, load_confidence  # noqa: E402
from app.core.matcher import CONFIDENCE_PEERS, Matcher  # noqa: E402
from app.core.normalize import normalize_name  # noqa: E402
from app.core.types import Cluster  # noqa: E402
from scripts.devdata import DATA, TASK_FILES, gold_names, load_clusters  # noqa: E402
from scripts.fit_model import ece as _ece  # noqa: E402
from scripts.fit_model import holdout  # noqa: E402

RESULTS = HERE / "results"
SEED = 20261129


def ece(confidences: list[float], right: list[float]) -> float:
    """Expected calibration error over ten equal-width bins (the shared evaluator's binning,
    ``scripts/fit_model.ece``)."""
    return _ece(np.array(confidences, dtype=float), np.array(right, dtype=float))


def labelled(
    clusters: list[Cluster], gold: dict[str, str], matcher: Matcher
) -> list[dict[str, Any]]:
    """One row per entity of two or more names, with its members and their evidence."""
    calibration = load_confidence()
    rows = []
    for entity in clusters:
        if len(entity.members) < 2:
            continue
        votes = Counter(gold[m.name] for m in entity.members)
        top = max(votes.values())
        leaders = {g for g, v in votes.items() if v == top}
        majority = gold[entity.canonical] if gold[entity.canonical] in leaders else min(leaders)
        size = len(entity.members)
        names = sorted(m.name for m in entity.members)  # clustering's peer order
        forms = {n: normalize_name(n) for n in names}
        share = sum(f.is_latin for f in forms.values()) / size
        members = []
        for m in entity.members:
            peers = [n for n in names[: CONFIDENCE_PEERS + 1] if n != m.name][:CONFIDENCE_PEERS]
            probs = [probability(forms[m.name], forms[n], matcher.model) for n in peers]
            latin = forms[m.name].is_latin
            members.append(
                {
                    "features": features(probs, size, latin, share),
                    "raw": sum(probs) / len(probs),
                    "confidence": m.confidence,
                    "recomputed": calibration(probs, size, latin, share),
                    "right": gold[m.name] == majority,
                }
            )
        right = [m["right"] for m in members]
        rows.append(
            {
                "entity_confidence": sum(m["confidence"] for m in members) / size,
                "entity_raw": sum(m["raw"] for m in members) / size,
                "entity_right_share": sum(right) / size,
                "size": size,
                "members": members,
            }
        )
    return rows


def summary(entities: list[dict[str, Any]], singles: int) -> dict[str, Any]:
    conf = [m["confidence"] for e in entities for m in e["members"]]
    raw = [m["raw"] for e in entities for m in e["members"]]
    right = [float(m["right"]) for e in entities for m in e["members"]]
    econf = [e["entity_confidence"] for e in entities]
    eright = [e["entity_right_share"] for e in entities]
    n = len(conf)
    mismatches = sum(
        abs(m["confidence"] - m["recomputed"]) > 1e-6 for e in entities for m in e["members"]
    )
    return {
        "members": n,
        "mismatches": mismatches,
        "single_name_entities": singles,
        "member_mean_confidence": sum(conf) / n if n else None,
        "member_right_share": sum(right) / n if n else None,
        "member_ece": ece(conf, right) if n else None,
        "member_raw_ece": ece(raw, right) if n else None,
        "entities": len(econf),
        "entity_mean_confidence": sum(econf) / len(econf) if econf else None,
        "entity_right_share": sum(eright) / len(eright) if eright else None,
        "entity_ece": ece(econf, eright) if econf else None,
        "entity_raw_ece": ece([e["entity_raw"] for e in entities], eright) if econf else None,
    }


def run(max_clusters: int, dump: Path | None) -> dict[str, Any]:
    matcher = Matcher()
    report: dict[str, Any] = {}
    dumped: list[dict[str, Any]] = []
    for task in TASK_FILES:
        clusters = [c for c in load_clusters(DATA / task) if c.get("disjoint", True)]
        rng = random.Random(SEED)
        if len(clusters) > max_clusters:
            clusters = rng.sample(clusters, max_clusters)
        for script, latin in (("all", None), ("latin", True)):
            for half in ("fit", "held-out"):
                part = [c for c in clusters if holdout(c["id"]) == (half == "held-out")]
                gold = gold_names(part, latin)
                if len(set(gold.values())) < 2:
                    continue
                start = time.perf_counter()
                found = matcher.cluster([(name, 1) for name in sorted(gold)])
                entities = labelled(found, gold, matcher)
                singles = sum(1 for c in found if len(c.members) == 1)
                key = f"{task.removesuffix('.jsonl')}:{script}:{half}"
                report[key] = summary(entities, singles)
                report[key]["seconds"] = round(time.perf_counter() - start, 1)
                print(key, json.dumps(report[key]), flush=True)
                if dump is not None:
                    for e in entities:
                        for m in e["members"]:
                            dumped.append(
                                {
                                    "task": f"{task}:{script}",
                                    "half": half,
                                    "features": m["features"],
                                    "right": m["right"],
                                }
                            )
    if dump is not None:
        dump.write_text(json.dumps(dumped) + "\n", encoding="utf-8")
    return report


def markdown(report: dict[str, Any], command: str) -> str:
    lines = [
        "# Calibration of clustering's confidences",
        "",
        f"`{command}` (see the script's docstring). A member is right when its gold entity is its "
        "found entity's majority; an entity's confidence claims the share of its members that "
        "are right. ECE: ten equal-width bins.",
        "",
        "| task : variants : half | members | mean confidence | right | member ECE (raw mean) "
        "| entities | mean entity confidence | right share | entity ECE (raw mean) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, r in report.items():
        if not r["members"]:
            continue
        lines.append(
            f"| {key} | {r['members']:,} | {r['member_mean_confidence']:.3f} "
            f"| {r['member_right_share']:.3f} | {r['member_ece']:.3f} "
            f"({r['member_raw_ece']:.3f}) | {r['entities']:,} "
            f"| {r['entity_mean_confidence']:.3f} | {r['entity_right_share']:.3f} "
            f"| {r['entity_ece']:.3f} ({r['entity_raw_ece']:.3f}) |"
        )
    mismatches = sum(r["mismatches"] for r in report.values())
    lines += [
        "",
        f"Members whose confidence, recomputed from their evidence with the packaged calibration, "
        f"differs from the one `Matcher.cluster` returned: {mismatches}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, default=2000)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--out", type=Path, default=RESULTS / "member_confidence")
    args = parser.parse_args()
    report = run(args.clusters, args.dump)
    command = "benchmarks/member_confidence.py" + (
        f" --clusters {args.clusters}" if args.clusters != 2000 else ""
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    args.out.with_suffix(".md").write_text(markdown(report, f".venv/bin/python {command}"), "utf-8")


if __name__ == "__main__":
    main()
