"""Names for the clustering scale benchmark: development variants plus generated names.

The development variants (``../shared/data``) give real spelling variation; generated people
fill the input to 100k and 1M names. A generated person is a given name from a shared pool (so
common given names make the large blocks that real data has) and a surname built from
syllables, spelled in 1-6 ways by injecting the transliteration variation that the matcher is
meant to absorb (v/w/u, q/k/gh, kh/h, sh/sch, ou/u, i/y/ee, doubled letters, dropped vowels,
hyphens, "Last, First", initials). Every name carries its gold entity, so pairwise F1 is known.
Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

__all__ = ["development_names", "generated_names", "scale_names"]

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEV_FILES = (
    "dev_persons_crossscript.jsonl",
    "dev_persons_nameparts_ru.jsonl",
    "dev_persons_orgs_ofac.jsonl",
    "dev_places_cities.jsonl",
    "dev_places_countries.jsonl",
)

_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "b",
    "d",
    "g",
    "k",
    "l",
    "m",
    "n",
    "r",
    "s",
    "t",
    "ch",
    "sh",
    "kh",
    "gh",
    "zh",
    "th",
    "br",
    "dr",
    "gr",
    "kr",
    "tr",
    "st",
    "ts",
    "dj",
    "q",
    "y",
    "w",
]
_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "a", "u", "ou", "ai", "ei", "ia"]
_CODAS = ["", "", "", "", "", "", "n", "r", "l", "s", "m", "k", "v", "sh", "t", "d", "z", "nd"]

# (pattern, replacements): one is applied per noisy spelling, at one random occurrence.
_NOISE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("v", ("w", "u")),
    ("w", ("v",)),
    ("q", ("k", "gh")),
    ("k", ("q", "c")),
    ("gh", ("g", "q")),
    ("kh", ("h", "ch")),
    ("sh", ("sch", "ch")),
    ("ch", ("tch", "sh")),
    ("ou", ("u", "oo")),
    ("u", ("ou",)),
    ("i", ("y", "ee")),
    ("y", ("i",)),
    ("j", ("dj", "zh")),
    ("zh", ("j",)),
    ("ts", ("tz", "c")),
    ("ph", ("f",)),
    ("f", ("ph",)),
    ("ei", ("ey", "ai")),
    ("ai", ("ay",)),
    ("s", ("ss",)),
    ("l", ("ll",)),
    ("r", ("rr",)),
    ("a", ("e", "")),
    ("e", ("a", "")),
    ("o", ("",)),
)


def _syllable(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


def _word(rng: random.Random, low: int, high: int) -> str:
    return "".join(_syllable(rng) for _ in range(rng.randint(low, high))).capitalize()


def _noisy(word: str, rng: random.Random) -> str:
    lower = word.lower()
    options = [(p, r) for p, r in _NOISE if p in lower[1:]]
    if not options:
        return word
    pattern, replacements = rng.choice(options)
    starts = [i for i in range(1, len(lower)) if lower.startswith(pattern, i)]
    at = rng.choice(starts)
    out = lower[:at] + rng.choice(replacements) + lower[at + len(pattern) :]
    return out.capitalize() if len(out) >= 2 else word


def _spelling(given: str, surname: str, rng: random.Random) -> str:
    g, s = given, surname
    for _ in range(rng.choice((1, 1, 1, 2))):
        if rng.random() < 0.7:
            s = _noisy(s, rng)
        else:
            g = _noisy(g, rng)
    form = rng.random()
    if form < 0.08:
        return f"{s}, {g}"
    if form < 0.14:
        return f"{g[0]}. {s}"
    if form < 0.18:
        return f"{g} {s}".upper()
    if form < 0.22 and len(s) > 6:
        cut = len(s) // 2
        return f"{g} {s[:cut]}-{s[cut:].capitalize()}"
    return f"{g} {s}"


def generated_names(count: int, seed: int = 7) -> Iterator[tuple[str, str]]:
    """``count`` (name, gold entity id) pairs of generated people, 1-6 spellings each."""
    rng = random.Random(seed)
    pool = [_word(rng, 2, 3) for _ in range(3000)]
    weights = [1.0 / (rank + 10) for rank in range(len(pool))]  # a few given names are common
    made = 0
    person = 0
    while made < count:
        given = rng.choices(pool, weights)[0]
        surname = _word(rng, 2, 3)
        person += 1
        seen: set[str] = set()
        for k in range(rng.randint(1, 6)):
            name = f"{given} {surname}" if k == 0 else _spelling(given, surname, rng)
            if name in seen:
                continue
            seen.add(name)
            yield name, f"gen:{seed}:{person}"
            made += 1
            if made >= count:
                return


def development_names(data: Path = DATA) -> list[tuple[str, str]]:
    """(variant, gold entity id) of the development sets, each distinct variant once (a variant
    in several entities keeps the first)."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in DEV_FILES:
        path = data / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                for variant in rec["variants"]:
                    if variant.strip() and variant not in seen:
                        seen.add(variant)
                        out.append((variant, f"{name}:{rec['id']}"))
    return out


def scale_names(total: int, seed: int = 7, data: Path = DATA) -> list[tuple[str, str]]:
    """``total`` distinct (name, gold) pairs: a share of development variants (whole entities,
    up to a third of the input) then generated people."""
    rng = random.Random(seed)
    dev = development_names(data)
    by_entity: dict[str, list[tuple[str, str]]] = {}
    for name, gold in dev:
        by_entity.setdefault(gold, []).append((name, gold))
    entities = list(by_entity.values())
    rng.shuffle(entities)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    budget = total // 3
    for members in entities:
        if len(out) + len(members) > budget:
            break
        for name, gold in members:
            seen.add(name)
            out.append((name, gold))
    for name, gold in generated_names(total * 2, seed=seed):
        if len(out) >= total:
            break
        if name not in seen:
            seen.add(name)
            out.append((name, gold))
    rng.shuffle(out)
    return out
