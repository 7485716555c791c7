"""Name normalization: from a raw string to a ``NameForm`` of romanized, keyed tokens.

Pipeline, in this order (each step sees the previous step's output):

1. Unicode NFKC (compatibility forms: full-width letters, ligatures, presentation forms).
2. Removal of invisible and formatting characters: every format character (category Cf: zero-width
   joiner and non-joiner, bidi marks and overrides, soft hyphen, BOM), the Arabic tatweel and
   variation selectors; control characters become spaces.
3. One form for the many apostrophes and quotes (' ’ ‘ ʼ ʻ ` ´ ′ « » “ ” „) and hyphens
   (‐ ‑ ‒ – — ― − ﹣ －).
4. Whitespace squashed to single spaces and trimmed.
5. A title after the name and a comma is set aside with the titles ("Paul, King of Greece").
   Else "Last, First" reordering when the name has exactly one comma, the part after it is one to
   four words and is not a legal form ("SMITH, John" -> "John SMITH"; "ACME, LTD." is kept).
6. Possessives removed ("Ravanchi's" -> "Ravanchi").
7. Titles and honorifics removed from the front and kept aside (Mr, Dr, President, Ayatollah,
   Prime Minister, ...; ``data/titles.json``), as long as a name remains and it is not an
   organisation's or a place's: where a legal form or designator follows ("GENERAL NICKEL SA",
   "Imam Khomeini Relief Committee", "Sheikh Zayed Grand Mosque") the word is the name's own.
8. Tokenization on spaces, hyphens and punctuation; apostrophes inside a word are dropped
   ("O'Brien" -> "OBrien", "Ta'ziyeh" -> "Taziyeh"); the glued Arabic article "ال" is split off.
9. Per token: script detection, romanization to lower-case ASCII (accents folded, case folded),
   variant skeleton and consonant keys. Name particles (al, bin, van, de, ...) and legal forms
   are marked, not removed, so that "Al-Qaeda", "al Qaida" and "Alqaeda" can meet (``glued``:
   against a name that glues a particle to its word, the other name's is glued too). Common words
   that names translate or abbreviate take one form (``equivalent_words``: "St." / "Sainte" /
   "Sankt" are "saint", "fourteen" and "14th" are "14"), and the realm after a regnal numeral
   ("Ivan VI of Russia") is marked like a particle.
10. A name whose words are Korean or Mandarin syllables gets a second reading in one spelling of
   that language's romanizations (``korean``, ``chinese``), which ``compare`` uses when both
   names have one.

A name with no letter or digit left after these steps is empty: ``normalize_name`` raises
``EmptyNameError`` (``try_normalize_name`` returns ``None``).
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from dataclasses import replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import regex

from app.core.chinese import MAX_SYLLABLES as MAX_MANDARIN_SYLLABLES
from app.core.chinese import mandarin_spelling, reads_as_mandarin
from app.core.korean import SYLLABLES as KOREAN_SYLLABLES
from app.core.korean import korean_spelling, reads_as_korean
from app.core.phonetic import consonant_key, skeleton
from app.core.scripts import token_script
from app.core.transliterate import GERESH, phonetic_reading, romanize, split_arabic_article
from app.core.types import ROMAN_NUMERALS, VOWEL_POOR_SCRIPTS, NameForm, Token
from app.errors import EmptyNameError

__all__ = ["normalize_name", "try_normalize_name"]

_TATWEEL = "\u0640"
_APOSTROPHES = "'’‘ʼʻ`´′‛＇׳"
_QUOTES = '"«»“”„‟〝〞＂'
_HYPHENS = "‐‑‒–—―−﹣－⁃"
_PUNCT_TABLE = str.maketrans(
    {
        **dict.fromkeys(_APOSTROPHES, "'"),
        **dict.fromkeys(_QUOTES, '"'),
        **dict.fromkeys(_HYPHENS, "-"),
    }
)
_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?<=\w)'s\b", re.IGNORECASE)
# Token separators: anything that is not a letter, a digit, a combining mark or an apostrophe.
# A mark belongs to its letter: Indic vowel signs and viramas, Thai vowels, Arabic harakat and
# Hebrew niqqud are marks, which the standard library's \w does not count as word characters
# (it split "मोसुल", Mosul, into m, s and l); ``regex`` knows the Unicode category \p{M}.
_SPLIT = regex.compile(r"[^\w'\p{M}]+|_+")
# Letters joined by dots ("S.A.", "L.L.C.", "C.V."): kept as one token when they spell a legal
# form, else split into initials ("J.R.R.").
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]\.?")
# A letter and a dot: an initial ("Vladimir I. Lenin").
_INITIAL = re.compile(r"\w\.")
# A number with the Korean or Japanese word that makes it a count or a regnal ordinal: "헨리 4세"
# and "ヘンリー4世" are Henry IV, "제8대" is the 8th. The number alone is kept, as its own token.
_COUNTED = re.compile(r"(?:제|第)?(\d+)(?:세|대|世|代)")
# Chinese and Japanese write a state's or a place's designator glued to its name ("奥地利共和国",
# the Republic of Austria; "クック諸島", the Cook Islands; "半田市", Handa city): it is split
# off as its own token, which the designator table then marks ("gongheguo", "zhudao", "shi").
_HAN_DESIGNATOR = re.compile(
    r"(?<=[\u3040-\u30ff\u3400-\u9fff])"
    r"(联邦共和国|聯邦共和國|連邦共和国|共和国|共和國|联邦|聯邦|連邦|合众国|合衆国|王国|王國|诸岛|諸島|群岛|群島|市"
    r"|街道|镇|鎮|区|區|县|縣)$"
)
# Those of them whose reading is also a personal name ("zhen", "qu", "xian"): marked as
# designators by their characters, so that the Latin names stay names.
_HAN_ONLY_DESIGNATORS = frozenset({"街道", "镇", "鎮", "区", "區", "县", "縣"})
# Germanic, Finnic and Hungarian glue "islands" to the name ("Kaimaninseln", "Cookeilanden",
# "Caymanöarna", "Neitsytsaaret", "Fidzsi-szigetek"): split off as its own token, a designator,
# where at least ``_MIN_ISLAND_STEM`` letters are left before it.
_ISLAND_SUFFIXES = (
    "inseln", "insel", "eilanden", "eiland", "öarna", "oarna", "øerne", "oerne", "øyene",
    "saaret", "saared", "szigetek", "szigeteki", "sziget",
)  # fmt: skip
_MIN_ISLAND_STEM = 4
_MIN_ISLAND_WORD = _MIN_ISLAND_STEM + min(map(len, _ISLAND_SUFFIXES))
# Hebrew names monarchs and popes with ordinal words ("רעמסס השני", Ramesses II): they are
# read as the numbers that other scripts write ("II", "2세").
_HEBREW_ORDINALS = {
    word: str(value)
    for value, words in enumerate(
        (
            ("הראשון", "הראשונה"),
            ("השני", "השנייה", "השניה"),
            ("השלישי", "השלישית"),
            ("הרביעי", "הרביעית"),
            ("החמישי", "החמישית"),
            ("השישי", "השישית"),
            ("השביעי", "השביעית"),
            ("השמיני", "השמינית"),
            ("התשיעי", "התשיעית"),
            ("העשירי", "העשירית"),
        ),
        start=1,
    )
    for word in words
}
_HEBREW = re.compile(r"[\u05d0-\u05ea]")
_ABJADS = frozenset({"Arabic", "Hebrew", "Syriac", "Thaana"})
# Letters Persian and Urdu add to the Arabic alphabet (پ p, چ ch, ژ zh, گ g, ٹ ڈ ڑ): a word with
# one of them has its own p, and reads ب and ف as b and f.
_PERSIAN_LETTERS = re.compile("[\u067e\u0686\u0698\u06af\u0679\u0688\u0691]")
_FOREIGN_IN_ARABIC = str.maketrans({"b": "p", "f": "v"})
_SECOND_IN_HEBREW = str.maketrans({"f": "p", "v": "b"})


@cache
def _data(name: str) -> dict[str, Any]:
    """One table of ``app/core/data`` (each read once)."""
    base = resources.files("app.core").joinpath("data")
    table: dict[str, Any] = json.loads(base.joinpath(name).read_text("utf-8"))
    return table


@lru_cache(maxsize=1)
def _tables() -> tuple[tuple[tuple[str, ...], ...], frozenset[str], frozenset[str]]:
    titles = _data("titles.json")["titles"]
    parts = _data("particles.json")
    title_words = tuple(sorted((tuple(t.split()) for t in titles), key=len, reverse=True))
    return title_words, frozenset(parts["particles"]), frozenset(parts["legal_forms"])


# Shortest entry of ``generic_prefixes`` that is a stem (matches any word it begins). A shorter
# entry ("shi", "gas", "bank", "ville", "shahr") begins too many personal and place names
# ("Shinzo", "Gaston", "Bankole", "Villeneuve", "Shahram") and matches only itself and its plural,
# as do the longer entries of ``generic_whole_words`` ("marine": "Marinescu", "Marinelli").
MIN_GENERIC_STEM = 6


@lru_cache(maxsize=1)
def _generic_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """The designators matched as whole words (with their plurals), and the stems."""
    parts = _data("particles.json")
    whole = set(parts["generic_whole_words"])
    prefixes = parts["generic_prefixes"]
    short = [p for p in prefixes if len(p) < MIN_GENERIC_STEM or p in whole]
    words = frozenset(short + [p + "s" for p in short] + [p + "es" for p in short])
    return words, tuple(p for p in prefixes if p not in words)


def _is_generic(latin: str) -> bool:
    """Generic designators ("republic", "banks", "international") in any common spelling: a
    stem begins the word; a whole-word entry (see ``MIN_GENERIC_STEM``) is the word or its
    plural."""
    words, stems = _generic_words()
    return latin in words or latin.startswith(stems)


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cf" or ch == _TATWEEL or 0xFE00 <= ord(ch) <= 0xFE0F:
            continue
        out.append(" " if cat in ("Cc", "Zl", "Zp") else ch)
    text = "".join(out).translate(_PUNCT_TABLE)
    return _SPACES.sub(" ", text).strip()


# Per-word caches: batches of millions of names repeat their words (given names, surnames,
# designators) far more than their whole names, so each word is folded and tokenized once.
_WORD_CACHE = 1 << 17


@lru_cache(maxsize=_WORD_CACHE)
def _fold_word(word: str) -> str:
    return romanize(word, token_script(word))


@lru_cache(maxsize=1)
def _titles_by_first_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The title table (longest first) keyed by its first word, for a lookup per name."""
    titles_table, _, _ = _tables()
    out: dict[str, list[tuple[str, ...]]] = {}
    for title in titles_table:
        out.setdefault(title[0], []).append(title)
    return {k: tuple(v) for k, v in out.items()}


