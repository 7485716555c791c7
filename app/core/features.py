"""Named features of a name pair: one function per kind of evidence.

Every feature function takes the ``Alignment`` of two names and returns a number whose scale is
in its docstring; the docstring's first line is the public explanation shown to reviewers.
``FEATURES`` lists them in the order the scoring model expects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, JaroWinkler

from app.core.acronym import MIN_WORDS as _MIN_ACRONYM_WORDS
from app.core.acronym import as_acronym, expands_to
from app.core.phonetic import metaphone, vowel_shape
from app.core.types import ROMAN_NUMERALS, VOWEL_POOR_SCRIPTS, NameForm, Token, number_value

__all__ = ["FEATURES", "MONOTONE", "ROMAN_NUMERALS", "Alignment", "align", "feature_description"]

# A token pair at or above this similarity counts as "present in both names".
_PRESENT = 0.8
_MIN_CONSONANTS = 3


def _skeleton_similarity(a: Token, b: Token) -> float:
    """Skeleton similarity, trusted only for skeletons of three symbols or more: "Kr" is the
    skeleton of carey, gara, kuri and korea alike, so short ones count no more than spelling.
    A token with two readings ("beneš": "benes" and "benesh") counts its closer one."""
    if a.alt_skeleton or b.alt_skeleton:
        return max(
            _one_skeleton_similarity(x, y, a, b) for x in _skeletons(a) for y in _skeletons(b)
        )
    return _one_skeleton_similarity(a.skeleton, b.skeleton, a, b)


def _one_skeleton_similarity(x: str, y: str, a: Token, b: Token) -> float:
    sim = _indel(x, y)
    if min(len(x), len(y)) < _MIN_CONSONANTS:
        return min(sim, _jw(a.latin, b.latin))
    return sim


def _skeletons(t: Token) -> tuple[str, ...]:
    return (t.skeleton, t.alt_skeleton) if t.alt_skeleton else (t.skeleton,)


def _same_skeleton(a: Token, b: Token) -> bool:
    """The two tokens share a skeleton (of either reading) of three symbols or more."""
    if a.alt_skeleton or b.alt_skeleton:
        return any(
            x == y and len(x) >= _MIN_CONSONANTS for x in _skeletons(a) for y in _skeletons(b)
        )
    return a.skeleton == b.skeleton and len(a.skeleton) >= _MIN_CONSONANTS


def _vowel_poor(a: Token, b: Token) -> bool:
    """Two tokens of different scripts, one of them vowel-poor: their romanizations meet only on
    consonant keys. Two tokens of one script were romanized by the same rules and compare by
    skeleton: the coarse keys of "القذافي" (al-Qadhafi) and "كتائب" (Kata'ib, "brigades") are
    both "ktp", which made the one a bare name of the other."""
    if a.script == b.script:
        return False
    return a.script in VOWEL_POOR_SCRIPTS or b.script in VOWEL_POOR_SCRIPTS


@dataclass(frozen=True, slots=True)
class TokenPair:
    """Two aligned tokens and how alike they are."""

    a: Token
    b: Token
    similarity: float
    initial: bool


@dataclass(frozen=True, slots=True)
class Alignment:
    """Two normalized names and the one-to-one alignment of their core tokens."""

    a: NameForm
    b: NameForm
    pairs: tuple[TokenPair, ...]
    unmatched: int
    total: int


def _jw(x: str, y: str) -> float:
    return float(JaroWinkler.normalized_similarity(x, y))


def _indel(x: str, y: str) -> float:
    if not x and not y:
        return 1.0
    return float(Indel.normalized_similarity(x, y))


@lru_cache(maxsize=500_000)
def _token_similarity(a: Token, b: Token) -> tuple[float, bool]:
    """Best of spelling, skeleton and consonant-key similarity; initials count as 0.9."""
    x, y = a.latin, b.latin
    if (len(x) == 1 or len(y) == 1) and x[:1] == y[:1] and not (x.isdigit() or y.isdigit()):
        return (1.0 if x == y else 0.9), x != y
    if x.isdigit() or y.isdigit():
        # A number meets its roman numeral ("4" and "iv"): the same value.
        return (1.0 if number_value(x) == number_value(y) else 0.0), False
    sim = max(_jw(x, y), _skeleton_similarity(a, b))
    if _vowel_poor(a, b) and min(len(a.consonants), len(b.consonants)) >= _MIN_CONSONANTS:
        # Consonant keys carry the cross-script signal, but a one- or two-consonant key
        # ("l" for both "ariel" and "julie") says almost nothing.
        sim = max(sim, 0.95 * _indel(a.consonants, b.consonants))
    return sim, False


def _aligned_tokens(
    ta: tuple[Token, ...], tb: tuple[Token, ...]
) -> list[tuple[Token, Token, float, bool]]:
    """Greedy one-to-one alignment of two token sequences, best pairs first (ties: the pair
    nearer in position, then the later): (token of a, token of b, similarity, initial)."""
    if len(ta) == 1 and len(tb) == 1:
        sim, initial = _token_similarity(ta[0], tb[0])
        # ``_initials_need_a_full_match`` for one pair: a lone initial matches nothing.
        return [(ta[0], tb[0], 0.0 if initial else sim, False)]
    scored = []
    for i, x in enumerate(ta):
        for j, y in enumerate(tb):
            sim, initial = _token_similarity(x, y)
            scored.append((sim, -abs(i - j), i, j, initial))
    scored.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    aligned = []
    for sim, _, i, j, initial in scored:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        aligned.append((ta[i], tb[j], sim, initial))
    return _initials_need_a_full_match(aligned)


def _initials_need_a_full_match(
    aligned: list[tuple[Token, Token, float, bool]],
) -> list[tuple[Token, Token, float, bool]]:
    """An initial counts for the word it abbreviates ("M. Pezeshkian" / "Masoud Pezeshkian")
    only beside a word present in both names; alone it names nothing: "GRUPO W, S.A." is not
    "GRUPO WISA, S.A." (both names' other words are designators and legal forms), nor is "J."
    John. Such initials are scored as unmatched tokens. The word beside it must be firmly the
    same (``_vouches``): "G. Gezgai" is not "Grashazstn Cossik", though "Gezgai" and "Cossik"
    share the three-symbol skeleton "KZK"."""
    if not any(initial for *_, initial in aligned):
        return aligned
    if any(sim >= _PRESENT and not initial and _vouches(x, y) for x, y, sim, initial in aligned):
        return aligned
    return [(x, y, 0.0, False) if initial else (x, y, sim, False) for x, y, sim, initial in aligned]


# A skeleton this long, or a consonant key across scripts, is firm evidence beside an initial.
_FIRM_KEY = 4


def _vouches(x: Token, y: Token) -> bool:
    """Two aligned words alike enough to vouch for an initial beside them: spelled alike, or one
    skeleton of ``_FIRM_KEY`` symbols or more, or (across a vowel-poor script) consonant keys
    that long and alike. A short skeleton ("KZK") is shared by too many unrelated words."""
    if _jw(x.latin, y.latin) >= _PRESENT:
        return True
    if _same_skeleton(x, y) and min(len(x.skeleton), len(y.skeleton)) >= _FIRM_KEY:
        return True
    return (
        _vowel_poor(x, y)
        and min(len(x.consonants), len(y.consonants)) >= _FIRM_KEY
        and _indel(x.consonants, y.consonants) >= _PRESENT
    )


def align(a: NameForm, b: NameForm) -> Alignment:
    """Greedy one-to-one alignment of the core tokens of two names, best pairs first."""
    pairs = tuple(TokenPair(*p) for p in _aligned_tokens(a.core_tokens, b.core_tokens))
    good = sum(1 for p in pairs if p.similarity >= _PRESENT)
    total = len(a.core_tokens) + len(b.core_tokens)
    return Alignment(a, b, pairs, total - 2 * good, total)


def _weighted(al: Alignment, value: Callable[[TokenPair], float]) -> float:
    weights = [max(len(p.a.latin), len(p.b.latin)) for p in al.pairs]
    if not weights:
        return 0.0
    return sum(w * value(p) for w, p in zip(weights, al.pairs, strict=True)) / sum(weights)


def aligned_jaro_winkler(al: Alignment) -> float:
    """Spelling similarity of the aligned tokens (Jaro-Winkler on folded forms, 0-1)."""
    return _weighted(al, lambda p: _jw(p.a.latin, p.b.latin))


def aligned_skeleton_similarity(al: Alignment) -> float:
    """Similarity of the aligned tokens' transliteration skeletons (0-1)."""
    return _weighted(al, lambda p: _skeleton_similarity(p.a, p.b))


def aligned_consonant_similarity(al: Alignment) -> float:
    """Similarity of the aligned tokens' vowel-free consonant keys where a vowel-poor script is
    involved (Arabic, Hebrew, Hangul, kana, Han), else of their skeletons (0-1)."""
    return _weighted(
        al,
        lambda p: (
            _indel(p.a.consonants, p.b.consonants)
            if _vowel_poor(p.a, p.b)
            else _skeleton_similarity(p.a, p.b)
        ),
    )


def _shape_pair(a: Token, b: Token) -> float | None:
    """Similarity of two tokens' vowel shapes; None where it says nothing: a vowel-poor script
    (its romanization guesses the vowels), an initial or a number."""
    if _vowel_poor(a, b) or len(a.latin) < 2 or len(b.latin) < 2:
        return None
    if a.latin.isdigit() or b.latin.isdigit():
        return None
    return _indel(vowel_shape(a.latin), vowel_shape(b.latin))


def single_token_shape_similarity(al: Alignment) -> float:
    """Similarity of two one-word names' skeletons with their vowels kept as places ("Grote"
    and "Gareth" share a skeleton, not a shape), where both are in alphabets that write vowels
    (0-1), else -1."""
    return _single_token_shape(al.a.core_tokens, al.b.core_tokens)


def skeleton_agreement(al: Alignment) -> float:
    """Share of aligned tokens with the same skeleton of three symbols or more (0-1)."""
    if not al.pairs:
        return 0.0
    same = sum(_same_skeleton(p.a, p.b) for p in al.pairs)
    return same / len(al.pairs)


def phonetic_agreement(al: Alignment) -> float:
    """Share of aligned tokens with the same Metaphone key (0-1)."""
    if not al.pairs:
        return 0.0
    same = sum(metaphone(p.a.latin) == metaphone(p.b.latin) for p in al.pairs)
    return same / len(al.pairs)


def exact_token_share(al: Alignment) -> float:
    """Share of aligned tokens spelled identically once folded (0-1)."""
    if not al.pairs:
        return 0.0
    return sum(p.a.latin == p.b.latin for p in al.pairs) / len(al.pairs)


def weakest_token_similarity(al: Alignment) -> float:
    """Similarity of the least alike aligned token pair (0-1; brothers differ in one token)."""
    return min((p.similarity for p in al.pairs), default=0.0)


def weakest_spelling_similarity(al: Alignment) -> float:
    """Jaro-Winkler of the least alike aligned token pair, on folded spellings (0-1)."""
    return min((_jw(p.a.latin, p.b.latin) for p in al.pairs), default=0.0)


def token_set_similarity(al: Alignment) -> float:
    """Token-set similarity of the romanized names (rapidfuzz token_set_ratio, 0-1)."""
    return float(fuzz.token_set_ratio(al.a.latin, al.b.latin)) / 100.0


def joined_similarity(al: Alignment) -> float:
    """Similarity of the names written without spaces: merged or split tokens still meet (0-1)."""
    return max(_indel(al.a.joined, al.b.joined), _indel(al.a.joined_sorted, al.b.joined_sorted))


def joined_consonant_similarity(al: Alignment) -> float:
    """Similarity of the whole names' consonant keys, token order ignored, where a vowel-poor
    script is involved; else of the names without spaces (0-1)."""
    if al.a.vowel_poor or al.b.vowel_poor:
        return _indel(al.a.consonant_signature, al.b.consonant_signature)
    return _indel(al.a.joined_sorted, al.b.joined_sorted)


def missing_token_share(al: Alignment) -> float:
    """Share of core tokens with no good counterpart in the other name (0-1; 0 = all present)."""
    return al.unmatched / al.total if al.total else 1.0


def token_count_difference(al: Alignment) -> float:
    """Difference in the number of core tokens (0, 1, 2, 3 = three or more)."""
    return float(min(abs(len(al.a.core_tokens) - len(al.b.core_tokens)), 3))


def initials_used(al: Alignment) -> float:
    """1 when a one-letter initial was matched to a full token ("M. Pezeshkian"), else 0."""
    return 1.0 if any(p.initial for p in al.pairs) else 0.0


def truncation(al: Alignment) -> float:
    """1 when an aligned token is the other with letters left out (Irani/Iravani), else 0."""
    for p in al.pairs:
        x, y = sorted((p.a.latin, p.b.latin), key=len)
        if x != y and len(x) >= 4 and _is_subsequence(x, y):
            return 1.0
    return 0.0


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def number_conflict(al: Alignment) -> float:
    """1 when both names carry numbers or roman numerals and they differ ("II" vs "III")."""
    x, y = al.a.numbers, al.b.numbers
    return 1.0 if x and y and x != y else 0.0


def number_missing(al: Alignment) -> float:
    """1 when only one of the names carries a number or roman numeral, else 0."""
    return 1.0 if bool(al.a.numbers) != bool(al.b.numbers) else 0.0


def cross_script(al: Alignment) -> float:
    """1 when one name is written in Latin script and the other in another script, else 0."""
    return 1.0 if al.a.is_latin != al.b.is_latin else 0.0


def non_latin_pair(al: Alignment) -> float:
    """1 when neither name is in Latin script and their scripts differ (both were romanized,
    each by its own rules), else 0."""
    return _romanized_pair(al.a, al.b)


def cross_script_consonant_similarity(al: Alignment) -> float:
    """Consonant-key similarity across scripts when one is vowel-poor (0-1), else -1."""
    if not cross_script(al) or not (al.a.vowel_poor or al.b.vowel_poor):
        return -1.0
    return max(aligned_consonant_similarity(al), joined_consonant_similarity(al))


def shorter_length(al: Alignment) -> float:
    """Letters in the shorter romanized name (short names are weaker evidence)."""
    return float(min(len(al.a.joined), len(al.b.joined)))


def consonant_key_length(al: Alignment) -> float:
    """Consonants in the shorter name's consonant key (few consonants: weak phonetic evidence)."""
    return float(min(len(al.a.consonant_signature), len(al.b.consonant_signature)))


def acronym_match(al: Alignment) -> float:
    """1 when one name is an acronym of the other ("IRGC" and "Islamic Revolutionary Guard
    Corps"), else 0."""
    for short, long in ((al.a, al.b), (al.b, al.a)):
        acronym = as_acronym(short)
        if acronym is not None and expands_to(acronym, long):
            return 1.0
    return 0.0


def longer_token_count(al: Alignment) -> float:
    """Core tokens in the longer name (1-6; 6 = six or more): long names share more by chance."""
    return float(min(max(len(al.a.core_tokens), len(al.b.core_tokens)), 6))


def designator_tokens(al: Alignment) -> float:
    """Particles, legal forms and designators ("al", "Ltd", "Republic") in both names (0-4)."""
    extra = len(al.a.tokens) - len(al.a.core_tokens) + len(al.b.tokens) - len(al.b.core_tokens)
    return float(min(extra, 4))


def single_token(al: Alignment) -> float:
    """Names that are one core token (0, 1 or 2 of the two names)."""
    return float((len(al.a.core_tokens) == 1) + (len(al.b.core_tokens) == 1))


FEATURES: tuple[Callable[[Alignment], float], ...] = (
    aligned_jaro_winkler,
    aligned_skeleton_similarity,
    aligned_consonant_similarity,
    skeleton_agreement,
    phonetic_agreement,
    exact_token_share,
    weakest_token_similarity,
    weakest_spelling_similarity,
    token_set_similarity,
    joined_similarity,
    joined_consonant_similarity,
    missing_token_share,
    token_count_difference,
    initials_used,
    truncation,
    number_conflict,
    number_missing,
    cross_script,
    non_latin_pair,
    cross_script_consonant_similarity,
    shorter_length,
    consonant_key_length,
    single_token,
    acronym_match,
    longer_token_count,
    designator_tokens,
    single_token_shape_similarity,
)

# How each feature may move the probability (+1: only up as it grows, -1: only down, 0: free).
# The fit enforces these (monotonic constraints), so the model cannot learn that less alike
# names are more likely the same entity from the translations in the training clusters.
MONOTONE: dict[str, int] = {
    "aligned_jaro_winkler": 1,
    "aligned_skeleton_similarity": 1,
    "aligned_consonant_similarity": 1,
    "skeleton_agreement": 1,
    "phonetic_agreement": 1,
    "exact_token_share": 1,
    "weakest_token_similarity": 1,
    "weakest_spelling_similarity": 1,
    "token_set_similarity": 1,
    "joined_similarity": 1,
    "joined_consonant_similarity": 1,
    "missing_token_share": -1,
    "acronym_match": 1,
    "number_conflict": -1,
    "number_missing": -1,
}


@lru_cache(maxsize=len(FEATURES) + 1)
def feature_description(name: str) -> str:
    """The first docstring paragraph of the feature called ``name``, on one line (asked for
    every feature of every explained comparison, hence cached)."""
    for f in FEATURES:
        if f.__name__ == name:
            paragraph = (f.__doc__ or name).strip().split("\n\n")[0]
            return " ".join(line.strip() for line in paragraph.splitlines())
    return name


FEATURE_NAMES: tuple[str, ...] = tuple(f.__name__ for f in FEATURES)


def feature_vector(a: NameForm, b: NameForm) -> list[float]:
    """Every feature of ``FEATURES`` for the pair, in that order, computed in one pass.

    The feature functions above are the definitions (and their docstrings the explanations);
    this is the same arithmetic fused for the hot path: clustering scores millions of pairs and
    resolve a few per name. Computed one function at a time, the alignment's per-token
    similarities, the numbers and the vowel-poor flags were each recomputed by several features
    (about 45 µs a pair); here each is computed once. The results are equal float for float (the
    same operations in the same order); ``tests/core/test_features.py`` checks that on every
    pair it draws.
    """
    ta, tb = a.core_tokens, b.core_tokens
    aligned = _aligned_tokens(ta, tb)  # ``align``, without its objects
    total = len(ta) + len(tb)

    # One pass over the aligned tokens; the weighted means are summed afterwards with ``sum``,
    # as ``_weighted`` does, so that they round the same.
    weights: list[int] = []
    jws: list[float] = []
    skeletons: list[float] = []
    consonants: list[float] = []
    skeleton_same = phonetic_same = exact_same = present = 0
    weakest = 2.0
    initial_used = False
    truncated = 0.0
    for x, y, sim, initial in aligned:
        xl, yl = x.latin, y.latin
        weights.append(max(len(xl), len(yl)))
        jws.append(_jw(xl, yl))
        skeleton = _skeleton_similarity(x, y)
        skeletons.append(skeleton)
        consonants.append(_indel(x.consonants, y.consonants) if _vowel_poor(x, y) else skeleton)
        skeleton_same += _same_skeleton(x, y)
        phonetic_same += metaphone(xl) == metaphone(yl)
        exact_same += xl == yl
        weakest = min(weakest, sim)
        present += sim >= _PRESENT
        initial_used = initial_used or initial
        if not truncated and xl != yl:
            short, long = (yl, xl) if len(yl) < len(xl) else (xl, yl)
            if len(short) >= 4 and _is_subsequence(short, long):
                truncated = 1.0
    count = len(aligned)
    if count:
        weight = sum(weights)
        aligned_jw = sum([w * v for w, v in zip(weights, jws, strict=True)]) / weight
        aligned_skeleton = sum([w * v for w, v in zip(weights, skeletons, strict=True)]) / weight
        aligned_consonant = sum([w * v for w, v in zip(weights, consonants, strict=True)]) / weight
        shares = (skeleton_same / count, phonetic_same / count, exact_same / count)
    else:
        aligned_jw = aligned_skeleton = aligned_consonant = weakest = 0.0
        shares = (0.0, 0.0, 0.0)

    joined_sorted = _indel(a.joined_sorted, b.joined_sorted)
    vowel_poor = a.vowel_poor or b.vowel_poor
    joined_consonant = (
        _indel(a.consonant_signature, b.consonant_signature) if vowel_poor else joined_sorted
    )
    numbers_a, numbers_b = a.numbers, b.numbers
    crossed = a.is_latin != b.is_latin
    return [
        aligned_jw,
        aligned_skeleton,
        aligned_consonant,
        *shares,
        weakest,
        min(jws, default=0.0),
        float(fuzz.token_set_ratio(a.latin, b.latin)) / 100.0,
        max(_indel(a.joined, b.joined), joined_sorted),
        joined_consonant,
        (total - 2 * present) / total if total else 1.0,
        float(min(abs(len(ta) - len(tb)), 3)),
        1.0 if initial_used else 0.0,
        truncated,
        1.0 if numbers_a and numbers_b and numbers_a != numbers_b else 0.0,
        1.0 if bool(numbers_a) != bool(numbers_b) else 0.0,
        1.0 if crossed else 0.0,
        _romanized_pair(a, b),
        max(aligned_consonant, joined_consonant) if crossed and vowel_poor else -1.0,
        float(min(len(a.joined), len(b.joined))),
        float(min(len(a.consonant_signature), len(b.consonant_signature))),
        float((len(ta) == 1) + (len(tb) == 1)),
        _acronym_pair(a, b),
        float(min(max(len(ta), len(tb)), 6)),
        float(min(len(a.tokens) - len(ta) + len(b.tokens) - len(tb), 4)),
        _single_token_shape(ta, tb),
    ]


def _romanized_pair(a: NameForm, b: NameForm) -> float:
    """``non_latin_pair``. Names in two scripts other than Latin (Hebrew and Korean) were
    romanized by two sets of rules that have to meet. Two names in one such script
    ("Зеленский" and "Владимир Зеленский") were romanized by the same rules, so they compare
    as two Latin names do. (Counted as romanized, that Russian surname scored 0.69 against the
    full Russian name and 0.97 against its English spelling.)

    No third value marks one shared script: in the development tasks nearly every such pair is
    a negative (a person has one Hebrew and one Korean name there), and a fit given that value
    learned it, scoring "Зеленский" against "Владимир Зеленский" 0.18.
    """
    if a.is_latin or b.is_latin or set(a.scripts) == set(b.scripts):
        return 0.0
    return 1.0


def _single_token_shape(ta: tuple[Token, ...], tb: tuple[Token, ...]) -> float:
    """``single_token_shape_similarity`` of two names' core tokens: -1 unless both names are
    one word. (Over the words of longer names the shape only blurred what the spelling and
    token-set features already say: organisations merged more in the fit's trial.)"""
    if len(ta) != 1 or len(tb) != 1:
        return -1.0
    shape = _shape_pair(ta[0], tb[0])
    return -1.0 if shape is None else shape


def _acronym_pair(a: NameForm, b: NameForm) -> float:
    """``acronym_match``, asking ``as_acronym`` only where ``expands_to`` can hold: the short
    name one token, or tokens of one letter each (then its letters joined are as many as its
    tokens), and the long name of three tokens or more."""
    for short, long in ((a, b), (b, a)):
        if len(long.tokens) < _MIN_ACRONYM_WORDS:
            continue
        if len(short.tokens) != 1 and len(short.joined) != len(short.tokens):
            continue
        acronym = as_acronym(short)
        if acronym is not None and expands_to(acronym, long):
            return 1.0
    return 0.0
