"""The fused feature pass equals the feature functions, and batch tree scoring equals the walk."""

import dataclasses
import pickle
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.compare import _ordered, compared_forms, feature_values
from app.core.features import FEATURE_NAMES, FEATURES, align, feature_vector
from app.core.normalize import normalize_name, try_normalize_name
from app.core.score import Model, Tree, _compiled, _tree_arrays, _walk_levels, load_model

# Pairs that reach every branch of the features: initials, digits and roman numerals, acronyms
# (one token and dotted), truncation, particles and designators, merged tokens, vowel-poor and
# other scripts, a name of particles only.
PAIRS = [
    ("M. Pezeshkian", "Masoud Pezeshkian"),
    ("Iravani", "Irani"),
    ("Takht-Ravanchi", "Takhtravanchi"),
    ("RIM GROUP INVESTMENTS II", "RIM GROUP INVESTMENTS III"),
    ("Carlyle Partners VII", "Carlyle Partners"),
    ("BICENTENARIO X", "V. Putin"),
    ("IRGC", "Islamic Revolutionary Guard Corps"),
    ("I.R.G.C.", "Islamic Revolutionary Guard Corps"),
    ("Al-Qaeda", "al Qaida"),
    ("Muammar al-Gaddafi", "القذافي"),
    ("Зеленский", "Zelensky"),
    ("Зеленский", "Зеленськийй"),
    ("עמוס עוז", "Amos Oz"),
    ("김정은", "Kim Jong Un"),
    ("習近平", "Xi Jinping"),
    ("Bank Melli Iran", "Melli Bank of Iran PLC"),
    ("al", "el"),
    ("Ali Khan", "Ali Khamenei"),
    ("1st Battalion 22", "22 Battalion"),
    ("Ravanchi's", "Ravanchi"),
]

NAMES = st.text(
    alphabet=st.sampled_from("abcdeghiklmnorstuvwyz AIRGCXV.-'12йжкзалقذاف"),
    min_size=1,
    max_size=30,
)


def _reference(a: str, b: str) -> tuple[list[float], list[float]] | None:
    fa, fb = try_normalize_name(a), try_normalize_name(b)
    if fa is None or fb is None:
        return None
    x, y = _ordered(*compared_forms(fa, fb)[:2])
    al = align(x, y)
    return [f(al) for f in FEATURES], feature_vector(x, y)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_fused_features_equal_the_feature_functions(a: str, b: str) -> None:
    result = _reference(a, b)
    assert result is not None
    reference, fused = result
    assert fused == reference
    assert feature_values(normalize_name(a), normalize_name(b)) == dict(
        zip(FEATURE_NAMES, reference, strict=True)
    )


@settings(max_examples=300, deadline=None)
@given(NAMES, NAMES)
def test_fused_features_equal_the_feature_functions_on_any_names(a: str, b: str) -> None:
    result = _reference(a, b)
    if result is not None:
        assert result[1] == result[0]


def test_shape_similarity_of_one_word_names_in_alphabets_that_write_vowels() -> None:
    def shape(a: str, b: str) -> float:
        x, y = _ordered(normalize_name(a), normalize_name(b))
        return feature_values(x, y)["single_token_shape_similarity"]

    assert shape("Grote", "Groote") == 1.0
    assert shape("Grote", "Gareth") < 0.9
    assert shape("Зеленский", "Zelensky") > 0.8  # Cyrillic writes its vowels
    assert shape("القذافي", "Gaddafi") == -1.0  # Arabic script does not
    assert shape("M.", "Masoud") == -1.0  # an initial has no shape
    assert shape("Grote Markt", "Groote Markt") == -1.0  # names of two words or more


def test_a_pair_counts_as_romanized_only_across_two_scripts() -> None:
    def romanized(a: str, b: str) -> float:
        x, y = _ordered(normalize_name(a), normalize_name(b))
        return feature_values(x, y)["non_latin_pair"]

    assert romanized("עמוס עוז", "아모스 오즈") == 1.0  # Hebrew and Korean
    assert romanized("Зеленский", "Владимир Зеленский") == 0.0  # one script
    assert romanized("Зеленский", "Zelensky") == 0.0  # cross-script, not romanized twice


