"""Plain, frozen value types of the matching core (no pydantic, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Roman numerals I to XXXIX, as vessels, funds and companies are numbered ("BICENTENARIO XIV",
# "RIM GROUP INVESTMENTS III"); larger ones (with L, C, D, M) collide with words and names
# ("Li", "Di", "Mix"). Each has its value: "Henry IV" and "Henry 4" carry the same number.
_ONES = ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")
ROMAN_VALUES: dict[str, int] = {
    tens + ones: 10 * t + o
    for t, tens in enumerate(("", "x", "xx", "xxx"))
    for o, ones in enumerate(_ONES)
    if tens + ones
}
ROMAN_NUMERALS = frozenset(ROMAN_VALUES)


def number_value(latin: str) -> str | None:
    """The value of a romanized token of digits or a roman numeral, in decimal digits without
    leading zeros ("iv" and "04" are "4"), else None. Digits are not converted to ``int``: a
    token of thousands of digits is still a name's token."""
    if latin.isdigit():
        return latin.lstrip("0") or "0"
    value = ROMAN_VALUES.get(latin)
    return None if value is None else str(value)


# Scripts whose romanization loses or invents vowels (abjads write few; Hangul, kana and Han
# spell foreign names syllable by syllable). Only there do consonant keys beat spelling: between
# alphabets (Latin, Cyrillic, Greek) the consonant key is too coarse ("perry" = "polly").
VOWEL_POOR_SCRIPTS = frozenset(
    {"Arabic", "Hebrew", "Syriac", "Thaana", "Hangul", "Hiragana", "Katakana", "Han"}
)
_NO_NUMBERS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Token:
    """One name token after normalization and transliteration.

    Attributes:
        text: the token as written (normalized Unicode, original script, case-folded).
        latin: ASCII romanization, lower case.
        script: Unicode script of the token (``Latin``, ``Cyrillic``, ``Arabic``, ...).
        skeleton: transliteration-variant key (see ``phonetic.skeleton``).
        consonants: vowel-free consonant-class key, comparable across scripts.
        particle: True for name particles (al, bin, van, de, ...).
        alt_skeleton: the skeleton of the token's phonetic reading where it differs from
            ``skeleton`` ("beneš" reads "benesh": see ``transliterate.phonetic_reading``), else "".
    """

    text: str
    latin: str
    script: str
    skeleton: str
    consonants: str
    particle: bool = False
    alt_skeleton: str = ""
    # Computed once: token pairs key the comparison's cache, and a dataclass would hash all six
    # fields at every lookup (millions of them when a batch is clustered).
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = (self.text, self.latin, self.script, self.skeleton, self.consonants)
        object.__setattr__(self, "_hash", hash((*fields, self.particle, self.alt_skeleton)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[Token], tuple[str, str, str, str, str, bool, str]]:
        # Rebuilt through the constructor: string hashes differ from process to process, so a
        # stored hash must not travel with a pickled token.
        return Token, (
            self.text,
            self.latin,
            self.script,
            self.skeleton,
            self.consonants,
            self.particle,
            self.alt_skeleton,
        )


@dataclass(frozen=True, slots=True)
class NameForm:
    """A normalized name.

    Attributes:
        raw: the input as given.
        normalized: cleaned display form (NFKC, invisible characters removed, punctuation unified,
            titles removed, "Last, First" reordered), case preserved.
        tokens: the name's tokens, in reading order.
        titles: titles and honorifics found and removed ("President", "Dr").
        scripts: distinct scripts of the name's letters, in order of first appearance.
        reordered: True when a "Last, First" form was put in reading order.
        latin: the romanized tokens joined by single spaces.
        core_tokens: tokens without name particles (all tokens when the name is only particles).
        numbers: the values of the numbers and roman numerals among the tokens, as decimal
            strings ("IV" and "4" are "4"; a one-letter "I", "V" or "X"
            only as the last token: "BICENTENARIO X", not "V. Putin").
        korean: the name in the one spelling of Korean romanizations, when it reads as Korean.
        mandarin: the name in the one spelling of Mandarin romanizations, when it reads as
            Mandarin (in Latin letters or in Chinese characters).
        bare: the name without its East Slavic patronymic ("Sergey Viktorovich Lavrov" ->
            "Sergey Lavrov"), when it has one.
        gluable: a name particle that names also glue to the next word ("al Qaida", "van der
            Bilt") stands before a word: compared glued ("Alqaeda", "Vanderbilt") against a
            name that writes it so (``normalize.glued``).
        has_reading: one of ``korean``, ``mandarin`` and ``bare`` is there, or ``gluable``.
        vowel_poor: some letters are in a script of ``VOWEL_POOR_SCRIPTS``.
    """

    raw: str
    normalized: str
    tokens: tuple[Token, ...]
    titles: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()
    reordered: bool = False
    # The name read as Korean (``korean.korean_spelling``), compared instead of this form when
    # the other name has such a reading too; else None.
    korean: NameForm | None = field(default=None, compare=False, repr=False)
    # The name read as Mandarin (``chinese.mandarin_spelling``), likewise.
    mandarin: NameForm | None = field(default=None, compare=False, repr=False)
    # The name without its patronymic, compared instead of this form when the other name is a
    # given name and a surname alone; None when it has none.
    bare: NameForm | None = field(default=None, compare=False, repr=False)
    # A gluable particle before a word (set by ``normalize``; readings leave it False).
    gluable: bool = field(default=False, compare=False, repr=False)
    # Derived from ``tokens`` once, in ``__post_init__``: comparisons read them millions of times.
    latin: str = field(init=False)
    core_tokens: tuple[Token, ...] = field(init=False)
    joined: str = field(init=False)
    joined_sorted: str = field(init=False)
    consonant_signature: str = field(init=False)
    is_latin: bool = field(init=False)
    numbers: frozenset[str] = field(init=False)
    vowel_poor: bool = field(init=False)
    has_reading: bool = field(init=False)

    def __post_init__(self) -> None:
        core = tuple(t for t in self.tokens if not t.particle) or self.tokens
        set_ = object.__setattr__
        set_(self, "latin", " ".join(t.latin for t in self.tokens))
        set_(self, "core_tokens", core)
        set_(self, "joined", "".join(t.latin for t in self.tokens))
        set_(self, "joined_sorted", "".join(sorted(t.latin for t in self.tokens)))
        set_(self, "consonant_signature", "".join(sorted(t.consonants for t in core)))
        set_(self, "is_latin", not self.scripts or self.scripts == ("Latin",))
        last = len(self.tokens) - 1
        # Each number by its value: "IV", "4" and "04" are one number.
        numbers = frozenset(
            number_value(t.latin) or t.latin
            for k, t in enumerate(self.tokens)
            if t.latin.isdigit() or (t.latin in ROMAN_NUMERALS and (len(t.latin) > 1 or k == last))
        )
        set_(self, "numbers", numbers or _NO_NUMBERS)
        set_(self, "vowel_poor", any(s in VOWEL_POOR_SCRIPTS for s in self.scripts))
        # One flag for the comparison's hot path: most names have no other reading.
        set_(
            self,
            "has_reading",
            self.gluable
            or not (self.korean is None and self.mandarin is None and self.bare is None),
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """One named feature of a comparison.

    Attributes:
        feature: the feature's name.
        value: the feature's value (its scale is named in its description).
        contribution: what it adds to the log-odds of "same entity".
        description: the feature's explanation (its docstring's first line).
    """

    feature: str
    value: float
    contribution: float
    description: str


@dataclass(frozen=True, slots=True)
class PairDecision:
    """The outcome of comparing two names.

    Attributes:
        probability: calibrated probability that both names denote the same entity.
        match: ``probability >= threshold`` of the matcher.
        evidence: every feature with its contribution (empty unless explanations were asked).
        summary: one plain sentence that explains the decision.
    """

    a: str
    b: str
    probability: float
    match: bool
    evidence: tuple[Evidence, ...] = ()
    summary: str = ""


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """A distinct input name inside an entity, with its count and membership probability."""

    name: str
    count: int
    confidence: float


@dataclass(frozen=True, slots=True)
class WeakestLink:
    """The least certain membership of an entity, explained.

    Attributes:
        name: the member with the lowest confidence.
        partner: the member it is most probably the same as (what holds it in the entity).
        probability: calibrated probability of that pair.
        summary: one plain sentence that explains the pair.
    """

    name: str
    partner: str
    probability: float
    summary: str


@dataclass(frozen=True, slots=True)
class Cluster:
    """An entity found in a batch of names.

    Attributes:
        entity_id: stable identifier derived from the canonical name and members.
        canonical: the chosen canonical spelling.
        canonical_reason: why that spelling was chosen.
        confidence: cohesion of the entity: the mean of its members' confidences (each the
            calibrated probability that the member belongs, ``app.core.confidence``).
        members: the distinct names, most frequent first.
        weakest_link: its least certain membership, explained (when asked; ``None`` for a
            single-name entity).
    """

    entity_id: str
    canonical: str
    canonical_reason: str
    confidence: float
    members: tuple[ClusterMember, ...] = field(default_factory=tuple)
    weakest_link: WeakestLink | None = None
