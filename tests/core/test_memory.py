"""Releasing a large batch's transient memory changes no answer."""

from __future__ import annotations

import pytest

import app.core.matcher as matcher_module
from app.core.matcher import Matcher
from app.core.memory import release
from app.core.normalize import try_normalize_name

NAMES = [
    ("Takht Ravanchi", 3),
    ("Takht Rwanchi", 1),
    ("Majid Takht-Ravanchi", 1),
    ("Muammar Gaddafi", 2),
    ("Moammar Qaddafi", 1),
    ("القذافي", 1),
    ("Volodymyr Zelensky", 1),
    ("Зеленский", 1),
]


def test_release_empties_the_caches_and_changes_no_score():
    matcher = Matcher()
    before = matcher.compare("Takht Ravanchi", "Takht Rwanchi").probability
    assert try_normalize_name.cache_info().currsize > 0
    release()
    assert try_normalize_name.cache_info().currsize == 0
    assert matcher.compare("Takht Ravanchi", "Takht Rwanchi").probability == before


def test_a_batch_that_releases_memory_clusters_the_same(monkeypatch: pytest.MonkeyPatch):
    expected = Matcher().cluster_run(NAMES)
    released: list[bool] = []

    def spy() -> None:
        released.append(True)
        release()

    monkeypatch.setattr(matcher_module, "RELEASE_MIN_NAMES", 1)
    monkeypatch.setattr(matcher_module, "release", spy)
    got = Matcher().cluster_run(NAMES)
    assert released == [True, True]
    assert got == expected