def test_token_hash_is_stored_and_rebuilt_after_pickling() -> None:
    form = normalize_name("Majid Takht-Ravanchi")
    token = form.tokens[0]
    copy = pickle.loads(pickle.dumps(token))
    assert copy == token
    assert hash(copy) == hash(token) == hash(dataclasses.astuple(token)[:7])
    accented = normalize_name("Beneš").tokens[0]
    assert accented.alt_skeleton
    assert pickle.loads(pickle.dumps(accented)) == accented
    assert pickle.loads(pickle.dumps(form)) == form


def _rows(model: Model, count: int, seed: int) -> np.ndarray:
    """Feature rows that fall on, just below and just above the model's own thresholds."""
    rng = random.Random(seed)
    thresholds: dict[int, list[float]] = {}
    for tree in model.trees:
        for f, t, left in zip(tree.feature, tree.threshold, tree.left, strict=True):
            if left != -1:
                thresholds.setdefault(f, []).append(t)
    rows = np.empty((count, len(model.feature_names)))
    for r in range(count):
        for f in range(len(model.feature_names)):
            choices = thresholds.get(f, [0.0])
            t = rng.choice(choices)
            rows[r, f] = rng.choice(
                [t, np.nextafter(t, -np.inf), np.nextafter(t, np.inf), -1.0, 9.0]
            )
    return rows


def test_batch_scores_equal_the_generated_ensemble_and_the_walk() -> None:
    model = load_model()
    x = _rows(model, 2000, seed=3)
    batch = model.batch_raw_scores(x)
    compiled = _compiled(model)
    expected = np.array([model.base + compiled(row) for row in x.tolist()])
    assert np.array_equal(batch, expected)
    assert np.array_equal(batch, model.base + _walk_levels(_tree_arrays(model), x))
    walked = [model.base + sum(t.walk(row, None) for t in model.trees) for row in x[:50].tolist()]
    assert batch[:50].tolist() == pytest.approx(walked)
    assert model.batch_raw_scores(x[:0]).shape == (0,)


def _deep_tree(leaves: int) -> Tree:
    """A chain of ``leaves - 1`` splits on feature 0 (threshold k at depth k)."""
    feature, threshold, left, right, value = [], [], [], [], []
    for k in range(leaves - 1):
        node = len(feature)
        feature += [0, 0]
        threshold += [float(k), 0.0]
        left += [node + 1, -1]
        right += [node + 2, -1]
        value += [0.0, float(k)]
    feature.append(0)
    threshold.append(0.0)
    left.append(-1)
    right.append(-1)
    value.append(float(leaves))
    # Every inner node k points at its leaf k + 1 on the left and the next inner node right.
    return Tree(tuple(feature), tuple(threshold), tuple(left), tuple(right), tuple(value))


@pytest.mark.parametrize("leaves", [20, 33, 64, 65])
def test_batch_scores_of_trees_of_any_size(leaves: int) -> None:
    # 32 or fewer leaves: 32-bit masks; up to 64: 64-bit; more: the level walk.
    model = dataclasses.replace(load_model(), trees=(_deep_tree(leaves), _deep_tree(leaves // 2)))
    x = np.zeros((200, len(model.feature_names)))
    x[:, 0] = np.linspace(-1.0, leaves + 1.0, 200)
    compiled = _compiled(model)
    expected = [model.base + compiled(row) for row in x.tolist()]
    assert model.batch_raw_scores(x).tolist() == expected


@pytest.mark.parametrize(
    ("name", "numbers", "vowel_poor"),
    [
        ("BICENTENARIO XIV", {"14"}, False),
        ("BICENTENARIO X", {"10"}, False),
        ("V. Putin", set(), False),
        ("RIM GROUP INVESTMENTS III", {"3"}, False),
        ("Hull 2207 Li", {"2207"}, False),
        ("القذافي", set(), True),
        ("Зеленский", set(), False),
        ("김정은 2", {"2"}, True),
    ],
)
def test_name_numbers_and_vowel_poor_scripts(name: str, numbers: set[str], vowel_poor: bool):
    form = normalize_name(name)
    assert form.numbers == numbers
    assert form.vowel_poor is vowel_poor


def test_probability_paths_agree() -> None:
    from app.core.compare import batch_probabilities, compare_forms, probability

    model = load_model()
    forms = [(normalize_name(a), normalize_name(b)) for a, b in PAIRS]
    explained = [compare_forms(a, b, model, explain=True).probability for a, b in forms]
    assert [compare_forms(a, b, model).probability for a, b in forms] == explained
    assert [probability(a, b, model) for a, b in forms] == explained
    assert batch_probabilities(forms, model) == explained
    assert [probability(b, a, model) for a, b in forms] == explained
