"""Compare two normalized names: features, contributions and a calibrated probability."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from app.core.features import FEATURE_NAMES, feature_description, feature_vector
from app.core.normalize import glued
from app.core.score import Model, segment_of
from app.core.types import Evidence, NameForm

__all__ = [
    "Comparison",
    "batch_probabilities",
    "compare_forms",
    "compare_values",
    "feature_values",
    "pair_features",
    "probability",
    "row_probability",
    "sigmoid",
]

# Ceiling of the log-odds of a pair whose numbers conflict (probability 0.5, below the decision
# threshold). The development data disagree on such pairs: every one of the curated hard
# negatives ("RIM GROUP INVESTMENTS II" / "III", hull numbers) is two entities, while most
# labelled screening pairs ("Carlyle Partners VII" / "VIII") count them as one family; an even
# chance that never merges on its own is the honest answer.
_NUMBER_CONFLICT_LOG_ODDS = 0.0
# Floor of the log-odds of two names written alike, letter for letter after normalization, in
# one script (probability 0.95). Of the development pairs written so, 99% are one entity, and
# the model agrees on nearly all of them (0.94-1.0), but not where a name is one word among
# designators: the trees saw few such pairs written alike, and scored "KOREA NATIONAL
# INSURANCE COMPANY" against "Korea National Insurance Company" 0.63.
_WRITTEN_ALIKE_LOG_ODDS = math.log(0.95 / 0.05)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Probability of one entity, with each feature's value and contribution."""

    probability: float
    values: dict[str, float]
    contributions: dict[str, float]

    def evidence(self) -> tuple[Evidence, ...]:
        """The features as ``Evidence``, strongest contribution first."""
        items = [
            Evidence(
                feature=name,
                value=round(self.values[name], 4),
                contribution=round(c, 4),
                description=feature_description(name),
            )
            for name, c in self.contributions.items()
        ]
        return tuple(sorted(items, key=lambda e: -abs(e.contribution)))


def _ordered(a: NameForm, b: NameForm) -> tuple[NameForm, NameForm]:
    # Features are symmetric by design; ordering the pair makes tie-breaks symmetric too.
    return (a, b) if (a.latin, a.raw) <= (b.latin, b.raw) else (b, a)


def feature_values(a: NameForm, b: NameForm) -> dict[str, float]:
    """Every feature of ``FEATURES`` for the pair, by name."""
    return dict(zip(FEATURE_NAMES, pair_features(a, b), strict=True))


def sigmoid(z: float) -> float:
    """The logistic function, without overflow for large negative ``z``."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def compare_forms(a: NameForm, b: NameForm, model: Model, explain: bool = False) -> Comparison:
    """Score a pair of normalized names with ``model``; ``explain`` adds contributions."""
    return compare_values(feature_values(a, b), model, explain)


def compare_values(values: dict[str, float], model: Model, explain: bool = False) -> Comparison:
    """``compare_forms`` from the pair's ``feature_values``, computed once: resolve scores its
    candidates plainly, then explains the best few from the same values."""
    z, contributions = model.log_odds(values, explain)
    capped = _capped(z, values["number_conflict"])
    if explain and capped != z:
        # The cut is credited to the feature, so contributions still add up to the log-odds.
        contributions["number_conflict"] += capped - z
    segment = segment_of(values["cross_script"], values["non_latin_pair"])
    floored = _floored(capped, segment, values["joined_similarity"], values["missing_token_share"])
    if explain and floored != capped:
        contributions["joined_similarity"] += floored - capped
    return Comparison(sigmoid(floored), values, contributions)


def _capped(z: float, number_conflict: float) -> float:
    """Rule on top of the model: names that differ by a number or roman numeral are never a
    match on their spelling alone (log-odds at most ``_NUMBER_CONFLICT_LOG_ODDS``)."""
    if number_conflict and z > _NUMBER_CONFLICT_LOG_ODDS:
        return _NUMBER_CONFLICT_LOG_ODDS
    return z


def _floored(z: float, segment: int, joined_similarity: float, missing_token_share: float) -> float:
    """Rule on top of the model: two names of one script (calibration segment 0) whose letters
    are the same once joined (in their order or sorted: "John Smith" / "Smith, John",
    "Vanderbilt" / "van der Bilt") and whose words all align are at least 0.95
    (``_WRITTEN_ALIKE_LOG_ODDS``)."""
    alike = segment == 0 and joined_similarity == 1.0 and missing_token_share == 0.0
    return max(z, _WRITTEN_ALIKE_LOG_ODDS) if alike else z


def pair_features(a: NameForm, b: NameForm) -> list[float]:
    """The pair's features in ``FEATURE_NAMES`` order (the values of ``feature_values``), of
    the pair's ``compared_forms``."""
    if a.has_reading or b.has_reading:
        a, b, _ = compared_forms(a, b)
    return feature_vector(*_ordered(a, b))


