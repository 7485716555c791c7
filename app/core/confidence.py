"""A member's confidence in its entity: the calibrated probability that it belongs there.

Clustering knows, for every member of an entity, its mean match probability with the entity's
other members (``matcher.CONFIDENCE_PEERS`` of them at most): the raw evidence. That mean is not
the probability that the member belongs to the entity. A far alias ("Deutschland" among spellings
of "Germany") has low probabilities with every other member and is still right, while a member
that average linkage took in had to bring the mean to the link threshold first, so the raw mean
says too little in the middle of its range. A logistic step on that evidence (``features``: the
mean, the best link, the entity's size and its scripts) maps one to the other; it is fitted offline
(``scripts/fit_confidence.py``) on the entities found in the fit half of the development
clusters, and ``benchmarks/member_confidence.py`` measures it on the held-out half. An entity's
confidence, the mean of its members', is then the expected share of its members that belong to
it. A one-name entity is certain of its name (confidence 1.0).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from app.core.compare import sigmoid

__all__ = ["EDGE", "FEATURES", "ConfidenceCalibration", "features", "load_confidence"]

# Probabilities are clipped this far from 0 and 1 before their log-odds are taken.
EDGE = 1e-4

# The calibration's inputs, in the order of ``features`` and of the fitted weights.
FEATURES = ("mean_logit", "best_logit", "log_size", "latin", "latin_share")


def _logit(p: float) -> float:
    p = min(max(p, EDGE), 1.0 - EDGE)
    return math.log(p / (1.0 - p))


def features(
    probabilities: Sequence[float], size: int, latin: bool, latin_share: float
) -> tuple[float, ...]:
    """The calibration's inputs for one member: the log-odds of its mean and of its best match
    probability with the entity's other members (``probabilities``, not empty), the log of the
    entity's size, whether the member is written in Latin script, and the share of the entity's
    members that are. Spellings of one entity in one script are judged more strictly than
    transliterations across scripts (a pair of Latin spellings needs its letters to agree), so
    an all-Latin entity's members are right as often at lower probabilities."""
    mean = sum(probabilities) / len(probabilities)
    return (
        _logit(mean),
        _logit(max(probabilities)),
        math.log(max(size, 1)),
        1.0 if latin else 0.0,
        latin_share,
    )


@dataclass(frozen=True, slots=True)
class ConfidenceCalibration:
    """``sigmoid(weights · features + offset)``, the weights in the order of ``FEATURES``."""

    weights: tuple[float, ...]
    offset: float

    def __call__(
        self, probabilities: Sequence[float], size: int, latin: bool, latin_share: float
    ) -> float:
        """The probability that a member belongs to its entity of ``size`` names, from its
        match probabilities with the other members (see ``features``)."""
        x = features(probabilities, size, latin, latin_share)
        return sigmoid(self.offset + sum(w * v for w, v in zip(self.weights, x, strict=True)))


@lru_cache(maxsize=1)
def load_confidence() -> ConfidenceCalibration:
    """The packaged calibration (``data/confidence.json``)."""
    text = resources.files("app.core").joinpath("data/confidence.json").read_text("utf-8")
    fitted = json.loads(text)
    if tuple(fitted["features"]) != FEATURES or fitted["edge"] != EDGE:
        msg = (
            f"data/confidence.json was fitted on {fitted['features']} clipped at "
            f"{fitted['edge']}, not {FEATURES} at {EDGE}: run scripts/fit_confidence.py"
        )
        raise ValueError(msg)
    return ConfidenceCalibration(
        weights=tuple(float(w) for w in fitted["weights"]), offset=float(fitted["offset"])
    )
