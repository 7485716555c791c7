"""The registry's records and the ``RegistryStore`` protocol every store implements.

Records are plain frozen dataclasses; the HTTP layer converts them into its pydantic models.
Every write is one transaction: either all of it is stored and acknowledged, or none of it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, Protocol, TypeVar

from app.errors import InputFormatError, InvalidNameError

__all__ = [
    "CHANGE_KINDS",
    "KINDS",
    "VERDICTS",
    "Alias",
    "AliasDraft",
    "AliasQuery",
    "Change",
    "Entity",
    "EntityDraft",
    "EntityPatch",
    "EntityQuery",
    "ImportSummary",
    "Judgement",
    "JudgementDraft",
    "JudgementQuery",
    "OnConflict",
    "Page",
    "PastJudgement",
    "RegistrySnapshot",
    "RegistryStore",
    "check_entity_id",
    "check_kind",
    "check_text",
]

Kind = Literal["person", "place", "org", "other"]
KINDS: tuple[str, ...] = ("person", "place", "org", "other")
Verdict = Literal["confirmed", "rejected"]
VERDICTS: tuple[str, ...] = ("confirmed", "rejected")
OnConflict = Literal["error", "skip", "merge"]
# What a change-log row records; ``ref_id`` is the alias id of ``alias``/``alias_deleted``, the
# judgement id of ``judgement`` and, for an ``import`` that brought judgements, the id of the
# first of them (the others follow it).
CHANGE_KINDS: tuple[str, ...] = (
    "entity",  # created or updated
    "entity_deleted",
    "alias",  # added
    "alias_deleted",
    "judgement",
    "import",
)
T = TypeVar("T")

# Ids are chosen by callers (seeds, imports) or generated; this keeps them URL-safe.
_ENTITY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, where: str) -> str:
    """Refuse text the stores cannot keep faithfully: blank, NUL (PostgreSQL text refuses it)
    or unpaired surrogates (no UTF-8 form). Returns the value unchanged."""
    if not value.strip():
        msg = f"{where} is blank"
        raise InvalidNameError(msg)
    if "\x00" in value:
        msg = f"{where} contains a NUL character"
        raise InvalidNameError(msg)
    if (bad := _SURROGATE.search(value)) is not None:
        msg = f"{where} contains an unpaired UTF-16 surrogate (U+{ord(bad.group()):04X})"
        raise InvalidNameError(msg)
    return value


def check_entity_id(value: str) -> str:
    """Refuse ids that are not 1-64 letters, digits and ``_ . : -`` (starting with a letter or
    digit)."""
    if not _ENTITY_ID.fullmatch(value):
        msg = f"entity id {value[:80]!r} must be 1-64 letters, digits, '_', '.', ':' or '-'"
        raise InputFormatError(msg)
    return value


def check_kind(value: str) -> str:
    """Refuse kinds other than person, place, org and other."""
    if value not in KINDS:
        msg = f"kind {value[:40]!r} is not one of {', '.join(KINDS)}"
        raise InputFormatError(msg)
    return value


@dataclass(frozen=True, slots=True)
class AliasDraft:
    """An alias to add: the name as written, where it comes from and its script (detected when
    ``None``)."""

    name: str
    source: str = "manual"
    script: str | None = None


@dataclass(frozen=True, slots=True)
class PastJudgement:
    """A verdict carried by an export and an import: the name judged, the verdict, who gave it
    and when (``None``: at the import)."""

    name: str
    verdict: str
    author: str = "anonymous"
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EntityDraft:
    """An entity to create or import. ``id`` is generated when ``None``; the canonical name is
    always stored as an alias too."""

    canonical: str
    kind: str = "other"
    id: str | None = None
    country: str | None = None
    wikidata_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[AliasDraft, ...] = ()
    # Reviewers' verdicts on names of the entity, oldest first: an export carries them so that
    # a wiped registry imported again still never proposes a rejected link.
    judgements: tuple[PastJudgement, ...] = ()


@dataclass(frozen=True, slots=True)
class EntityPatch:
    """Fields to change on an entity; ``None`` leaves a field as it is."""

    canonical: str | None = None
    kind: str | None = None
    country: str | None = None
    wikidata_id: str | None = None
    attributes: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """A stored entity."""

    id: str
    canonical: str
    kind: str
    country: str | None
    wikidata_id: str | None
    attributes: dict[str, Any]
    alias_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Alias:
    """A stored alias of an entity."""

    id: int
    entity_id: str
    name: str
    source: str
    script: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class JudgementDraft:
    """A reviewer's verdict on "``name`` denotes ``entity_id``"."""

    name: str
    entity_id: str
    verdict: str
    author: str = "anonymous"