# A given name and a surname: the name a patronymic is left out against (``compared_forms``).
_BARE_WORDS = 2


def compared_forms(a: NameForm, b: NameForm) -> tuple[NameForm, NameForm, str | None]:
    """The forms two names are compared in, and the language they were read in: two names that
    both read as Korean, or both as Mandarin (one of them in Latin letters), in the one spelling
    of that language's romanizations; else as they are (None), but for a patronymic that only
    one of them has."""
    if a.korean is not None and b.korean is not None:
        return a.korean, b.korean, "Korean"
    if a.mandarin is not None and b.mandarin is not None and (a.is_latin or b.is_latin):
        # Two names in characters have one romanization already: pinyin.
        return a.mandarin, b.mandarin, "Mandarin"
    # A patronymic is left out of a name compared with a given name and surname alone ("Sergey
    # Viktorovich Lavrov" / "Sergey Lavrov"); two patronymics, or a patronymic and an initial
    # ("Aleksandr Anatolyevich" / "Alexander A."), are compared.
    if a.bare is not None and len(b.tokens) == _BARE_WORDS:
        return a.bare, b, None
    if b.bare is not None and len(a.tokens) == _BARE_WORDS:
        return a, b.bare, None
    # A particle glued to its word in one name only ("al Qaida" / "Alqaeda", "van der Bilt" /
    # "Vanderbilt"): glued in both.
    if a.gluable or b.gluable:
        ga, gb = glued(a, b), glued(b, a)
        if ga is not None or gb is not None:
            return ga or a, gb or b, None
    return a, b, None


def probability(a: NameForm, b: NameForm, model: Model) -> float:
    """``compare_forms(a, b, model).probability`` without the dicts of an explanation."""
    return row_probability(pair_features(a, b), model)


def row_probability(row: list[float], model: Model) -> float:
    """The probability of a pair from its ``pair_features``."""
    x = row if model.feature_names == FEATURE_NAMES else _reordered([row], model)[0]
    return _calibrated(row, model.raw_row(x), model)


def batch_probabilities(pairs: Iterable[tuple[NameForm, NameForm]], model: Model) -> list[float]:
    """``compare_forms(a, b, model).probability`` of many pairs, equal to it pair by pair:
    features per pair (``feature_vector``, no dict), then the trees of all pairs at once
    (``Model.batch_raw_scores``), then the same calibration, number-conflict ceiling and
    sigmoid."""
    rows = [pair_features(a, b) for a, b in pairs]
    if not rows:
        return []
    if model.feature_names != FEATURE_NAMES:
        x = np.array(_reordered(rows, model), dtype=np.float64)
    else:
        x = np.array(rows, dtype=np.float64)
    raws = model.batch_raw_scores(x).tolist()
    return [_calibrated(row, raw, model) for row, raw in zip(rows, raws, strict=True)]


def _reordered(rows: list[list[float]], model: Model) -> list[list[float]]:
    order = [FEATURE_NAMES.index(n) for n in model.feature_names]
    return [[row[k] for k in order] for row in rows]


_CROSSED = FEATURE_NAMES.index("cross_script")
_ROMANIZED = FEATURE_NAMES.index("non_latin_pair")
_CONFLICT = FEATURE_NAMES.index("number_conflict")
_JOINED = FEATURE_NAMES.index("joined_similarity")
_MISSING = FEATURE_NAMES.index("missing_token_share")


def _calibrated(row: list[float], raw: float, model: Model) -> float:
    """``compare_values``'s probability from a pair's features and the trees' raw score."""
    segment = segment_of(row[_CROSSED], row[_ROMANIZED])
    slope, offset = model.segment_step(segment)
    z = _capped(slope * raw + offset, row[_CONFLICT])
    return sigmoid(_floored(z, segment, row[_JOINED], row[_MISSING]))
