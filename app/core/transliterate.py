"""Romanization of one token to lower-case ASCII.

Library choice (measured on the development data's Cyrillic, Arabic, Hebrew, Hangul, kana and Han
variants against their Latin spellings): ``anyascii`` covers every script Canonym meets (Cyrillic,
Greek, Arabic and Persian letters, Hebrew, Armenian, Georgian, Indic scripts, kana, Hangul) with
conventional, reversible-looking romanizations ("Зеленский" -> "zelenskiy",
"キスマヨ" -> "kisumayo"), where Unidecode spells Hangul and Han with spaces and Hebrew/Armenian
less conventionally. Han characters go to ``pypinyin``, whose phrase dictionary picks the right
reading of polyphonic characters, which a per-character table cannot. Hangul syllables are
romanized here, in the Revised Romanization with the reading of Korean transcriptions of
foreign names (``_hangul``): anyascii spells each jamo alone. PyICU would need a system
ICU build and brings no gain on these scripts.

Arabic script writes few vowels, so matching across scripts relies on consonant keys
(``phonetic.consonant_key``), never on the vowels of a romanization. The Arabic article "ال"
glued to a word is split off here so that it can be treated as a particle.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from pypinyin import Style, lazy_pinyin

__all__ = ["GERESH", "phonetic_reading", "romanize", "split_arabic_article"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ARABIC_ARTICLE = "\u0627\u0644"  # alef + lam


# Kana are romanized here, kana by kana with anyascii, in Hepburn's reading of the small kana
# that anyascii reads as whole syllables ("ジャージー", Jersey, "jiyaji"; "フィジー", Fiji,
# "fuiji"; "クック", Cook, "kutku"): a small ya, yu or yo after an i-syllable makes one syllable
# ("ja", "kyo"), a small vowel replaces the vowel before it ("fi", "ve", "che", "wi"), and a small
# tsu doubles the next consonant ("kukku"). ``pykakasi`` does the same and reads kanji in
# Japanese, but it takes 0.6 s and 135 MB in every process that loads it, for what these rules
# give; kanji stay with pypinyin (a word of kanji alone may be Chinese or Japanese).
_KANA_SCRIPTS = frozenset({"Hiragana", "Katakana"})
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o", "ゃ": "a", "ゅ": "u", "ょ": "o"}
_SMALL_VOWELS = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o",
                 "ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o"}  # fmt: skip
_SMALL_TSU = frozenset("ッっ")


def _kana(text: str) -> str:
    """Hepburn romanization of the kana of ``text`` (see above); other characters go to
    anyascii."""
    out: list[str] = []
    double = False
    for ch in text:
        if ch in _SMALL_TSU:
            double = True
            continue
        prev = out[-1] if out else ""
        if ch in _SMALL_Y and prev.endswith("i"):
            stem = prev[:-1]
            out[-1] = stem + ("" if stem.endswith(("sh", "ch", "j")) else "y") + _SMALL_Y[ch]
            continue
        if ch in _SMALL_VOWELS and prev:
            stem = "w" if prev == "u" else prev[:-1] if prev[-1] in "aiueo" else prev
            out[-1] = stem + _SMALL_VOWELS[ch]
            continue
        syllable = anyascii(ch).lower()
        if double and syllable[:1].isalpha() and syllable[0] not in "aiueo":
            syllable = syllable[0] + syllable
        double = False
        out.append(syllable)
    return "".join(out)


@lru_cache(maxsize=131072)
def romanize(token: str, script: str) -> str:
    """Lower-case ASCII romanization of a token written in ``script``.

    Latin tokens are folded (accents and ligatures removed: "Kadhāfī" -> "kadhafi", "ß" -> "ss").
    Returns an empty string when nothing romanizable is left.
    """
    if script in _KANA_SCRIPTS:
        text = _kana(token)
    elif script == "Han":
        text = "".join(lazy_pinyin(token, style=Style.NORMAL, errors=_kana))
    elif script == "Hangul":
        text = _hangul(token)
    elif script in _MATRES:
        text = anyascii(_spell_vowel_letters(_without_points(token), _MATRES[script]))
    else:
        text = anyascii(token)
    return _NON_ALNUM.sub("", text.casefold())


# Hangul is romanized here, syllable by syllable, in the Revised Romanization that Korean
# transcriptions of foreign names follow best (anyascii spells every final consonant as its
# initial: "잭", Jack, "jaeg"; "패짓", Paget, "paejis"; and every ㄹ as l: "헨리", Henry, "henli"):
# * an initial ㄹ is r, a final one l, and ㄹㄹ ll ("헨리" henri, "밀러" Miller, milleo);
# * final consonants are read as they sound: k, n, t, l, m, p, ng ("잭" jaek, "패짓" paejit);
# * Korean spells a consonant without a vowel (in a cluster or at the end of a foreign word) as a
#   syllable with the vowel "eu" and no final consonant, or with the final ㄹ of a doubled ㄹㄹ:
#   "Frankfurt" is "프랑크푸르트", peu-rang-keu-pu-reu-teu; "Cliff" "클리프", keul-li-peu. Korean
#   names and native words almost never have such a syllable (their "eu" syllables close on
#   another consonant: Eun, Geun, Seung), so it is read as its consonants alone ("prangkpurt",
#   "kllip"), as the Latin spelling shows.
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_INITIALS = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k",
             "t", "p", "h")  # fmt: skip
_MEDIALS = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u",
            "wo", "we", "wi", "yu", "eu", "ui", "i")  # fmt: skip
_FINALS = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p",
           "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")  # fmt: skip
_EU, _RIEUL_INITIAL, _RIEUL_FINAL, _SILENT = 18, 5, 8, 11
# A precomposed syllable is 0xAC00 + (initial * 21 + medial) * 28 + final.
_PER_MEDIAL = len(_FINALS)
_PER_INITIAL = len(_MEDIALS) * _PER_MEDIAL


def _hangul(token: str) -> str:
    """Revised Romanization of the Hangul syllables of ``token`` (see above); other characters
    go to anyascii."""
    parts: list[str] = []
    for k, ch in enumerate(token):
        index = ord(ch) - _HANGUL_FIRST
        if not 0 <= index <= _HANGUL_LAST - _HANGUL_FIRST:
            parts.append(anyascii(ch))
            continue
        initial, rest = divmod(index, _PER_INITIAL)
        medial, final = divmod(rest, _PER_MEDIAL)
        vowel = _MEDIALS[medial]
        if medial == _EU and initial != _SILENT:
            following = ord(token[k + 1]) - _HANGUL_FIRST if k + 1 < len(token) else -1
            doubled_l = final == _RIEUL_FINAL and following // _PER_INITIAL == _RIEUL_INITIAL
            if not final or doubled_l:
                vowel = ""
        first = "l" if initial == _RIEUL_INITIAL and parts and parts[-1].endswith("l") else ""
        parts.append((first or _INITIALS[initial]) + vowel + _FINALS[final])
    return "".join(parts)


# Latin letters that Slavic, Baltic, Romanian and Turkish spellings use for sounds that English
# and German spell with two letters. Folding drops the mark ("Beneš" -> "benes"), which is how
# English texts often write such names, but German and English transliterations spell the sound
# ("Benesch", "Benesh"; "Aleksić" / "Aleksich"; "Abadžiev" / "Abadzhiev", the way Cyrillic is
# romanized). A token's spelling keeps the folded reading and its phonetic keys take this one, so
# a comparison meets both (it takes the better of spelling and skeleton similarity). "ç" is left
# out: French reads it as s, Turkish and Albanian as ch.
_DIGRAPH_LETTERS = str.maketrans(
    {
        "š": "sh", "ś": "sh", "ș": "sh", "ş": "sh",
        "č": "ch", "ć": "ch",
        "ž": "zh", "ź": "zh", "ż": "zh",
        "ț": "ts", "ţ": "ts",
        "đ": "dj",
    }
)  # fmt: skip


# Letters that Latin-script names read two ways, where the háček letters above are not there to
# say which:
# * "ch" as in English, Spanish and French romanizations of Russian and Persian (Ravanchi,
#   Shevchenko: the skeleton's "sh/sch/ch" class), and as kh in German, Polish and Czech
#   romanizations and in Greek and Hebrew names (Charkiw / Kharkiv, Michail / Mikhail, Vlachos /
#   Vlahos). A lone "ch" ("sch", "tch", "shch" are only the first) reads kh in words of six
#   letters or more; in shorter ones "Chan" and "Han", "Cho" and "Ho" are other names.
# * Polish "sz" and "cz" are sh and ch (Szewczenko / Shevchenko, Czernihów / Chernihiv); in
#   Hungarian "sz" is s, the first reading (Szekeres / Sekeres).
# * "x" before a vowel is kh in Uzbek and Spanish spellings (Xasanov / Khasanov, the skeleton's
#   "kh/h" class), and ks in English and German romanizations of Russian and Greek names
#   (Alexei / Aleksey, Maxim / Maksim, Xenia / Ksenia).
# * "ae", "oe" and "ue" between consonants are the German spellings of ä, ö and ü without the
#   dots (Krueger / Krüger / Kruger, Juergen / Jürgen, Schroeder / Schröder); their first
#   reading keeps the "u" as the w of "Ruanchi" (the skeleton's "v/w/u" class).
_LONE_CH = re.compile(r"(?<![st])(?<!sh)ch")
_UMLAUT_E = re.compile(r"(?<=[b-df-hj-np-tv-z])([aou])e(?=[b-df-hj-np-tv-z])")
_LENGTH_H = re.compile(r"(?<=[aeiou])h(?=[b-df-hj-np-tv-z]|$)")
_CH_MIN_LENGTH = 6
_POLISH_DIGRAPH = re.compile(r"[sc]z")
_POLISH = str.maketrans({"z": "h"})


def phonetic_reading(token: str) -> str:
    """The second reading of a Latin token, romanized: its háček and acute consonants spelled as
    digraphs ("beneš" -> "benesh", "aleksić" -> "aleksich"); without them, its letters read two
    ways in their second reading ("charkiw" -> "kharkiw", "szewczenko" -> "shewchenko", "alexei"
    -> "aleksei", "krueger" -> "kruger"); the
    token's romanization when it has neither. Expects a case-folded token."""
    spelled = token.translate(_DIGRAPH_LETTERS)
    if spelled != token:
        return romanize(spelled, "Latin")
    latin = romanize(token, "Latin")
    if len(latin) >= _CH_MIN_LENGTH:
        latin = _LONE_CH.sub("kh", latin)
    latin = _LENGTH_H.sub("", _UMLAUT_E.sub(r"\1", latin.replace("x", "ks")))
    return _POLISH_DIGRAPH.sub(lambda m: m.group().translate(_POLISH), latin)


