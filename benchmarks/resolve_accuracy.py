"""Top-1 accuracy of resolve on the development clusters, by script.

    .venv/bin/python benchmarks/resolve_accuracy.py [--clusters 2000]

For each development task file (../shared/data/dev_*.jsonl; not the nickname file, whose
clusters overlap, nor the negatives, homonyms and sample), a registry is built with one
canonical name per cluster (the cluster's canonical, else its first variant), and every other
variant is resolved against it. Top-1 is correct when the best candidate is the variant's
cluster, whatever the decision; the decisions are counted too. A rapidfuzz baseline (best
WRatio over the registry's case-folded names) is measured on the same variants.
Where the misses come from is counted too: whether the index retrieved the right entity at all,
and how many variants are far in spelling from the canonical (another name, not a spelling of
it), with top-1 over the near ones. Of the far ones, those that share no word with the
canonical (no two words alike in spelling or skeleton, ``shares_a_word``: "Fethiye" / "Makri",
"Denmark" / "Regno di Danimarca") carry no spelling evidence at all; with them the table gives
the ceiling of a spelling matcher: the top-1 it would reach if every other variant were right.
Results go to benchmarks/results/resolve_accuracy.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from app.core.index import CandidateIndex
from app.core.matcher import Matcher
from app.core.normalize import try_normalize_name
from app.core.types import NameForm

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"
FILES = [
    "dev_persons_orgs_ofac",
    "dev_places_cities",
    "dev_persons_nameparts_ru",
    "dev_persons_crossscript",
    "dev_places_countries",
]


def load(name: str, limit: int) -> list[dict[str, object]]:
    clusters = [json.loads(line) for line in (DATA / f"{name}.jsonl").open(encoding="utf-8")]
    return clusters[:limit]


# A variant whose romanized letters score below this rapidfuzz ratio against the canonical's is
# another name rather than a spelling of it ("Citium" / "Larnaca", an OFAC alias).
FAR = 60
# Two words are alike at this Jaro-Winkler similarity, or with one skeleton of 3+ symbols.
ALIKE = 0.85


def shares_a_word(a: NameForm | None, b: NameForm | None) -> bool:
    """Whether two names have a word alike in spelling or skeleton (``ALIKE``)."""
    if a is None or b is None:
        return False
    return any(
        JaroWinkler.normalized_similarity(x.latin, y.latin) >= ALIKE
        or (x.skeleton == y.skeleton and len(x.skeleton) >= 3)
        for x in a.core_tokens
        for y in b.core_tokens
    )


def _table_row(label: str, script: str, p: dict[str, object]) -> str:
    def share(key: str) -> str:
        return f"{p[key]:.4f}" if key in p else "-"  # far and near: Latin variants only

    return (
        f"| {label} | {script} | {p['variants']} | {share('top1_accuracy')} | "
        f"{share('baseline_top1_accuracy')} | {share('retrieval_recall')} | "
        f"{share('far_share')} | {share('near_top1_accuracy')} | {share('unshared_share')} | "
        f"{share('unshared_top1_accuracy')} | {share('ceiling')} | {p['matched']} | "
        f"{share('matched_precision')} | {p['ambiguous']} | {p['new']} |"
    )


def script_of(name: str) -> str:
    form = try_normalize_name(name)
    return "latin" if form is None or form.is_latin else "non_latin"


def evaluate(
    name: str, clusters: list[dict[str, object]], matcher: Matcher
) -> tuple[dict[str, object], dict[str, Counter[str]]]:
    index = CandidateIndex()
    canon: dict[str, str] = {}
    for n, cluster in enumerate(clusters):
        variants = [str(v) for v in cluster["variants"]]  # type: ignore[attr-defined]
        canonical = str(cluster.get("canonical") or variants[0])
        entity_id = f"c{n}"
        index.set_entity(entity_id, canonical, str(cluster.get("kind", "other")))
        index.add_alias(n + 1, entity_id, canonical)
        canon[entity_id] = canonical
    choices = {eid: c.casefold() for eid, c in canon.items()}
    canon_forms = {eid: try_normalize_name(c) for eid, c in canon.items()}
    latin = {eid: f.latin if f else canon[eid] for eid, f in canon_forms.items()}
    stats: dict[str, Counter[str]] = {"latin": Counter(), "non_latin": Counter()}
    start = time.perf_counter()
    for n, cluster in enumerate(clusters):
        entity_id = f"c{n}"
        for variant in cluster["variants"]:  # type: ignore[attr-defined]
            if variant == canon[entity_id]:
                continue
            bucket = stats[script_of(variant)]
            result = matcher.resolve(variant, index, top_k=1)
            top = result.candidates[0].entity_id if result.candidates else None
            bucket["variants"] += 1
            bucket["top1"] += top == entity_id
            # Where the misses come from: the right entity not retrieved at all, or a variant
            # whose romanized spelling is far from the canonical's (an exonym, another alias).
            form = try_normalize_name(variant)
            if form is not None:
                bucket["retrieved"] += any(c[0] == entity_id for c in index.candidates(form))
            # Romanized abjads lose their vowels, so the test is only telling between Latin names.
            if bucket is stats["latin"]:
                if fuzz.ratio(form.latin if form else variant, latin[entity_id]) < FAR:
                    bucket["far"] += 1
                    if not shares_a_word(form, canon_forms[entity_id]):
                        bucket["unshared"] += 1
                        bucket["unshared_top1"] += top == entity_id
                else:
                    bucket["near"] += 1
                    bucket["near_top1"] += top == entity_id
            bucket[result.decision] += 1
            bucket[f"{result.decision}_correct"] += top == entity_id
            best = process.extractOne(variant.casefold(), choices, scorer=fuzz.WRatio)
            bucket["baseline_top1"] += best is not None and best[2] == entity_id
    seconds = time.perf_counter() - start
    out: dict[str, object] = {"file": name, "clusters": len(clusters), "seconds": round(seconds, 1)}
    out.update({script: rates(counts, script) for script, counts in stats.items()})
    return out, stats


def rates(counts: Counter[str], script: str) -> dict[str, object]:
    """The figures of one script's counts (far and near only for Latin variants)."""
    total = counts["variants"] or 1
    row: dict[str, object] = {
        "variants": counts["variants"],
        "top1_accuracy": round(counts["top1"] / total, 4),
        "baseline_top1_accuracy": round(counts["baseline_top1"] / total, 4),
        "retrieval_recall": round(counts["retrieved"] / total, 4),
        "matched": counts["matched"],
        "matched_precision": round(counts["matched_correct"] / (counts["matched"] or 1), 4),
        "ambiguous": counts["ambiguous"],
        "new": counts["new"],
    }
    if script == "latin":
        row["far_share"] = round(counts["far"] / total, 4)
        row["near_top1_accuracy"] = round(counts["near_top1"] / (counts["near"] or 1), 4)
        row["unshared_share"] = round(counts["unshared"] / total, 4)
        row["unshared_top1_accuracy"] = round(
            counts["unshared_top1"] / (counts["unshared"] or 1), 4
        )
        # Every variant right except the unshared far ones, which keep their top-1.
        unshared_missed = counts["unshared"] - counts["unshared_top1"]
        row["ceiling"] = round(1 - unshared_missed / total, 4)
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clusters", type=int, default=2000, help="clusters per file")
    args = ap.parse_args()
    matcher = Matcher()
    rows = []
    totals: dict[str, Counter[str]] = {"latin": Counter(), "non_latin": Counter()}
    for name in FILES:
        row, counts = evaluate(name, load(name, args.clusters), matcher)
        print(json.dumps(row))
        rows.append(row)
        for script, c in counts.items():
            totals[script].update(c)
    summary = {s: rates(c, s) for s, c in totals.items()}
    result = {"clusters_per_file": args.clusters, "files": rows, "overall": summary}
    out = HERE / "results" / "resolve_accuracy.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Resolve: top-1 accuracy on the development clusters",
        "",
        f"Command: `.venv/bin/python benchmarks/resolve_accuracy.py --clusters {args.clusters}`",
        "",
        "Registry: one canonical name per cluster (per file); every other variant resolved.",
        "Baseline: rapidfuzz WRatio, best over the registry's case-folded names.",
        "Retrieved: the right entity is among the index's candidates. Far: the variant's",
        f"romanized letters score below {FAR} (rapidfuzz ratio) against the canonical's, i.e. it",
        "is another name (exonym, alias) rather than a spelling; near top-1 leaves those out",
        "(Latin variants only: romanized abjads lose their vowels, so the test says little there).",
        "No word: far variants that share no word with the canonical (no two words alike: Jaro-",
        f"Winkler {ALIKE} or more, or one skeleton of three symbols or more), with their top-1;",
        "ceiling: the top-1 if every other variant were right (what spelling evidence allows).",
        "",
        "| file | script | variants | top-1 | baseline top-1 | retrieved | far | near top-1 "
        "| no word | no-word top-1 | ceiling | matched | matched precision | ambiguous | new |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |",
    ]
    for row in rows:
        for script in ("latin", "non_latin"):
            p = row[script]
            assert isinstance(p, dict)
            if p["variants"]:
                lines.append(_table_row(str(row["file"]), script, p))
    for script, s in summary.items():
        lines.append(_table_row("**all**", script, s))
    (HERE / "results" / "resolve_accuracy.md").write_text("\n".join(lines) + "\n", "utf-8")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