def _pieces(word: str) -> list[str]:
    """The token pieces of one space-separated word: split at punctuation, except a dotted legal
    form ("S.A.", "L.L.C."), which stays one piece ("SA", "LLC") rather than becoming initials
    that match any word with those first letters."""
    core = word.strip(",;:")
    if _DOTTED.fullmatch(core):
        joined = core.replace(".", "")
        _, _, legal = _tables()
        if _fold_word(joined) in legal:
            return [joined]
    return [p for p in _SPLIT.split(word) if p]


@lru_cache(maxsize=1)
def _qualifier_heads() -> frozenset[str]:
    return frozenset(_data("titles.json")["qualifier_heads"])


def _split_qualifier(text: str) -> tuple[str, list[str]]:
    """A name and the title written after it and a comma ("Paul, King of Greece", "Abdullah,
    King of Saudi Arabia", "חוסיין, מלך ירדן"): the name, and the title as a found title."""
    if text.count(",") != 1:
        return text, []
    name, after = (p.strip() for p in text.split(","))
    words = after.split()
    if not name or not words or _fold_word(words[0].strip(".")) not in _qualifier_heads():
        return text, []
    # In Latin letters the title names its realm with "of" ("King of Greece"): a bare "Prince
    # Yormie" or "Sultan Saleh" after a surname and a comma is a first name.
    if words[0].isascii() and not any(w.lower() in _REALM_WORDS for w in words[1:]):
        return text, []
    return name, [after]


