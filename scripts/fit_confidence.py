"""Fit the calibration of clustering's member confidence (app/core/data/confidence.json).

    .venv/bin/python benchmarks/member_confidence.py --dump /tmp/members.json
    .venv/bin/python scripts/fit_confidence.py /tmp/members.json

A member's evidence is its match probabilities with its entity's other members, the entity's
size and scripts (``app.core.confidence.features``). The mean probability is not the probability
that the member belongs to its entity: a far alias ("Deutschland" in an entity of "Germany"
spellings) has low probabilities with every other member and is still right, and the merge rule
already asked the mean to reach the link threshold. A logistic step on the evidence maps it to
that probability. It is fitted on the members of the entities found in the fit half
of the development clusters (``scripts/fit_model.py``'s ``holdout``; all-script and Latin-only
variants, each task weighing the same), and the held-out half's expected calibration error,
before and after, is printed and stored in the file's provenance.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.confidence import EDGE, FEATURES
from scripts.fit_model import ece

OUT = Path(__file__).resolve().parents[1] / "app" / "core" / "data" / "confidence.json"
MIN_TASK_MEMBERS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("members", type=Path, help="--dump of benchmarks/member_confidence.py")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = json.loads(args.members.read_text(encoding="utf-8"))
    # A task with too few members found together (the Latin-only variants of cross-script
    # people: one Latin name per person) would weigh a handful of members as much as a task.
    sizes = Counter(r["task"] for r in rows)
    rows = [r for r in rows if sizes[r["task"]] >= MIN_TASK_MEMBERS]
    fit = [r for r in rows if r["half"] == "fit"]
    held = [r for r in rows if r["half"] == "held-out"]
    per_task = Counter(r["task"] for r in fit)
    x = np.array([r["features"] for r in fit])
    y = np.array([float(r["right"]) for r in fit])
    w = np.array([1000.0 / per_task[r["task"]] for r in fit])
    model = LogisticRegression(C=1e6, max_iter=1000).fit(x, y, sample_weight=w)
    weights = [float(v) for v in model.coef_[0]]
    offset = float(model.intercept_[0])
    report = {}
    for task in sorted({r["task"] for r in held}):
        part = [r for r in held if r["task"] == task]
        xt = np.array([r["features"] for r in part])
        raw = 1 / (1 + np.exp(-xt[:, 0]))  # the mean probability (clipped to EDGE)
        yt = np.array([float(r["right"]) for r in part])
        z = xt @ np.array(weights) + offset
        calibrated = 1 / (1 + np.exp(-z))
        report[task] = {
            "members": len(part),
            "right": round(float(yt.mean()), 4),
            "ece_raw": round(ece(raw, yt), 4),
            "ece": round(ece(calibrated, yt), 4),
        }
        print(task, report[task])
    out = {
        "features": list(FEATURES),
        "weights": [round(w, 6) for w in weights],
        "offset": round(offset, 6),
        "edge": EDGE,
        "provenance": {
            "script": "scripts/fit_confidence.py",
            "data": "members of the entities Matcher.cluster finds in the development clusters "
            "(benchmarks/member_confidence.py --dump), fit half of scripts/fit_model.py's split",
            "model": "logistic regression (practically unregularized) on the member's evidence "
            "(app.core.confidence.features), tasks weighted equally",
            "fit_members": len(fit),
            "held_out": report,
        },
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: weights {dict(zip(FEATURES, weights, strict=True))}, offset {offset}")


if __name__ == "__main__":
    main()
