import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.matcher import Matcher
from app.core.normalize import try_normalize_name
from app.errors import EmptyNameError

MATCHER = Matcher()

ARTICLE = [
    "Takht Ravanchi",
    "Takht Rwanchi",
    "Takht Ruanchi",
    "Takht Rawanchi",
    "Majid Takht-Ravanchi",
    "Pizshakyan",
    "Pezeshkian",
    "Masoud Pezeshkian",
    "Araqchi",
    "Abbas Araghchi",
    "Ayatollah Ali Khamenei",
    "Khamenei",
    "Donald Trump",
    "Trump",
    "Benjamin Netanyahu",
    "Netanyahu",
    "Qassem Soleimani",
    "Qasem Suleimani",
    "Elon Musk",
    "Zelensky",
    "Zelenskyy",
    "Selenskyj",
    "Зеленский",
]
EXPECTED = [
    {"Takht Ravanchi", "Takht Rwanchi", "Takht Ruanchi", "Takht Rawanchi", "Majid Takht-Ravanchi"},
    {"Pizshakyan", "Pezeshkian", "Masoud Pezeshkian"},
    {"Araqchi", "Abbas Araghchi"},
    {"Ayatollah Ali Khamenei", "Khamenei"},
    {"Donald Trump", "Trump"},
    {"Benjamin Netanyahu", "Netanyahu"},
    {"Qassem Soleimani", "Qasem Suleimani"},
    {"Elon Musk"},
    {"Zelensky", "Zelenskyy", "Selenskyj", "Зеленский"},
]


def partition(names):
    return sorted(
        (frozenset(m.name for m in e.members) for e in MATCHER.cluster((n, 1) for n in names)),
        key=sorted,
    )


def test_machine_translated_article_clusters_exactly():
    assert partition(ARTICLE) == sorted((frozenset(s) for s in EXPECTED), key=sorted)


def test_bare_surname_does_not_join_when_two_full_names_carry_it():
    got = partition(["Donald Trump", "Ivanka Trump", "Trump"])
    assert frozenset({"Trump"}) in got
    assert frozenset({"Donald Trump"}) in got


def test_chain_of_near_names_does_not_glue_two_people():
    got = partition(["Ali Khan", "Ali Khamenei", "Ali Khamenehi", "Ali Khamene"])
    assert not any({"Ali Khan", "Ali Khamenei"} <= set(c) for c in got)


