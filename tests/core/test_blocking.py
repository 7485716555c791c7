"""Blocking (tiers, rarity rule), batch scoring and the component split of clustering."""

import random
from itertools import combinations

import numpy as np
import pytest

from app.core import blocking
from app.core.blocking import candidate_pairs, form_candidate_pairs
from app.core.cluster import mergeable_components
from app.core.compare import batch_probabilities, compare_forms
from app.core.matcher import Matcher
from app.core.normalize import normalize_name
from app.core.parallel import score_pairs
from app.core.score import load_model

MODEL = load_model()
NO3 = [False] * 3


def _pairs(names):
    return form_candidate_pairs([normalize_name(n) for n in names])


def test_spellings_of_one_name_are_proposed_and_each_pair_once():
    names = ["Majid Takht-Ravanchi", "Takht Rwanchi", "M. Ravanchi", "Ravanchi, Majid", "Elon Musk"]
    pairs = _pairs(names).tolist()
    assert len(pairs) == len({tuple(p) for p in pairs})
    assert all(i < j for i, j in pairs)
    proposed = {(names[i], names[j]) for i, j in pairs}
    assert ("Majid Takht-Ravanchi", "Ravanchi, Majid") in proposed
    assert ("Majid Takht-Ravanchi", "M. Ravanchi") in proposed
    assert not any("Elon Musk" in p for p in proposed)


def test_a_word_split_in_two_meets_the_joined_spelling():
    # No word of one is a word of the other, nor do their word pairs agree; the skeletons of
    # the whole names' letters do ("K:").
    for names in (
        ["Dedres Fazhekgro", "Dedres Fzhe-Kgro"],
        ["Bandar Seri Begavan", "Bandarseribegavana"],
    ):
        assert _pairs(names).tolist() == [[0, 1]], names


def test_a_bare_name_meets_full_names_through_a_token_key():
    names = ["Ravanchi", "Majid Ravanchi", "Ali Ravanchi"]
    proposed = {(names[i], names[j]) for i, j in _pairs(names).tolist()}
    assert ("Ravanchi", "Majid Ravanchi") in proposed
    assert ("Ravanchi", "Ali Ravanchi") in proposed


def test_an_oversized_block_is_paired_as_a_sorted_neighbourhood(monkeypatch):
    monkeypatch.setattr(blocking, "NAME_BLOCK_SIZE", 3)
    monkeypatch.setattr(blocking, "TOKEN_BLOCK_SIZE", 3)
    # One shared name key ("J:" of the same letters) across 8 items: the block is over the cap.
    keys = [["J:same"] for _ in range(8)]
    order = ["h", "a", "g", "b", "f", "c", "e", "d"]
    pairs = candidate_pairs(keys, order, [False] * 8, [True] * 8, [False] * 8).tolist()
    rank = {item: sorted(order).index(order[item]) for item in range(8)}
    distances = sorted(abs(rank[i] - rank[j]) for i, j in pairs)
    assert len(pairs) == 7 + 6 + 5  # each item with its next WINDOW=3 neighbours
    assert max(distances) == blocking.WINDOW


def test_an_oversized_token_block_is_ordered_by_the_spelling_of_its_token(monkeypatch):
    monkeypatch.setattr(blocking, "TOKEN_BLOCK_SIZE", 3)
    # Every name holds the token key "s:KrK". By the whole names' letters, "gorakrakau" and
    # "krakau" are four apart (hanakroka, ilsekraki, ineskraku, janakraku between them); by
    # the spelling of the token first, the two "krakau" are neighbours.
    names = ["Gora Krakau", "Hana Kroka", "Ilse Kraki", "Ines Kraku", "Jana Kraku", "Krakau"]
    forms = [normalize_name(n) for n in names]
    assert all(blocking.ordered_cluster_keys(f)["s:KrK"] == f.tokens[-1].latin for f in forms)
    order = [blocking.neighbourhood_key(f) for f in forms]
    rest = ([len(f.core_tokens) == 1 for f in forms], [True] * 6, [False] * 6)
    by_name = candidate_pairs([blocking.cluster_keys(f) for f in forms], order, *rest).tolist()
    assert [0, 5] not in by_name
    pairs = candidate_pairs([blocking.ordered_cluster_keys(f) for f in forms], order, *rest)
    assert [0, 5] in pairs.tolist()
    assert pairs.tolist() == _pairs(names).tolist()


