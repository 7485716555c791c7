"""In-memory candidate index of a registry: which stored aliases might a name denote?

The index keeps, per alias, its name and its entity, and per retrieval key (the keys of
``blocking.retrieval_keys``: the ``blocking_keys`` that clustering blocks on, and for a one-token
name the deletion neighbourhood of its skeleton) the aliases that have it.
Sized for a million aliases:

* keys are stored as their Python hash (an int) instead of the string; a hash collision only
  adds a candidate, which the comparison then scores low;
* a key held by a single alias stores the position itself, not a one-item array;
* a key held by more than ``max_key_postings`` aliases is too common to tell entities apart
  (a frequent given name, "city"): its list is dropped and the key ignored, the same rarity rule
  as clustering's ``MAX_BLOCK_SIZE``, so one common token cannot explode the candidates;
* normalized forms are not kept (a ``NameForm`` costs about a kilobyte; a million would not
  fit), only two short strings per alias, its romanized letters and its consonant key, enough
  for the matcher to pre-select candidates; the few it scores are normalized again, through the
  normalizer's own bounded LRU cache.

Script rule: an entity that has aliases in the name's script (Latin, Arabic, Cyrillic, ...) is
proposed only through those. Comparisons across scripts rest on romanized consonants and are
weaker evidence ("Putin" and the Arabic "بايدن" share b/p-t/d-n), so they decide only for
entities that have no spelling in the name's script; "Putin" is then judged against "Joe Biden"
and "Vladimir Putin", "القذافي" against the Arabic aliases.

Retrieval ranks aliases by the keys they share with the name, rarer keys counting more, and
hands the best ``max_scored`` to the matcher, which picks the closest of them by a cheap string
similarity and scores those with the core comparison.
The index is a pure function of what was added and removed; it does no I/O. It is written by
hand rather than on a search library (SQLite FTS, Tantivy, Whoosh): retrieval has to use the
core's own transliteration-aware blocking keys, which no tokenizer of those libraries produces,
and the posting lists need the rarity cap above. Mutations and
retrieval take a lock, so HTTP threads may read while another thread writes.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from app.core.blocking import retrieval_keys
from app.core.normalize import try_normalize_name
from app.core.types import Evidence, NameForm

__all__ = [
    "CandidateIndex",
    "IndexStats",
    "RegistryEntity",
    "Resolution",
    "ResolveCandidate",
    "index_entities",
    "judgement_key",
    "script_class",
]

# Defaults sized on the development data: at a million aliases a key shared by more than a few
# hundred names (a common given name or word) says little. At a million aliases a cap of 250
# resolved faster (p99 3.0 ms, 817 names/s over HTTP) but lost recall (top-1 0.865 against
# 0.903 with 500, both runs scoring 8 candidates; benchmarks/results/resolve_1000000*.md).
# ~40 retrieved candidates almost always hold the right entity; the matcher pre-selects and
# scores only a few of them.
MAX_KEY_POSTINGS = 500
MAX_SCORED = 40

_REMOVED = -1
# Script codes fit in a byte; per-entity script counts are keyed entity * _SCRIPTS + code.
_SCRIPTS = 256


def script_class(form: NameForm) -> str:
    """The script a name is judged in: its first non-Latin script, else ``Latin``."""
    return next((s for s in form.scripts if s != "Latin"), "Latin")


def judgement_key(name: str) -> str:
    """The form under which judgements are matched: the name's case-folded tokens in their
    own script ("Ghadafi", "GHADAFI" and "Ghadafi." share it; "Gaddafi" does not)."""
    form = try_normalize_name(name)
    if form is None:
        return " ".join(name.casefold().split())
    return " ".join(t.text for t in form.tokens)


@dataclass(frozen=True, slots=True)
class ResolveCandidate:
    """A registry entity proposed for a name.

    Attributes:
        entity_id: the entity's stable id in the registry.
        canonical: its canonical name.
        kind: person, place, org or other.
        probability: calibrated probability that the name denotes this entity (its best alias).
        alias: the entity's alias that matched best.
        summary: one sentence that explains the probability.
        evidence: every feature of the comparison with the best alias (when asked).
    """

    entity_id: str
    canonical: str
    kind: str
    probability: float
    alias: str
    summary: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    """Which known entity a name denotes.

    Attributes:
        name: the name as given.
        decision: ``matched`` (one entity, confidently), ``ambiguous`` (two entities too close
            to tell) or ``new`` (no known entity reaches the threshold).
        candidates: the best entities: the matched one first, else by probability and
            spelling closeness (``Matcher.resolve``).
        reason: why the decision was taken.
    """

    name: str
    decision: str
    candidates: tuple[ResolveCandidate, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Size of the index: live aliases, entities, keys kept and keys dropped as too common."""

    aliases: int
    entities: int
    keys: int
    common_keys: int


