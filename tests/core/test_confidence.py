"""The calibration of a member's confidence in its entity (app.core.confidence)."""

import math

import pytest

from app.core.compare import probability
from app.core.confidence import FEATURES, features, load_confidence
from app.core.matcher import Matcher
from app.core.normalize import normalize_name


def test_the_packaged_calibration_is_a_probability_rising_with_the_evidence():
    calibrate = load_confidence()
    assert len(calibrate.weights) == len(FEATURES)
    lows = [calibrate([p, p], 3, True, 1.0) for p in (0.05, 0.3, 0.5, 0.7, 0.95)]
    assert all(0.0 < v < 1.0 for v in lows)
    assert lows == sorted(lows)
    assert calibrate([0.0], 2, False, 0.5) < calibrate([1.0], 2, False, 0.5)


def test_features_clip_certain_probabilities():
    mean_logit, best_logit, log_size, latin, share = features([1.0, 1.0], 3, True, 2 / 3)
    assert math.isfinite(mean_logit)
    assert math.isfinite(best_logit)
    assert (log_size, latin, share) == (math.log(3), 1.0, 2 / 3)


def test_cluster_confidences_are_the_calibrated_evidence():
    names = [
        "Takht Ravanchi",
        "Takht Rwanchi",
        "Takht Ruanchi",
        "Majid Takht-Ravanchi",
        "Зеленский",
        "Zelensky",
        "Selenskyj",
        "Elon Musk",
    ]
    matcher = Matcher()
    calibrate = load_confidence()
    for entity in matcher.cluster([(n, 1) for n in names]):
        members = sorted(m.name for m in entity.members)
        if len(members) == 1:
            assert entity.members[0].confidence == entity.confidence == 1.0
            continue
        forms = {n: normalize_name(n) for n in members}
        share = sum(f.is_latin for f in forms.values()) / len(members)
        for member in entity.members:
            probs = [
                probability(forms[member.name], forms[n], matcher.model)
                for n in members
                if n != member.name
            ]
            expected = calibrate(probs, len(members), forms[member.name].is_latin, share)
            assert member.confidence == pytest.approx(expected, abs=1e-6)
        mean = sum(m.confidence for m in entity.members) / len(entity.members)
        assert entity.confidence == pytest.approx(mean, abs=1e-6)