def _reorder(text: str) -> tuple[str, bool]:
    if text.count(",") != 1:
        return text, False
    last, first = (p.strip() for p in text.split(","))
    first_words = [p for w in first.split() for p in _pieces(w)]
    if not last or not first_words or len(first_words) > 4:
        return text, False
    _, particles, legal = _tables()
    folded = [_fold_word(w) for w in first_words]
    # "ACME, S.A. de C.V." is a company and its legal form, not "Last, First".
    if all(w in legal or w in particles for w in folded) and any(w in legal for w in folded):
        return text, False
    return f"{first} {last}", True


def _strip_titles(words: list[str]) -> tuple[list[str], list[str]]:
    by_first = _titles_by_first_word()
    found: list[str] = []
    changed = True
    while changed and len(words) > 1:
        changed = False
        candidates = by_first.get(_fold_word(words[0]), ())
        if not candidates:
            break
        folded = [_fold_word(w) for w in words]
        for title in candidates:
            n = len(title)
            if len(words) > n and tuple(folded[:n]) == title:
                found.append(" ".join(words[:n]))
                words = words[n:]
                changed = True
                break
    return words, found


# Courtesy titles are stripped even from a firm's name ("M/S Al Zarooni Exchange", "Messrs"):
# they are never a word of the name itself.
_COURTESY = frozenset({"mr", "mrs", "ms", "mx"})