@dataclass(slots=True)
class _Entities:
    ids: list[str] = field(default_factory=list)
    canonical: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    number: dict[str, int] = field(default_factory=dict)


class CandidateIndex:
    """Blocking-key index of a registry's aliases (see the module docstring)."""

    def __init__(
        self,
        max_key_postings: int = MAX_KEY_POSTINGS,
        max_scored: int = MAX_SCORED,
    ) -> None:
        """Args:
        max_key_postings: aliases a key may hold before it is dropped as too common.
        max_scored: aliases handed to the comparison per name.
        """
        self.max_key_postings = max_key_postings
        self.max_scored = max_scored
        self._names: list[str] = []
        self._joined: list[str] = []
        self._consonants: list[str] = []
        # Whether each alias has letters of a script that writes few vowels (an abjad).
        self._vowel_poor = bytearray()
        self._owner: array[int] = array("i")
        self._alias_ids: array[int] = array("q")
        self._alias_script: array[int] = array("B")
        self._script_codes: dict[str, int] = {}
        self._entity_scripts: dict[int, int] = {}
        self._entities = _Entities()
        self._postings: dict[int, int | array[int]] = {}
        self._common: set[int] = set()
        self._rejected: set[tuple[str, str]] = set()
        self._live = 0
        self.max_alias_id = 0
        self._lock = threading.RLock()
        # try_normalize_name keeps its own bounded cache; a second one here would only double
        # the memory of the hottest forms.
        self.form = try_normalize_name

    # --- writes ----------------------------------------------------------------------------

    def set_entity(self, entity_id: str, canonical: str, kind: str) -> None:
        """Add an entity, or change its canonical name and kind."""
        with self._lock:
            ents = self._entities
            number = ents.number.get(entity_id)
            if number is None:
                ents.number[entity_id] = len(ents.ids)
                ents.ids.append(entity_id)
                ents.canonical.append(canonical)
                ents.kind.append(kind)
            else:
                ents.canonical[number] = canonical
                ents.kind[number] = kind

    def add_alias(self, alias_id: int, entity_id: str, name: str) -> bool:
        """Index one alias of a known entity; False when the name has nothing to match on
        (no letter or digit) or the entity is unknown. ``max_alias_id`` keeps the highest id
        seen, so that a store can hand over only the aliases written since."""
        form = try_normalize_name(name)
        with self._lock:
            self.max_alias_id = max(self.max_alias_id, alias_id)
            number = self._entities.number.get(entity_id)
            if form is None or number is None:
                return False
            position = len(self._names)
            self._names.append(name)
            self._joined.append(form.joined)
            self._consonants.append(form.consonant_signature)
            self._vowel_poor.append(form.vowel_poor)
            self._owner.append(number)
            self._alias_ids.append(alias_id)
            code = self._script_code(script_class(form))
            self._alias_script.append(code)
            slot = number * _SCRIPTS + code
            self._entity_scripts[slot] = self._entity_scripts.get(slot, 0) + 1
            self._live += 1
            for key in retrieval_keys(form):
                self._post(hash(key), position)
            return True

    def add_aliases(self, rows: Iterable[tuple[int, str, str]]) -> int:
        """Index many ``(alias id, entity id, name)`` rows; returns how many were indexed."""
        return sum(self.add_alias(alias_id, entity_id, name) for alias_id, entity_id, name in rows)

    def _script_code(self, script: str) -> int:
        code = self._script_codes.get(script)
        if code is None:
            # More scripts than a byte holds share the last code (there are about 30).
            code = min(len(self._script_codes), _SCRIPTS - 1)
            self._script_codes[script] = code
        return code

    def _post(self, key: int, position: int) -> None:
        if key in self._common:
            return
        held = self._postings.get(key)
        if held is None:
            self._postings[key] = position
        elif isinstance(held, int):
            self._postings[key] = array("i", (held, position))
        elif len(held) >= self.max_key_postings:
            del self._postings[key]
            self._common.add(key)
        else:
            held.append(position)

    def remove_alias(self, alias_id: int) -> bool:
        """Stop proposing an alias; False when it is not indexed."""
        with self._lock:
            try:
                position = self._alias_ids.index(alias_id)
            except ValueError:
                return False
            if self._owner[position] == _REMOVED:
                return False
            self._retire(position)
            return True

    def remove_entity(self, entity_id: str) -> None:
        """Stop proposing an entity and any of its aliases; forget its rejections."""
        with self._lock:
            number = self._entities.number.pop(entity_id, None)
            if number is None:
                return
            for position, owner in enumerate(self._owner):
                if owner == number:
                    self._retire(position)
            self._rejected = {r for r in self._rejected if r[1] != entity_id}

    def _retire(self, position: int) -> None:
        # Postings keep the position: retrieval skips removed aliases (no list rewrite).
        slot = self._owner[position] * _SCRIPTS + self._alias_script[position]
        self._entity_scripts[slot] -= 1
        self._owner[position] = _REMOVED
        self._names[position] = self._joined[position] = self._consonants[position] = ""
        self._live -= 1

    def reject(self, name: str, entity_id: str) -> None:
        """Never propose ``entity_id`` for ``name`` (or a name with its judgement key)."""
        with self._lock:
            self._rejected.add((judgement_key(name), entity_id))

    def unreject(self, name: str, entity_id: str) -> None:
        """Lift a rejection (the link was confirmed later)."""
        with self._lock:
            self._rejected.discard((judgement_key(name), entity_id))

    # --- reads -----------------------------------------------------------------------------

    def is_rejected(self, key: str, entity_id: str) -> bool:
        """Whether the link between a judgement key and an entity was rejected."""
        return (key, entity_id) in self._rejected

    def entity(self, entity_id: str) -> tuple[str, str] | None:
        """(canonical name, kind) of an indexed entity."""
        number = self._entities.number.get(entity_id)
        if number is None:
            return None
        return self._entities.canonical[number], self._entities.kind[number]

    def candidates(self, form: NameForm) -> list[tuple[str, str, str, str, bool]]:
        """``(entity id, alias name, romanized letters, consonant key, whether it is in a
        vowel-poor script)`` of the aliases most
        worth scoring for a name, best first:
        ranked by shared keys (a key held by n aliases weighs 1/log2(n + 1)), at most three
        aliases per entity so that one well-documented entity cannot crowd out the others, and
        following the script rule of the module docstring."""
        with self._lock:
            code = self._script_codes.get(script_class(form), -1)
            scripts = self._alias_script
            same = self._entity_scripts
            # Postings are gathered into one numpy array and summed per alias with bincount:
            # a name's keys reach a few thousand postings, which a dict of Python floats
            # summed one by one at about a quarter of the cost of a whole resolve.
            lists: list[npt.NDArray[np.int32]] = []
            weights: list[float] = []
            singles: list[int] = []
            # Keys in sorted order: a frozenset's order follows the process's string hashes,
            # and the summed weights (floats) of aliases tied on shared keys would then round
            # differently from one process to the next and reorder them.
            for key in sorted(retrieval_keys(form)):
                held = self._postings.get(hash(key))
                if held is None:
                    continue
                if isinstance(held, int):
                    singles.append(held)
                    continue
                lists.append(np.array(held, dtype=np.int32))
                weights.append(1.0 / math.log2(len(held) + 1))
            if not lists and not singles:
                return []
            lengths = [len(held) for held in lists] + [1] * len(singles)
            weights += [1.0] * len(singles)
            lists.append(np.array(singles, dtype=np.int32))
            each, inverse = np.unique(np.concatenate(lists), return_inverse=True)
            score = np.bincount(inverse, weights=np.repeat(weights, lengths))
            # Best first, ties by position (the order the aliases were added), so that the
            # answer never depends on the order of the keys. Only the aliases scoring at least
            # the ``keep``-th best score are sorted.
            keep = self.max_scored * 4
            if len(each) > keep:
                floor = -np.partition(-score, keep - 1)[keep - 1]
                near = np.flatnonzero(score >= floor)
                each, score = each[near], score[near]
            ranked: list[int] = each[np.lexsort((each, -score))][:keep].tolist()
            out: list[tuple[str, str, str, str, bool]] = []
            per_entity: dict[int, int] = {}
            for position in ranked:
                owner = self._owner[position]
                if owner == _REMOVED or per_entity.get(owner, 0) >= 3:
                    continue
                if scripts[position] != code and same.get(owner * _SCRIPTS + code, 0) > 0:
                    continue
                per_entity[owner] = per_entity.get(owner, 0) + 1
                out.append(
                    (
                        self._entities.ids[owner],
                        self._names[position],
                        self._joined[position],
                        self._consonants[position],
                        bool(self._vowel_poor[position]),
                    )
                )
                if len(out) >= self.max_scored:
                    break
            return out

    def stats(self) -> IndexStats:
        """Live aliases, entities, keys and dropped common keys."""
        with self._lock:
            return IndexStats(
                self._live, len(self._entities.number), len(self._postings), len(self._common)
            )

    def __len__(self) -> int:
        return self._live


RegistryEntity = tuple[str, str, str, tuple[str, ...]]
"""An entity of a registry file: (stable id, canonical name, kind, aliases)."""


def index_entities(entities: Iterable[RegistryEntity]) -> CandidateIndex:
    """An index of registry entities outside any store (a registry export read by the CLI or
    broadcast to Spark workers). The canonical name is indexed as an alias too, as the store
    keeps it; alias ids are numbered in order."""
    index = CandidateIndex()
    number = 0
    for entity_id, canonical, kind, aliases in entities:
        index.set_entity(entity_id, canonical, kind)
        for name in dict.fromkeys((canonical, *aliases)):
            number += 1
            index.add_alias(number, entity_id, name)
    return index