def test_ordered_keys_are_the_cluster_keys():
    names = ("Majid Takht-Ravanchi", "القذافي", "J. Smith", "OOO Yuzhny Proekt", "Beneš", "Dėras")
    for name in (*names, "Hussein Herstalis"):
        form = normalize_name(name)
        ordered = blocking.ordered_cluster_keys(form)
        assert set(ordered) == blocking.cluster_keys(form)
        tokens = {t.latin for t in form.core_tokens}
        tokens |= {v for t in form.core_tokens for v in blocking._word_variants(t.latin)}
        assert all(v in tokens for k, v in ordered.items() if blocking.is_token_key(k))
        assert all(v == "" for k, v in ordered.items() if not blocking.is_token_key(k))


def test_a_word_without_its_vowels_meets_its_spelling_in_a_vowel_poor_script():
    # Arabic leaves out the first vowel of "Araish" (عرائش, "raish"): the skeletons differ and
    # the consonant key they share ("c:ls") is held by a large share of names. Their letters
    # without vowels agree; the key pairs only where a name in a vowel-poor script is involved.
    arabic, latin = normalize_name("عرائش"), normalize_name("El Araish")
    assert arabic.vowel_poor
    assert not latin.vowel_poor
    shared = blocking.cluster_keys(arabic) & blocking.cluster_keys(latin)
    assert "v:rsh" in shared
    assert not any(k.startswith("s:") for k in shared)
    assert blocking.needs_vowel_poor("v:rsh")
    keys = [["v:rsh"]] * 3
    pairs = candidate_pairs(keys, ["a", "b", "c"], [True] * 3, [True] * 3, NO3).tolist()
    assert pairs == []  # "Rasha", "Rosh", "Araish": no name in a vowel-poor script
    pairs = candidate_pairs(keys, ["a", "b", "c"], [True] * 3, [True] * 3, [True, False, False])
    assert pairs.tolist() == [[0, 1], [0, 2]]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Herstal", "Ерстал"),  # Russian leaves the "h" unwritten
        ("Hélène", "Элен"),
        ("Erstal", "Herstalis"),  # and Lithuanian adds an ending
        ("Dėras", "D'er"),  # Győr in Lithuanian and Ukrainian
    ],
)
def test_a_word_meets_its_spelling_without_a_leading_h_or_a_baltic_ending(one, other):
    # Without the variants they share at most a consonant key, which pairs only where a name
    # in a vowel-poor script is involved, and a whole-name key that a large batch overfills.
    a, b = normalize_name(one), normalize_name(other)
    shared = blocking.cluster_keys(a) & blocking.cluster_keys(b)
    pairing = [k for k in shared if blocking.is_token_key(k) and not blocking.needs_vowel_poor(k)]
    assert pairing, shared
    assert _pairs([one, other]).tolist() == [[0, 1]]


def test_only_a_leading_h_before_a_vowel_and_an_ending_after_a_consonant_are_dropped():
    assert blocking._word_variants("herstalis") == ("erstalis", "herstal")
    assert blocking._word_variants("hrabal") == ()  # "h" before a consonant is a letter
    assert blocking._word_variants("aeneas") == ()  # "-as" after a vowel is part of the word
    assert blocking._word_variants("hus") == ()  # too short to drop anything


def test_small_token_blocks_pair_bare_names_and_scripts():
    keys = [["s:X"], ["s:X"], ["s:X"]]
    pairs = candidate_pairs(keys, ["a", "b", "c"], [True, False, False], [True] * 3, NO3).tolist()
    assert pairs == [[0, 1], [0, 2]]
    pairs = candidate_pairs(keys, ["a", "b", "c"], [False] * 3, [True, False, True], NO3).tolist()
    assert pairs == [[0, 1], [1, 2]]  # full names meet across scripts
    keys = [["P:X"], ["P:X"], ["P:X"]]
    pairs = candidate_pairs(keys, ["a", "b", "c"], [False] * 3, [True] * 3, NO3).tolist()
    assert pairs == [[0, 1], [0, 2], [1, 2]]


