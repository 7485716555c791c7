"""A large, realistic registry for the resolve benchmarks, generated from the development data.

Entities are the development clusters (../shared/data: OFAC, cities, countries, Russian name
parts, cross-script persons) and the seeds, each with its real variants plus
transliteration-like noisy copies; then synthetic people (a given name and a family name of the
Russian name-part clusters, in several of their attested Latin spellings, "Family, Given"
order, Cyrillic and noisy copies) until the requested number of aliases is reached.
Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"
SEEDS = HERE.parent / "seeds" / "registry.jsonl"
FILES = [
    "dev_persons_orgs_ofac",
    "dev_places_cities",
    "dev_persons_nameparts_ru",
    "dev_persons_crossscript",
    "dev_places_countries",
]

# Spelling swaps seen between romanizations (Persian/Arabic/Russian into English, French,
# German): each noisy copy applies one or two of them.
SWAPS = [
    ("ou", "u"),
    ("u", "ou"),
    ("kh", "h"),
    ("kh", "ch"),
    ("q", "k"),
    ("k", "q"),
    ("ph", "f"),
    ("y", "i"),
    ("i", "y"),
    ("j", "dj"),
    ("zh", "j"),
    ("sh", "sch"),
    ("ch", "tch"),
    ("w", "v"),
    ("v", "w"),
    ("ee", "i"),
    ("ai", "ay"),
    ("e", "a"),
    ("a", "e"),
    ("ov", "off"),
    ("dh", "d"),
    ("gh", "g"),
    ("ts", "tz"),
    ("c", "k"),
]


@dataclass(frozen=True, slots=True)
class Entity:
    """One generated entity: id, canonical name, kind and aliases (canonical first)."""

    id: str
    canonical: str
    kind: str
    aliases: tuple[str, ...]


def noisy(name: str, rng: random.Random) -> str:
    """A transliteration-like variant of a Latin name (unchanged when nothing applies)."""
    out = name
    for _ in range(rng.choice((1, 1, 2))):
        low = out.lower()
        options = [(a, b) for a, b in SWAPS if a in low]
        if not options:
            break
        a, b = rng.choice(options)
        at = low.find(a)
        piece = out[at : at + len(a)]
        repl = b.upper() if piece.isupper() else (b.title() if piece[:1].isupper() else b)
        out = out[:at] + repl + out[at + len(a) :]
    if out == name and len(name) > 4:
        i = rng.randrange(1, len(name) - 1)
        out = name[:i] + name[i] + name[i:]  # a doubled letter
    return out


def _is_latin(name: str) -> bool:
    return all(ord(c) < 0x250 for c in name)


def _with_noise(names: list[str], copies: int, rng: random.Random) -> list[str]:
    out = list(dict.fromkeys(names))
    latin = [n for n in out if _is_latin(n)]
    for _ in range(copies):
        if latin:
            out.append(noisy(rng.choice(latin), rng))
    return list(dict.fromkeys(out))


def base_entities(rng: random.Random) -> Iterator[Entity]:
    """The seeds and every development cluster, with two noisy copies each."""
    for line in SEEDS.open(encoding="utf-8"):
        rec = json.loads(line)
        names = [rec["canonical"], *(a["name"] for a in rec["aliases"])]
        yield Entity(rec["id"], rec["canonical"], rec["kind"], tuple(_with_noise(names, 2, rng)))
    for file in FILES:
        for n, line in enumerate((DATA / f"{file}.jsonl").open(encoding="utf-8")):
            rec = json.loads(line)
            canonical = rec.get("canonical") or rec["variants"][0]
            names = [canonical, *rec["variants"]]
            kind = rec.get("kind", "other")
            yield Entity(f"{file}:{n}", canonical, kind, tuple(_with_noise(names, 2, rng)))


def _name_parts() -> list[tuple[list[str], list[str]]]:
    parts = []
    for line in (DATA / "dev_persons_nameparts_ru.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        latin = [v.title() for v in rec["variants"] if _is_latin(v)]
        other = [v.title() for v in rec["variants"] if not _is_latin(v)]
        if latin:
            parts.append((latin, other))
    return parts


def synthetic_people(rng: random.Random) -> Iterator[Entity]:
    """Endless synthetic people built from attested name-part spellings."""
    parts = _name_parts()
    n = 0
    while True:
        (g_lat, g_cyr), (f_lat, f_cyr) = rng.choice(parts), rng.choice(parts)
        names = [f"{rng.choice(g_lat)} {rng.choice(f_lat)}" for _ in range(3)]
        names.append(f"{rng.choice(f_lat).upper()}, {rng.choice(g_lat)}")
        if g_cyr and f_cyr:
            names.append(f"{g_cyr[0]} {f_cyr[0]}")
        aliases = _with_noise(names, 2, rng)
        yield Entity(f"syn:{n}", aliases[0], "person", tuple(aliases))
        n += 1


def generate(aliases: int, seed: int = 7) -> list[Entity]:
    """Entities holding about ``aliases`` aliases in all: the base entities first (cut short
    when they alone hold more), then synthetic people."""
    rng = random.Random(seed)
    out: list[Entity] = []
    total = 0
    for source in (base_entities(rng), synthetic_people(rng)):
        for entity in source:
            if total >= aliases:
                return out
            out.append(entity)
            total += len(entity.aliases)
    return out