def test_canonical_prefers_best_attested_then_fullest():
    ents = MATCHER.cluster(
        [("Takht Rwanchi", 1), ("Majid Takht-Ravanchi", 1), ("Takht Ravanchi", 1)]
    )
    big = max(ents, key=lambda e: len(e.members))
    assert big.canonical == "Majid Takht-Ravanchi"
    ents = MATCHER.cluster([("Gaddafi", 5), ("Qaddafi", 2), ("Muammar Gaddafi", 1)])
    assert max(ents, key=lambda e: len(e.members)).canonical == "Gaddafi"
    assert "most frequent" in max(ents, key=lambda e: len(e.members)).canonical_reason


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Gaddafi", "Qaddafi"),
        ("Gaddafi", "القذافي"),
        ("Zelensky", "Зеленский"),
        ("Araqchi", "Araghchi"),
        ("M. Pezeshkian", "Masoud Pezeshkian"),
        ("J. Smith", "John Smith"),
        ("Takht-Ravanchi", "Takhtravanchi"),
        ("Henry IV", "헨리 4세"),
        ("Ramesses II", "רעמסס השני"),
        # Spelled numbers, saints, "new" and island or cape words in other languages: 0.03,
        # 0.11, 0.15, 0.16 and 0.14 while each spelling was its own word.
        ("FOURTEEN STAR SHIPPING MANAGEMENT", "14 STAR SHIPPING MANAGEMENT"),
        ("St. Lucia", "Sainte-Lucie"),
        ("New Caledonia", "Nova Kaledonija"),
        ("Wyspy Salomona", "Îles Salomon"),
        ("Cabo Verde", "Kap Verde"),
        # Korean names in McCune-Reischauer and in Revised Romanization: 0.14, 0.42 and 0.45
        # before both were read in one spelling.
        ("CHO, Yong Chol", "JO, Yong Chol"),
        ("PAK, Il-Kyu", "PAK, Il-Gyu"),
        ("KWAK, Chong-chol", "KWAK, Jong-chol"),
        # A realm after a regnal number, a title after a comma: 0.73 and 0.64 while the realm
        # had to match.
        ("Louis XIV", "Louis XIV of France"),
        ("Ivan VI of Russia", "Ivan VI"),
        # A patronymic one name leaves out, and x for ks: 0.86 and 0.49 before.
        ("Sergey Viktorovich Lavrov", "Sergey Lavrov"),
        ("KOSTRUBITSKY, Alexei", "KOSTRUBITSKY, Aleksey Aleksandrovich"),
        # A particle glued to its word in one name only: 0.15, 0.50, 0.54, 0.35 and 0.14 while
        # the glued word was compared with the word alone.
        ("al Qaida", "Alqaeda"),
        ("Al-Qaeda", "Alqaeda"),
        ("Alqaeda", "القاعدة"),
        ("Van der Bilt", "Vanderbilt"),
        ("vanderbilt corp", "van der bilt corp"),
        ("AL-SHAER, Saleh", "ALSHAER, Saleh Mesfer Saleh"),
    ],
)
def test_variants_match(a, b):
    assert MATCHER.compare(a, b).match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Donald Trump", "Ivanka Trump"),
        ("RIM GROUP INVESTMENTS II CORP.", "RIM GROUP INVESTMENTS III CORP."),
        ("BICENTENARIO XIV", "BICENTENARIO XV"),
        ("Brigade Forty-Four", "Brigade 45"),
        ("KIM, Hyon Wu", "KIM, Yong Su"),
        ("Kim Jong Un", "Kim Yong Nam"),
        # The father's given name is the son's patronymic: 0.85 and 0.82 while the patronymic
        # was compared with the other name's given name or surname.
        ("Oleksandr Zelenskyy", "Volodymyr Oleksandrovych Zelenskyy"),
        ("KALASHNIKOV, Alexander Petrovich", "PETROV, Alexander"),
        # Two patronymics are compared.
        ("Ivan Petrovich Sidorov", "Ivan Nikolaevich Sidorov"),
        ("Ali Khan", "Ali Khamenei"),
        # Unrelated names in different scripts (a place and the Korean, Arabic or Burmese
        # name of another place): each scored 0.70-0.83 before the fit mined such pairs.
        ("Beijing", "스리랑카"),
        ("Uruya", "اودوالا"),
        ("Майнот", "ပေကျင်းမြို့"),
        # An initial is one letter of evidence: 0.85 and 0.73 before the fit saw such pairs.
        ("J. Smith", "John"),
        ("J. Smith", "Jones"),
        # A short name against a long one with nothing in common: 0.875 before the fit mined
        # random pairs within each task.
        ("Oroya", "TARIQ ABU SHANAB EST. FOR TRADE AND COMMERCE"),
        # Given names that begin like a short designator ("shi", "gas", "shahr"): 0.98, 0.95
        # and 0.96 while they were read as designators and only the surname had to match.
        ("Shinzo Abe", "Shigeru Abe"),
        ("Gaston Dupont", "Gaspard Dupont"),
        ("Shahram Amiri", "Shahrokh Amiri"),
        ("Ion Marinescu", "Ion Popescu"),
        # "S.A." read as the initials S and A: 0.74 before dotted legal forms became one token.
        ("SES AUTOMOBILE", "TROBER, S.A."),
        # Two companies that share only Spanish designators ("Corporación", "de", "S.A./C.A."):
        # 0.85 while "corporacion" and "C.A." were read as words.
        (
            "CORPORACION DE ALMACENES POR DEPARTAMENTOS S.A.",
            "CORPORACION VENEZOLANA DE GUAYANA MINERVEN C.A.",
        ),
        # An initial with no word present in both names names nothing: 0.98, 0.70, 0.66.
        ("GRUPO WISA, S.A.", "GRUPO W S.A."),
        ("J. S.", "John Smith"),
        ("A. B. C. Holdings", "Alpha Beta Holdings"),
        # An initial beside words that share only a three-symbol skeleton ("KZK"): 0.98 with a
        # refit while any word match vouched for the initial.
        ("Grashazstn Cossik", "G. Gezgai"),
        # Two Arabic-script names whose coarse consonant keys agree ("ktp" for both al-Qadhafi
        # and "Kata'ib"): 0.91 while tokens of one script were compared by those keys.
        ("القذافي", "كتائب عز الدين القسام"),
    ],
)
def test_different_entities_do_not_match(a, b):
    assert not MATCHER.compare(a, b).match