def _names_an_organisation(words: list[str]) -> bool:
    """Some word is a legal form or generic designator ("SA", "Committee", "Bureau" is not,
    "Energy" is): the words name an organisation or a place, not a person."""
    _, _, legal = _tables()
    for word in words:
        for piece in _pieces(word):
            folded = _fold_word(piece)
            if folded in legal or _is_generic(folded):
                return True
    return False


@lru_cache(maxsize=1)
def _equivalents() -> dict[str, str]:
    """Each spelling of a common word that names translate or abbreviate ("St.", "Sainte",
    "Sankt", "São" are "saint"; "Nueva", "Neu" are "new"; "fourteen" is "14") to its one form."""
    table: dict[str, list[str]] = _data("particles.json")["equivalent_words"]
    return {spelling: word for word, spellings in table.items() for spelling in spellings}


# "San" is "saint" only before another word ("San Marino", "San-Francisco"); last, it is a
# syllable of a personal name ("Kim San", "Ma San").
_SAN = "san"
# "1st", "2nd", "23rd", "4th": the number.
_DIGIT_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")


def _is_content(word: str) -> bool:
    return bool(_SPLIT.sub("", word).replace("'", ""))


def _drop_leading_content(words: list[str], count: int) -> list[str]:
    """``words`` without its first ``count`` content words (and the punctuation before them)."""
    i = 0
    while count and i < len(words):
        if _is_content(words[i]):
            count -= 1
        i += 1
    return words[i:]


@lru_cache(maxsize=_WORD_CACHE)
def _make_token(text: str, particles: frozenset[str]) -> Token | None:
    script = token_script(text)
    latin = romanize(text, script)
    if not latin:
        return None
    if script not in VOWEL_POOR_SCRIPTS:
        # Not where few vowels are written: abjads spell "saint" in too many ways ("سن",
        # "سنت", "سینٹ") for one table, and their consonant keys already meet it.
        latin = _equivalents().get(latin, latin)
        if ordinal := _DIGIT_ORDINAL.fullmatch(latin):
            latin = ordinal.group(1)
    folded = unicodedata.normalize("NFKC", text.casefold())
    # "š" is both "s" (the folded spelling) and "sh", "charkiw" both "sharkiw" and "kharkiw"
    # (``phonetic_reading``): a second skeleton.
    if script == "Latin":
        reading = phonetic_reading(folded)
    elif script == "Arabic" and not _PERSIAN_LETTERS.search(text):
        # Arabic has no p and no v: foreign names write them with ب and ف ("بيرو", Peru;
        # "كوسوفو", Kosovo). Their second reading is the foreign one.
        reading = latin.translate(_FOREIGN_IN_ARABIC)
    elif script == "Hebrew":
        # Unpointed פ is p or f and ב b or v: the second reading takes the other sound.
        reading = latin.translate(_SECOND_IN_HEBREW)
    else:
        reading = latin
    key = skeleton(latin)
    alt = skeleton(reading) if reading != latin else ""
    return Token(
        text=folded,
        latin=latin,
        script=script,
        skeleton=key,
        consonants=consonant_key(latin, script in _ABJADS),
        particle=latin in particles or _is_generic(latin) or folded in _HAN_ONLY_DESIGNATORS,
        alt_skeleton=alt if alt != key else "",
    )


