"""Releasing a large batch's transient memory changes no answer; what lives as long as the process
is kept out of the garbage collector's walks."""

from __future__ import annotations

import gc

import pytest

import app.core.matcher as matcher_module
from app.core.matcher import Matcher
from app.core.memory import collector_paused, long_lived, release
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


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()  # give the test process's objects back to the collector
    gc.enable()


def test_long_lived_pauses_the_collector_then_freezes_what_was_built(unfrozen):
    gc.unfreeze()
    assert gc.isenabled()
    with long_lived():
        assert not gc.isenabled()
        built = [[n] for n in range(1000)]  # tracked containers
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


@pytest.mark.parametrize("pause", [collector_paused, long_lived])
def test_the_collector_resumes_after_the_block_only_if_it_ran(unfrozen, pause):
    with pause():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), pause():
        raise RuntimeError
    assert gc.isenabled()
    # A collector paused by the caller stays paused.
    gc.disable()
    with pause():
        pass
    assert not gc.isenabled()


def test_a_clustering_run_pauses_the_collector(monkeypatch: pytest.MonkeyPatch):
    seen = []
    real = matcher_module.form_candidate_pairs

    def spy(forms):
        seen.append(gc.isenabled())
        return real(forms)

    monkeypatch.setattr(matcher_module, "form_candidate_pairs", spy)
    Matcher().cluster(NAMES)
    assert seen == [False]
    assert gc.isenabled()