def test_no_keys_no_pairs():
    assert candidate_pairs([], [], [], [], []).shape == (0, 2)
    pairs = candidate_pairs([["s:A"], ["s:B"]], ["a", "b"], [True] * 2, [True] * 2, [False] * 2)
    assert pairs.shape == (0, 2)


def test_an_initial_key_pairs_full_names_only_when_their_tags_agree(monkeypatch):
    names = ["J. Smith", "John Smith", "Jon Smith", "Jane Smith"]
    forms = [normalize_name(n) for n in names]
    keys = [[k for k in blocking.cluster_keys(f) if k.startswith("I:j|")] for f in forms]
    split = [blocking.split_key(k) for [k] in keys]  # one "I:j|" key each: "j" + "smith"
    assert len({block for block, _ in split}) == 1
    assert [tag for _, tag in split] == ["", "o", "o", "a"]
    order, flags = list(names), [False] * 4

    def proposed():
        pairs = candidate_pairs(keys, order, flags, [True] * 4, flags).tolist()
        return {(names[i], names[j]) for i, j in pairs}

    expected = {
        ("J. Smith", "John Smith"),
        ("J. Smith", "Jon Smith"),
        ("J. Smith", "Jane Smith"),
        ("John Smith", "Jon Smith"),  # both "jo"; "Jane" differs in the second letter
    }
    assert proposed() == expected
    # Over the cap, the sorted neighbourhood (all four within WINDOW=3) obeys the same rule.
    monkeypatch.setattr(blocking, "NAME_BLOCK_SIZE", 2)
    assert proposed() == expected


def test_a_consonant_key_block_needs_a_name_in_a_vowel_poor_script(monkeypatch):
    assert [blocking.needs_vowel_poor(k) for k in ("c:knt", "Q:kn|rm", "s:KNT", "C:knt")] == [
        True,
        True,
        False,
        False,
    ]
    keys = [["c:knt"]] * 3
    bare, latin = [True, False, False], [True, True, False]
    pairs = candidate_pairs(keys, ["a", "b", "c"], bare, latin, [False] * 3).tolist()
    assert pairs == []  # "argand" and "gandhi": a bare name, but no vowel-poor one
    pairs = candidate_pairs(keys, ["a", "b", "c"], bare, latin, [False, False, True]).tolist()
    assert pairs == [[0, 2], [1, 2]]
    monkeypatch.setattr(blocking, "TOKEN_BLOCK_SIZE", 2)
    pairs = candidate_pairs(keys, ["a", "b", "c"], bare, latin, [False, False, True]).tolist()
    assert pairs == [[0, 2], [1, 2]]  # the neighbourhood of an oversized block too


def test_batch_probabilities_equal_compare_forms():
    names = ["Takht Ravanchi", "Takht Rwanchi", "Зеленский", "Zelensky", "Louis XIV", "Louis XVI"]
    forms = [normalize_name(n) for n in names]
    pairs = list(combinations(forms, 2))
    expected = [compare_forms(a, b, MODEL).probability for a, b in pairs]
    assert batch_probabilities(pairs, MODEL) == expected
    assert batch_probabilities([], MODEL) == []


def test_parallel_scoring_gives_the_serial_answer(monkeypatch):
    import app.core.parallel as parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_PAIRS", 10)
    monkeypatch.setattr(parallel, "_CHUNK", 7)
    rnd = random.Random(3)
    words = ["Ravanchi", "Rwanchi", "Majid", "Ali", "Khan", "Khamenei", "Musk", "Elon"]
    forms = [normalize_name(" ".join(rnd.sample(words, 2))) for _ in range(30)]
    pairs = np.array(list(combinations(range(30), 2))[:200], dtype=np.int64)
    serial = score_pairs(forms, pairs, MODEL, workers=1)
    assert score_pairs(forms, pairs, MODEL, workers=2).tolist() == serial.tolist()
    assert score_pairs(forms, pairs, MODEL, workers=3).tolist() == serial.tolist()