def _split_glued(word: str) -> list[str]:
    """``_pieces``, with what Chinese, Japanese and Korean glue to a word split off: a final
    designator (``_HAN_DESIGNATOR``) and a count or ordinal number (``_COUNTED``)."""
    out: list[str] = []
    for piece in _pieces(word):
        if len(piece) >= _MIN_ISLAND_WORD and (lower := piece.lower()).endswith(_ISLAND_SUFFIXES):
            suffix = next(s for s in _ISLAND_SUFFIXES if lower.endswith(s))
            if len(piece) - len(suffix) >= _MIN_ISLAND_STEM:
                out.extend((piece[: -len(suffix)], piece[-len(suffix) :]))
                continue
        if piece.isascii():  # nothing more to split, and most pieces are
            out.append(piece)
            continue
        designators: list[str] = []
        while found := _HAN_DESIGNATOR.search(piece):  # "フィジー諸島共和国": 諸島, 共和国
            designators.insert(0, found.group())
            piece = piece[: found.start()]
        for part in [piece, *designators]:
            out.extend(p for p in _COUNTED.split(part) if p)
    return out


@lru_cache(maxsize=1)
def _marked() -> frozenset[str]:
    """The particles and legal forms as one set, made once: it is part of the key of
    ``_make_token``'s cache, and a set made anew for each name was compared element by element
    at every hit and kept alive by every entry (at 300,000 names the cache's 131,072 entries
    held some 900 MiB of copies of it)."""
    _, particles, legal = _tables()
    return particles | legal


def _tokenize(words: list[str]) -> tuple[Token, ...]:
    legal, marked = _tables()[2], _marked()
    tokens: list[Token] = []
    last = len(words) - 1
    for k, word in enumerate(words):
        # A letter with a dot is an initial ("Vladimir I. Lenin", "Ivan E. Petrov"), a capital
        # "I" a numeral or an initial ("RIM GROUP INVESTMENTS I CORP.", "Marie de Lourdes I"),
        # and so is a final "i": only the lower-case "i" inside a name is the conjunction or
        # the connector that it is as a particle ("Bosnia i Hercegovina", "Lashkar-i-Jhangvi").
        numeral = word == "I" or (k == last and word == "i")
        kinds = legal if numeral or _INITIAL.fullmatch(word) else marked
        for piece in _split_glued(word):
            piece = _HEBREW_ORDINALS.get(piece, piece)
            # An apostrophe is dropped ("O'Brien" is "OBrien"), except in Hebrew, where it is
            # the geresh that makes a letter of another sound (``transliterate.GERESH``).
            piece = piece.replace("'", GERESH if _HEBREW.search(piece) else "")
            if not piece:
                continue
            article, rest = split_arabic_article(piece)
            for part in (article, rest):
                tok = _make_token(part, kinds) if part else None
                if tok is not None and tok.latin == _SAN and k < last:
                    tok = _saint(tok, kinds)
                if tok is not None:
                    tokens.append(tok)
    return _join_spelled_numbers(tokens)


def _saint(san: Token, particles: frozenset[str]) -> Token:
    """A leading "San" as "saint" (see ``_SAN``), still as written."""
    saint = _make_token("saint", particles)
    return san if saint is None else replace(saint, text=san.text)


def _korean(tokens: tuple[Token, ...]) -> tuple[Token, ...] | None:
    """The tokens of a Latin name read as Korean (``korean.korean_spelling``) in the one
    spelling of both romanizations, each still as written; None for a name not read so."""
    if not 1 < len(tokens) <= KOREAN_SYLLABLES:
        return None
    for t in tokens:  # most names fail on their first word
        if t.script != "Latin" or t.particle or not reads_as_korean(t.latin):
            return None
    return _respelled(tokens, korean_spelling(tuple(t.latin for t in tokens)))


_MANDARIN = frozenset({"Latin", "Han"})


def _mandarin(tokens: tuple[Token, ...]) -> tuple[Token, ...] | None:
    """The tokens of a name in Latin letters or Chinese characters read as Mandarin
    (``chinese.mandarin_spelling``), likewise. Designators glued to the characters ("镇", "市")
    are left as they are, out of the reading."""
    if len(tokens) > MAX_MANDARIN_SYLLABLES or (len(tokens) == 1 and tokens[0].script != "Han"):
        return None  # one Latin word is not read as Mandarin (``chinese._MIN_LATIN_WORDS``)
    for t in tokens:  # most names fail on their first word
        if t.script not in _MANDARIN or (t.script == "Latin" and not reads_as_mandarin(t.latin)):
            return None
    words = [t for t in tokens if not (t.particle and t.script == "Han")]
    in_characters = any(t.script == "Han" for t in words)
    spelled = mandarin_spelling(tuple(t.latin for t in words), in_characters)
    read = _respelled(tuple(words), spelled)
    if read is None:
        return None
    by_word = dict(zip(map(id, words), read, strict=True))
    return tuple(by_word.get(id(t), t) for t in tokens)