@dataclass(frozen=True, slots=True)
class Judgement:
    """A stored verdict; ``alias_id`` is the alias a confirmation created or found."""

    id: int
    name: str
    entity_id: str
    verdict: str
    author: str
    created_at: datetime
    alias_id: int | None = None


@dataclass(frozen=True, slots=True)
class EntityQuery:
    """Paging and filters of an entity listing; ``q`` is a case-insensitive substring of the
    canonical name."""

    offset: int = 0
    limit: int = 100
    kind: str | None = None
    country: str | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class AliasQuery:
    """Paging and filters of an alias listing."""

    offset: int = 0
    limit: int = 100
    script: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class JudgementQuery:
    """Paging and filters of a judgement listing."""

    offset: int = 0
    limit: int = 100
    entity_id: str | None = None
    verdict: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and the number of matching items over all pages."""

    data: list[T]
    count: int


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did: entities created, merged (aliases added) and skipped."""

    created: int = 0
    merged: int = 0
    skipped: int = 0
    aliases_added: int = 0
    ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """One committed write of the registry, from the change log. ``seq`` numbers the writes
    in commit order, without gaps."""

    seq: int
    kind: str
    entity_id: str | None = None
    ref_id: int | None = None


class RegistrySnapshot(Protocol):
    """The registry as one consistent moment: every read sees the same committed writes, the
    ones numbered up to ``version()``."""

    def version(self) -> int: ...
    def changes_after(self, seq: int) -> list[Change]: ...
    def entities(self, ids: Collection[str] | None = None) -> Iterator[tuple[str, str, str]]: ...
    def alias_entity_ids(self, after_id: int) -> set[str]: ...
    def aliases(self, after_id: int = 0) -> Iterator[tuple[int, str, str]]: ...
    def judgements(self, ids: Collection[int]) -> list[tuple[int, str, str, str]]: ...
    def judgements_from(self, first_id: int) -> list[tuple[int, str, str, str]]: ...
    def rejections(self) -> Iterator[tuple[str, str]]: ...


class RegistryStore(Protocol):
    """Persistence of the registry. Every method is one transaction, and every write also
    appends its ``Change`` to the change log in that transaction.

    Errors: ``EntityNotFoundError`` for unknown ids, ``ConflictError`` for duplicates,
    ``InvalidNameError``/``InputFormatError`` for values the store refuses.
    """

    def create_entity(self, draft: EntityDraft) -> Entity: ...
    def get_entity(self, entity_id: str) -> Entity: ...
    def list_entities(self, query: EntityQuery) -> Page[Entity]: ...
    def update_entity(self, entity_id: str, patch: EntityPatch) -> Entity: ...
    def delete_entity(self, entity_id: str) -> Entity: ...
    def add_alias(self, entity_id: str, draft: AliasDraft) -> Alias: ...
    def get_alias(self, entity_id: str, alias_id: int) -> Alias: ...
    def list_aliases(self, entity_id: str, query: AliasQuery) -> Page[Alias]: ...
    def delete_alias(self, entity_id: str, alias_id: int) -> Alias: ...
    def add_judgement(self, draft: JudgementDraft) -> Judgement: ...
    def list_judgements(self, query: JudgementQuery) -> Page[Judgement]: ...
    def import_entities(
        self, drafts: Iterable[EntityDraft], on_conflict: OnConflict = "error"
    ) -> ImportSummary: ...
    def export_entities(self) -> Iterator[EntityDraft]: ...
    def iter_entities(self) -> Iterator[tuple[str, str, str]]: ...
    def iter_aliases(self, after_id: int = 0) -> Iterator[tuple[int, str, str]]: ...
    def iter_rejections(self) -> Iterator[tuple[str, str]]: ...
    def count_entities(self) -> int: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def snapshot(self) -> AbstractContextManager[RegistrySnapshot]: ...
    def close(self) -> None: ...