def test_a_scoring_process_that_dies_is_an_error_not_a_hole(monkeypatch):
    import os

    import app.core.parallel as parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_PAIRS", 10)
    monkeypatch.setattr(parallel, "_CHUNK", 7)
    parent, drain = os.getpid(), parallel._drain

    def dying(*args):
        if os.getpid() != parent:
            os._exit(3)  # a forked process killed before it scored its chunks
        drain(*args)

    monkeypatch.setattr(parallel, "_drain", dying)
    forms = [normalize_name(n) for n in ["Takht Ravanchi", "Takht Rwanchi", "Elon Musk"] * 10]
    pairs = np.array(list(combinations(range(30), 2))[:100], dtype=np.int64)
    with pytest.raises(RuntimeError, match="exited with code 3"):
        score_pairs(forms, pairs, MODEL, workers=2)


def test_components_follow_only_mergeable_edges():
    pairs = np.array([[0, 1], [1, 2], [2, 3], [3, 4]], dtype=np.int64)
    probabilities = np.array([0.9, 0.6, 0.6, 0.2])
    single = [False, False, True, False, False]
    # 0-1 full-full 0.9 (merge), 1-2 bare-full 0.6 (bare join), 2-3 bare-full 0.6, 3-4 too weak
    parts = mergeable_components(5, pairs, probabilities, single, 0.7, 0.5)
    assert parts == [[0, 1, 2, 3]]
    single = [False] * 5  # now 1-2 and 2-3 are full-full edges under the threshold
    assert mergeable_components(5, pairs, probabilities, single, 0.7, 0.5) == [[0, 1]]


@pytest.mark.parametrize("workers", [1, 2])
def test_cluster_run_reports_its_figures(workers):
    names = [("Takht Ravanchi", 2), ("Takht Rwanchi", 1), ("Elon Musk", 1), ("", 1)]
    run = Matcher().cluster_run(names, workers=workers)
    assert run.names == 4
    assert run.pairs_compared >= 1
    assert sorted(len(c.members) for c in run.clusters) == [1, 1, 2]


def test_merges_involving_another_script_need_the_strict_threshold():
    from app.core.cluster import ClusterGraph, cluster_graph

    def graph(latin):
        return ClusterGraph(
            2,
            {(0, 1): 0.6},
            lambda i, j: 0.0,
            [False, False],
            threshold=0.55,
            bare_threshold=0.5,
            latin=latin,
            strict_threshold=0.7,
        )

    assert cluster_graph(graph([True, True])) == [[0, 1]]
    assert cluster_graph(graph([True, False])) == [[0], [1]]
    assert cluster_graph(graph([False, False])) == [[0], [1]]


def test_pairs_deduplicated_in_rounds_are_the_same(monkeypatch):
    import numpy as np

    import app.core.blocking as blocking
    from app.core.normalize import normalize_name

    names = [
        "Takht Ravanchi",
        "Takht Rwanchi",
        "Majid Takht-Ravanchi",
        "Ravanchi",
        "Muammar Gaddafi",
    ]
    names += ["Moammar Qaddafi", "Gaddafi", "القذافي", "Ali Khan", "Ali Khamenei", "Ali Khamenehi"]
    forms = sorted((normalize_name(n) for n in names), key=lambda f: f.raw)
    whole = blocking.form_candidate_pairs(forms)
    monkeypatch.setattr(blocking, "_DEDUP_ROUND", 1)
    rounds = blocking.form_candidate_pairs(forms)
    assert len(whole) > 5
    assert np.array_equal(whole, rounds)


def test_the_order_of_a_names_keys_does_not_change_its_neighbours(monkeypatch):
    # Name 0 holds block "I:j|X" under two tags; frozenset order follows the process's string
    # hashes, so its keys' order must not decide which neighbours each entry gets.
    monkeypatch.setattr(blocking, "NAME_BLOCK_SIZE", 2)
    others = [["I:j|X|a"], ["I:j|X|o"], ["I:j|X|a"], ["I:j|X|o"]]
    order, flags = ["a", "b", "c", "d", "e"], [False] * 5

    def pairs(first):
        return candidate_pairs([first, *others], order, flags, [True] * 5, flags).tolist()

    assert pairs(["I:j|X|o", "I:j|X|a"]) == pairs(["I:j|X|a", "I:j|X|o"])