def _respelled(
    tokens: tuple[Token, ...], spelled: tuple[str, ...] | None
) -> tuple[Token, ...] | None:
    """``tokens`` with the romanizations ``spelled`` (and their keys), each still as written and
    in its script."""
    if spelled is None:
        return None
    out = []
    for tok, latin in zip(tokens, spelled, strict=True):
        read = _make_token(latin, _NO_PARTICLES) if latin != tok.latin else tok
        if read is not None:
            read = replace(read, text=tok.text, script=tok.script, particle=tok.particle)
        out.append(tok if read is None else read)
    return tuple(out)


_NO_PARTICLES: frozenset[str] = frozenset()


# "Ivan VI of Russia", "Friedrich II von Preußen", "Juan Carlos I de España": after a regnal
# number, the realm is a qualifier that other texts leave out ("Ivan VI", "이반 6세"). Regnal
# numbers are roman numerals; a number in digits is a branch's or a unit's ("BRANCH 1 OF THE
# SHIRAZ REVOLUTIONARY COURT").
_REALM_WORDS = frozenset({"of", "de", "von", "di", "da", "du", "del", "af", "av"})
_MIN_REGNAL_WORDS = 4


def _regnal_realm(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    """``tokens`` with the realm after a regnal number marked as particles."""
    if len(tokens) < _MIN_REGNAL_WORDS:  # a name, a numeral, "of" and a realm
        return tokens
    for k in range(1, len(tokens) - 2):
        tok, then = tokens[k], tokens[k + 1]
        if then.latin in _REALM_WORDS and tok.latin in ROMAN_NUMERALS:
            realm = tuple(replace(t, particle=True) for t in tokens[k + 2 :])
            return tokens[: k + 2] + realm
    return tokens


# An East Slavic patronymic ("Aleksandrovich", "Oleksandrovych", "Vladimirovna"), as the middle
# word of three, between the given name and the surname: other texts leave it out
# ("KOSTRUBITSKY, Alexei"). Elsewhere the ending is a surname's ("Roman Abramovich").
_PATRONYMIC = re.compile(r"(?:[oe]v|[ae]vich|iev|yev)(?:ich|ych|ic|itch|na)$|[iy]vna$|ichna$")
_MIN_PATRONYMIC = 7


def _without_patronymic(tokens: tuple[Token, ...]) -> tuple[Token, ...] | None:
    """The given name and surname of a name of three words whose middle one is a patronymic;
    None for other names."""
    if len(tokens) != 3:
        return None
    first, middle, last = tokens
    if any(t.particle for t in tokens) or len(middle.latin) < _MIN_PATRONYMIC:
        return None
    return (first, last) if _PATRONYMIC.search(middle.latin) else None


_TENS = frozenset(f"{tens}0" for tens in range(2, 10))


def _join_spelled_numbers(tokens: list[Token]) -> tuple[Token, ...]:
    """A spelled tens word and a unit after it are one number, as their digits are:
    "Forty-four" and "Forty 4" are 44."""
    if not any(t.latin in _TENS for t in tokens):  # most names: nothing to join
        return tuple(tokens)
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.latin in _TENS
            and not prev.text.isdigit()
            and len(tok.latin) == 1
            and tok.latin.isdigit()
        ):
            joined = _make_token(prev.latin[0] + tok.latin, _NO_PARTICLES)
            if joined is not None:
                out[-1] = joined
        else:
            out.append(tok)
    return tuple(out)