def test_one_word_names_with_one_skeleton_are_told_apart_by_their_vowels():
    # "Grote", "Groote" and "Gareth" all have the skeleton "KrT": the vowel shape tells the
    # spelling variant from the other name (0.67 against 0.69 before the shape feature).
    assert MATCHER.compare("Groote", "Grote").probability > 0.6
    assert MATCHER.compare("Groote", "Gareth").probability < 0.6


def test_names_in_one_other_script_compare_as_latin_names_do():
    # A Russian surname against the full Russian name and against the full English one.
    same_script = MATCHER.compare("Зеленский", "Владимир Зеленский").probability
    latin = MATCHER.compare("Zelensky", "Vladimir Zelensky").probability
    assert abs(same_script - latin) < 0.1
    assert MATCHER.compare("Москва", "Москва").probability > 0.95


def test_a_bare_name_is_held_to_even_odds_only_when_it_is_one_of_the_words():
    def threshold(a: str, b: str) -> float:
        fa, fb = try_normalize_name(a), try_normalize_name(b)
        assert fa is not None
        assert fb is not None
        return MATCHER._pair_threshold(fa, fb)

    assert threshold("Putin", "Vladimir Putin") == 0.5
    assert threshold("Irani", "Amir Saeid Iravani") == 0.5
    # "Assad" resembles the given name of "Saad al-Hariri" without being it.
    assert threshold("Assad", "Saad al-Hariri") == MATCHER.threshold
    assert threshold("Vladimir Putin", "Putin") == MATCHER.threshold


def test_fit_measured_unrelated_cross_script_pairs():
    """The packaged model was fitted with mined cross-script negatives, and its held-out
    false-match rate on random pairs of names in different scripts is recorded per task."""
    held_out = MATCHER.model.provenance["held_out"]
    rates = {k: v["false_match_rate"] for k, v in held_out.items() if "xrandom" in k}
    assert len(rates) >= 4
    assert max(rates.values()) <= 0.02


def test_fit_measured_unrelated_pairs_within_each_task():
    """The same for random pairs of names of each task, whatever their scripts: the mined
    negatives of the fit keep almost all of them below the decision threshold."""
    held_out = MATCHER.model.provenance["held_out"]
    rates = {k: v["false_match_rate"] for k, v in held_out.items() if "arandom" in k}
    assert len(rates) >= 5
    assert max(rates.values()) <= 0.005


def test_explanation_lists_every_feature_and_sums_to_the_score():
    import math

    for a, b in [("Araqchi", "Abbas Araghchi"), ("Gaddafi", "القذافي"), ("Зеленский", "Зеленськ")]:
        d = MATCHER.compare(a, b, explain=True)
        assert d.evidence
        assert d.summary
        values = {e.feature: e.value for e in d.evidence}
        z = MATCHER.model.base_log_odds(values) + sum(e.contribution for e in d.evidence)
        assert math.isclose(1 / (1 + math.exp(-z)), d.probability, abs_tol=1e-3)