# Hebrew writes sounds it has no letter for with a geresh after a near letter: ג׳ is j
# ("ג׳ורג׳", George), ז׳ zh ("ז׳אן", Jean), צ׳ ch ("צ׳רצ׳יל", Churchill), and for Arabic
# names ת׳ th, ח׳ kh, ד׳ dh. anyascii reads the letter alone; these rules read the pair.
GERESH = "\u05f3"
_GERESH_LETTERS = [
    ("\u05d2" + GERESH, "j"),
    ("\u05d6" + GERESH, "zh"),
    ("[\u05e6\u05e5]" + GERESH, "ch"),
    ("\u05ea" + GERESH, "th"),
    ("\u05d7" + GERESH, "kh"),
    ("\u05d3" + GERESH, "dh"),
    (GERESH, ""),
]


# Abjads write long vowels with consonant letters (matres lectionis): Hebrew vav/yod/alef/ayin,
# Arabic waw/yeh/alef. anyascii renders them as consonants ("סורקין" -> "svrkyn"), which hides
# the vowel from the consonant keys. Inside a word they are spelled as vowels here; a doubled
# vav/yod (Hebrew) or a word-initial waw/yeh (Arabic) stays a consonant. The Hebrew rules read
# the geresh letters first.
_MATRES: dict[str, list[tuple[str, str]]] = {
    "Hebrew": [
        *_GERESH_LETTERS,
        (r"\u05d5\u05d5", "v"),
        (r"\u05d9\u05d9", "y"),
        (r"(?<=\w)\u05d5", "o"),
        (r"(?<=\w)\u05d9", "i"),
        (r"\u05d0|\u05e2", "a"),
        (r"\u05d4\b", "a"),
    ],
    "Arabic": [
        (r"(?<=\w)[\u0648]", "u"),
        (r"(?<=\w)[\u064a\u06cc]", "i"),
        (r"[\u0627\u0623\u0625\u0622\u0649]", "a"),
        (r"[\u0629]", "a"),
        (r"[\u0639\u0621]", ""),
    ],
}


def _without_points(token: str) -> str:
    """An abjad token without its vowel points and other marks (Arabic harakat, Hebrew niqqud
    and dagesh): most texts leave them out, so a pointed spelling reads as the bare one."""
    return "".join(ch for ch in token if unicodedata.category(ch) != "Mn")


def _spell_vowel_letters(token: str, rules: list[tuple[str, str]]) -> str:
    for pattern, repl in rules:
        token = re.sub(pattern, repl, token)
    return token


def split_arabic_article(token: str) -> tuple[str, str]:
    """Split the glued Arabic article: "القذافي" -> ("ال", "قذافي"); other tokens -> ("", token)."""
    if token.startswith(_ARABIC_ARTICLE) and len(token) > 3:
        return _ARABIC_ARTICLE, token[2:]
    return "", token