@lru_cache(maxsize=200_000)
def try_normalize_name(raw: str) -> NameForm | None:
    """Normalize a raw name; ``None`` when nothing matchable is left (see module docstring)."""
    text = _clean(raw).strip(" ,;")
    text, qualifier = _split_qualifier(text)
    text, reordered = _reorder(text)
    text = _POSSESSIVE.sub("", text)
    words = [w for w in text.replace("-", " - ").split(" ") if w]
    content = [w for w in words if _is_content(w)]
    kept, titles = _strip_titles(content)
    if titles and _names_an_organisation(kept):
        # "GENERAL BUREAU OF ATOMIC ENERGY" is not General Bureau, "GBAE" its acronym: the
        # titles stay words of the name, but courtesy ones ("M/S", "Mr") still go.
        courtesy = list(itertools.takewhile(lambda t: _fold_word(t) in _COURTESY, titles))
        kept, titles = content[len(courtesy) :], courtesy
    titles = [*titles, *qualifier]
    words = _drop_leading_content(words, len(content) - len(kept))
    content = kept
    tokens = _regnal_realm(_tokenize(content))
    if not tokens:
        return None
    display = _SPACES.sub(" ", " ".join(words).replace(" - ", "-")).strip(" -,")
    scripts = tuple(dict.fromkeys(t.script for t in tokens if t.script not in ("Digit", "Other")))
    titled = tuple(titles)

    def reading(read: tuple[Token, ...] | None) -> NameForm | None:
        return None if read is None else NameForm(raw, display, read, titled, scripts, reordered)

    return NameForm(
        raw=raw,
        normalized=display,
        tokens=tokens,
        titles=titled,
        scripts=scripts,
        reordered=reordered,
        korean=reading(_korean(tokens)),
        mandarin=reading(_mandarin(tokens)),
        bare=reading(_without_patronymic(tokens)),
        gluable=_has_gluable(tokens),
    )


@lru_cache(maxsize=1)
def _gluable() -> frozenset[str]:
    """The particles names also write glued to the next word: all but the connectors."""
    _, particles, _ = _tables()
    return particles - frozenset(_data("particles.json")["unglued_particles"])


def _has_gluable(tokens: tuple[Token, ...]) -> bool:
    """A gluable particle stands before a word (``NameForm.gluable``): in a run ("van der
    Bilt"), the last one does."""
    glue = _gluable()
    return any(
        t.particle and t.latin in glue and not then.particle
        for t, then in itertools.pairwise(tokens)
    )


def _written_glued(word: Token, prefix: str, rest: Token) -> bool:
    """``word`` is ``prefix`` glued to a spelling of ``rest``: "alqaeda" is "al" and "qaida"
    (one skeleton), "alqaeda" is "al" and Arabic "قاعدة" (one consonant key)."""
    latin = word.latin
    if len(latin) <= len(prefix) or not latin.startswith(prefix):
        return False
    remainder = latin[len(prefix) :]
    if remainder == rest.latin or skeleton(remainder) == rest.skeleton:
        return True
    if rest.script in VOWEL_POOR_SCRIPTS or word.script in VOWEL_POOR_SCRIPTS:
        keys = consonant_key(remainder, word.script in _ABJADS)
        return len(keys) >= 2 and keys == rest.consonants
    return False


def glued(form: NameForm, other: NameForm) -> NameForm | None:
    """``form`` with each run of gluable particles and the word after it as one word, where
    ``other`` writes them so ("al Qaida" against "Alqaeda": "alqaida"; "van der Bilt" against
    "Vanderbilt"); None when ``other`` writes none of them glued. A particle apart counts for
    little and a glued one is part of its word, so the two spellings otherwise compare as a
    different word ("qaida" against "alqaeda") and no shared one."""
    if not form.gluable:
        return None
    glue = _gluable()
    words = [t for t in other.tokens if not t.particle]
    tokens = form.tokens
    out: list[Token] = []
    changed = False
    k = 0
    while k < len(tokens):
        end = k
        while end < len(tokens) and tokens[end].particle and tokens[end].latin in glue:
            end += 1
        if k < end < len(tokens) and not tokens[end].particle:
            prefix = "".join(t.latin for t in tokens[k:end])
            if any(_written_glued(w, prefix, tokens[end]) for w in words):
                merged = _make_token("".join(t.text for t in tokens[k : end + 1]), _NO_PARTICLES)
                if merged is not None:
                    out.append(merged)
                    changed = True
                    k = end + 1
                    continue
        out.append(tokens[k])
        k += 1
    if not changed:
        return None
    return NameForm(
        form.raw, form.normalized, tuple(out), form.titles, form.scripts, form.reordered
    )


def normalize_name(raw: str) -> NameForm:
    """Normalize a raw name (see the module docstring for the pipeline).

    Raises:
        EmptyNameError: nothing matchable is left after normalization.
    """
    form = try_normalize_name(raw)
    if form is None:
        msg = "the name is empty after normalization (no letter or digit left)"
        raise EmptyNameError(msg)
    return form