NAMES = st.sampled_from([*ARTICLE, "Ivanka Trump", "Ali Khan", "Muammar al-Qaddafi", "Кадаффи"])


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=25) | NAMES, st.text(min_size=1, max_size=25) | NAMES)
def test_compare_is_symmetric_and_a_probability(a, b):
    if try_normalize_name(a) is None or try_normalize_name(b) is None:
        with pytest.raises(EmptyNameError):
            MATCHER.compare(a, b)
        return
    ab = MATCHER.compare(a, b)
    ba = MATCHER.compare(b, a)
    assert 0.0 <= ab.probability <= 1.0
    assert ab.probability == ba.probability


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=40) | NAMES)
def test_a_name_written_alike_is_at_least_095(name):
    # Also in another case: "KOREA NATIONAL INSURANCE COMPANY" scored 0.63 against its title
    # case, a name of one word among designators, before the written-alike floor.
    if try_normalize_name(name) is None:
        return
    assert MATCHER.compare(name, name).probability >= 0.95
    assert MATCHER.compare(name, name, explain=True).probability >= 0.95


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("KOREA NATIONAL INSURANCE COMPANY", "Korea National Insurance Company"),
        ("National Iranian Oil Company", "NATIONAL IRANIAN OIL COMPANY"),
        ("SINA ENERGY DEVELOPMENT COMPANY", "Sina Energy Development Company"),
    ],
)
def test_one_name_in_two_cases_matches_and_the_explanation_sums_to_it(a, b):
    import math

    plain = MATCHER.compare(a, b)
    explained = MATCHER.compare(a, b, explain=True)
    assert plain.match
    assert explained.probability == plain.probability
    values = {e.feature: e.value for e in explained.evidence}
    z = MATCHER.model.base_log_odds(values) + sum(e.contribution for e in explained.evidence)
    assert math.isclose(1 / (1 + math.exp(-z)), plain.probability, abs_tol=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.lists(NAMES | st.text(max_size=12), min_size=1, max_size=12), st.randoms())
def test_cluster_is_a_partition_and_order_free(names, rnd):
    names = [n for n in names if n.strip()]
    first = MATCHER.cluster((n, 1) for n in names)
    members = [m.name for e in first for m in e.members]
    assert sorted(members) == sorted(set(names))
    shuffled = list(names)
    rnd.shuffle(shuffled)
    second = MATCHER.cluster((n, 1) for n in shuffled)
    assert first == second


def test_compiled_model_agrees_with_tree_walk():
    from app.core.compare import feature_values
    from app.core.normalize import normalize_name

    model = MATCHER.model
    for a, b in [("Gaddafi", "القذافي"), ("Elon Musk", "Zelensky"), ("Takht Ravanchi", "Rwanchi")]:
        values = feature_values(normalize_name(a), normalize_name(b))
        fast, _ = model.raw_score(values)
        explained, credit = model.raw_score(values, explain=True)
        assert abs(fast - explained) < 1e-9
        assert abs(sum(credit) + model.base + sum(t.value[0] for t in model.trees) - fast) < 1e-6
        # The generated explaining ensemble reaches the reference walk's leaves (the same sum)
        # and credits each feature what the walk credits it, summed per leaf beforehand.
        x = [values[n] for n in model.feature_names]
        walked = [0.0] * len(x)
        assert model.base + sum(t.walk(x, walked) for t in model.trees) == explained
        assert credit == pytest.approx(walked, abs=1e-9)
        assert any(walked)


def test_model_caches_never_serve_another_models_trees():
    # The compiled ensembles are cached per model; a model loaded after another was freed must
    # never get the freed one's trees (ids of dead objects are reused).
    import dataclasses
    import gc

    import numpy as np

    from app.core.compare import feature_values
    from app.core.normalize import normalize_name

    values = feature_values(normalize_name("Takht Ravanchi"), normalize_name("Rwanchi"))
    x = [values[n] for n in MATCHER.model.feature_names]
    for size in (5, 7, 9, 11):
        small = dataclasses.replace(MATCHER.model, trees=MATCHER.model.trees[:size])
        expected = small.base + sum(t.walk(x, None) for t in small.trees)
        assert small.raw_score(values)[0] == pytest.approx(expected)
        assert small.raw_score(values, explain=True)[0] == pytest.approx(expected)
        assert small.batch_raw_scores(np.array([x]))[0] == pytest.approx(expected)
        del small
        gc.collect()


def test_summary_verdict_agrees_with_match():
    for a, b in [("Araqchi", "Abbas Araghchi"), ("Donald Trump", "Ivanka Trump")]:
        d = MATCHER.compare(a, b, explain=True)
        assert d.summary.startswith("likely the same" if d.match else "likely different")


def test_weakest_link_of_a_lone_name_is_judged_at_even_odds():
    """A lone surname joins a full name at even odds; its weakest link says so, whichever of
    the two is the weakest member (the verdict used to follow the pair threshold of 0.7)."""
    (entity,) = MATCHER.cluster([("Araqchi", 1), ("Abbas Araghchi", 1)], explain=True)
    link = entity.weakest_link
    assert link is not None
    assert link.probability >= 0.5
    assert link.summary.startswith("likely the same")
