"""Clustering on Apache Spark with the same core as the local engine.

Every decision is taken by ``app.core``: Spark only moves names and pairs between machines.

1. **Names.** The input (Parquet, CSV, JSON Lines or text; the name column chosen by flag, an
   optional count column) is reduced to distinct names with summed counts. ``mapInPandas``
   normalizes each name (``try_normalize_name``) and computes its ``ordered_cluster_keys`` and
   ``neighbourhood_key``; names blank after ``str.strip`` are dropped, as the local reader drops
   them.
2. **Candidate pairs.** The local engine's rule (``app.core.blocking.candidate_pairs``): the
   keys are exploded and each block's size is counted over a window partitioned by key. Blocks
   within their tier's cap (``block_limit``) are paired by a self-join on the key (an equi-join,
   so no cartesian product); each member of a larger block is paired with the next ``WINDOW``
   members in the order of the spelling of the key's token, then of the neighbourhood key, by
   ``lead`` over the same window (linear in the block, whatever the skew). The pairs are
   deduplicated.
3. **Scores.** ``mapInPandas`` scores each batch of pairs with ``batch_probabilities`` (the core
   comparison, trees walked for the whole batch) and the packaged model.
4. **Components.** Connected components of the pairs clustering can merge along
   (``mergeable_edges``, the local engine's ``mergeable_components`` rule) are found by
   min-label propagation with pointer jumping in DataFrame joins (no GraphFrames). Clustering
   never merges across them.
5. **Entities.** The names of each component and every scored pair inside it are cogrouped by
   component, and ``applyInPandas`` clusters each group with ``Matcher.cluster_scored``, the
   local engine's average-link clustering, bare-name phase, canonical choice and confidences.
   Names on no mergeable edge go through the same call one by one (``mapInPandas``).

The result is two Parquet tables under the output folder: ``entities`` (entity_id, canonical,
canonical_reason, confidence, names, occurrences) and ``names`` (name, count, entity_id,
confidence), the same partition, canonical names and confidences as ``canonym cluster``.

pyspark is an optional extra (``pip install canonym[spark]``), imported only inside this module's
functions. Run it with ``canonym cluster IN -o OUT --engine spark`` or with spark-submit::

    spark-submit app/batch/spark.py names.parquet out/ --column name --count-column count

With ``--registry export.jsonl`` (a ``canonym registry export``), step 5 also resolves each entity
against the registry as ``POST /v1/cluster`` does with ``resolve: true``: the export is read on
the driver and broadcast, each Python worker builds one ``CandidateIndex`` from it, and an entity
that a majority of its occurrences resolve to takes the registry's id and canonical name. The
``entities`` table then adds ``cluster_id`` (the batch entity's own id) and the
``registry_decision``, ``registry_reason`` and ``registry_probability`` of each entity.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from app.core.blocking import (
    NAME_BLOCK_SIZE,
    TOKEN_BLOCK_SIZE,
    VOWEL_POOR_PREFIXES,
    WINDOW,
    neighbourhood_key,
    ordered_cluster_keys,
)
from app.core.compare import batch_probabilities
from app.core.index import CandidateIndex, RegistryEntity, index_entities
from app.core.matcher import BARE_NAME_PROBABILITY, Matcher
from app.core.memory import collector_paused
from app.core.normalize import try_normalize_name
from app.core.types import NameForm
from app.store.records import registry_entities

if TYPE_CHECKING:
    import pandas as pd
    from pyspark import Broadcast
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "SparkClusterJob",
    "SparkClusterResult",
    "candidate_pairs",
    "cluster_components",
    "connected_components",
    "keyed_names",
    "main",
    "read_names",
    "run_cluster_job",
    "scored_pairs",
    "spark_session",
]

FORMATS = ("parquet", "csv", "json", "text")
_SUFFIXES = {
    ".parquet": "parquet",
    ".csv": "csv",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
    ".txt": "text",
}

KEYED_SCHEMA = (
    "name string, count long, keys array<string>, spellings array<string>, nkey string, "
    "bare boolean, latin boolean, poor boolean"
)
SCORED_SCHEMA = "a long, b long, probability double"
MEMBER_SCHEMA = (
    "name string, count long, cluster_id string, entity_id string, canonical string, "
    "canonical_reason string, entity_confidence double, confidence double, "
    "registry_decision string, registry_reason string, registry_probability double"
)
MEMBER_SCHEMA_COLUMNS = tuple(field.split()[0] for field in MEMBER_SCHEMA.split(", "))
REGISTRY_COLUMNS = ("registry_decision", "registry_reason", "registry_probability")


# Normalized names kept by each Python worker while it scores, by default (4 to 5 KB a form
# measured with tracemalloc, so up to 4 to 5 GB per worker; ``SparkClusterJob.form_cache``
# sets it for executors with less memory). Each name sits in about 20 pairs spread over every
# partition; without the cache the worker normalized both names of every pair, which cost more
# than the comparison itself (about 100 µs a name, 130 µs a comparison). The pairs arrive
# ordered by ``a`` (the last join of ``scored_pairs`` merges on it), so ``a`` hits even when the
# names outnumber the cache.
FORM_CACHE = 1_000_000


@dataclass(frozen=True, slots=True)
class SparkClusterJob:
    """What to cluster and where to write it.

    Attributes:
        input_path: file or folder of names (any path Spark reads: local, HDFS, S3, ABFS...).
        output_path: folder that receives ``entities/`` and ``names/`` (Parquet, overwritten).
        column: the column of the names (``value`` for text files).
        count_column: the column of each row's count; ``None`` uses ``count`` when the input
            has one, else 1 per row.
        input_format: ``parquet``, ``csv``, ``json`` or ``text``; ``None`` infers it from the
            input's suffix.
        max_iterations: bound on the label-propagation rounds (each round at least halves the
            longest distance to a component's smallest id, so tens are plenty).
        registry_path: a registry export (``canonym registry export``, JSON Lines or CSV) on the
            driver's file system; when given, each entity is resolved against it as
            ``POST /v1/cluster`` does with ``resolve: true``.
        form_cache: normalized names each Python worker keeps while it scores (about 5 KB
            each; 0 keeps none and normalizes both names of every pair).
    """

    input_path: str
    output_path: str
    column: str = "name"
    count_column: str | None = None
    input_format: str | None = None
    max_iterations: int = 64
    registry_path: str | None = None
    form_cache: int = FORM_CACHE

    def __post_init__(self) -> None:
        if self.form_cache < 0:
            msg = f"form_cache must be 0 or more, got {self.form_cache}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class SparkClusterResult:
    """Sizes of one run, for the log and the benchmark."""

    names: int
    candidate_pairs: int
    components: int
    largest_component: int
    entities: int
    iterations: int
    seconds: float


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    # One matcher (and model) per Python worker process.
    return Matcher()


def spark_session(master: str | None = None, app_name: str = "canonym-cluster") -> SparkSession:
    """The active session, or a new one on ``master`` (default: spark-submit's, else local[*]).

    For a local master the Python workers run the driver's interpreter, so they import the same
    installed Canonym.
    """
    from pyspark.sql import SparkSession

    if master is None or master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    return builder.getOrCreate()


def _input_format(job: SparkClusterJob) -> str:
    fmt = job.input_format or _SUFFIXES.get(PurePath(job.input_path.rstrip("/")).suffix.lower())
    if fmt not in FORMATS:
        msg = (
            f"cannot tell the format of {job.input_path!r}; pass one of {', '.join(FORMATS)}"
            " as the input format"
        )
        raise ValueError(msg)
    return fmt


def read_names(spark: SparkSession, job: SparkClusterJob) -> DataFrame:
    """The input as (name string, count long) rows; rows without a name are dropped and a
    missing or non-positive count counts 1 (as in ``Matcher.cluster``)."""
    from pyspark.sql import functions as F

    fmt = _input_format(job)
    reader = spark.read
    if fmt == "csv":
        reader = reader.option("header", "true")
    df = reader.format(fmt).load(job.input_path)
    column = "value" if fmt == "text" and job.column == "name" else job.column
    if column not in df.columns:
        msg = f"{job.input_path!r} has no column {column!r} (columns: {df.columns})"
        raise ValueError(msg)
    count_column = job.count_column
    if count_column is None and "count" in df.columns and column != "count":
        count_column = "count"
    count = F.col(count_column).cast("long") if count_column else F.lit(1).cast("long")
    return df.select(
        F.col(column).cast("string").alias("name"),
        F.greatest(F.coalesce(count, F.lit(1)), F.lit(1)).cast("long").alias("count"),
    ).where(F.col("name").isNotNull())


def _keys_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    import pandas as pd

    for df in batches:
        names: list[str] = []
        counts: list[int] = []
        keys: list[list[str]] = []
        spellings: list[list[str]] = []
        nkeys: list[str] = []
        bare: list[bool] = []
        latin: list[bool] = []
        poor: list[bool] = []
        for name, count in zip(df["name"], df["count"], strict=True):
            if not name.strip():
                continue
            form = try_normalize_name(name)
            names.append(name)
            counts.append(int(count))
            ordered = ordered_cluster_keys(form) if form is not None else {}
            keys.append(sorted(ordered))
            spellings.append([ordered[key] for key in keys[-1]])
            nkeys.append(neighbourhood_key(form) if form is not None else "")
            bare.append(form is not None and len(form.core_tokens) == 1)
            latin.append(form is not None and form.is_latin)
            poor.append(form is not None and form.vowel_poor)
        yield pd.DataFrame(
            {
                "name": names,
                "count": counts,
                "keys": keys,
                "spellings": spellings,
                "nkey": nkeys,
                "bare": bare,
                "latin": latin,
                "poor": poor,
            }
        )


def _materialize(df: DataFrame) -> DataFrame:
    # Cuts the lineage (iterations would otherwise grow the plan without bound) and pins
    # non-deterministic columns such as monotonically_increasing_id. A checkpoint directory, when
    # the session has one, makes the cut survive the loss of an executor.
    if df.sparkSession.sparkContext.getCheckpointDir() is not None:
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


def keyed_names(names: DataFrame) -> DataFrame:
    """Distinct names with summed counts, a 64-bit ``id`` and the core's blocking ``keys``."""
    from pyspark.sql import functions as F

    distinct = names.groupBy("name").agg(F.sum("count").cast("long").alias("count"))
    keyed = distinct.mapInPandas(_keys_batches, KEYED_SCHEMA)
    return _materialize(keyed.withColumn("id", F.monotonically_increasing_id()))


def candidate_pairs(keyed: DataFrame) -> DataFrame:
    """(a, b) ids with a < b of the local engine's candidate pairs, once per pair.

    Block sizes are counted over a window partitioned by key. Blocks within their tier's cap
    come from a self-join on the key, an equi-join: the rows are exchanged once by key and no
    block larger than the cap is ever expanded. Members of a larger block are ordered by
    (spelling of the key's token, neighbourhood key, name), the local order, and paired with
    the next ``WINDOW`` members by ``lead``, so the work per key stays linear whatever the skew
    of the key distribution.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    exploded = keyed.select(
        "id",
        "name",
        "nkey",
        "bare",
        "latin",
        "poor",
        "spellings",
        F.posexplode("keys").alias("at", "key"),
    )
    # A key's block and tag (split_key): an initial key "I:j|SMT|o" is block "I:j|SMT", tag "o".
    tagged = F.col("key").startswith("I:")
    exploded = exploded.select(
        "id",
        "name",
        "nkey",
        # The spelling of a token key's token, "" for a name key (ordered_cluster_keys).
        F.element_at("spellings", F.col("at") + 1).alias("spelling"),
        "bare",
        "latin",
        "poor",
        F.when(tagged, F.regexp_extract("key", r"^(.*)\|[^|]*$", 1))
        .otherwise(F.col("key"))
        .alias("block"),
        F.when(tagged, F.regexp_extract("key", r"\|([^|]*)$", 1)).alias("tag"),
        F.substring("key", 1, 1).rlike("^[a-z]$").alias("token_tier"),
        F.substring("key", 1, 2).isin(*VOWEL_POOR_PREFIXES).alias("needs_poor"),
    )
    by_key = Window.partitionBy("block")
    cap = F.when(F.col("token_tier"), F.lit(TOKEN_BLOCK_SIZE)).otherwise(F.lit(NAME_BLOCK_SIZE))
    sized = exploded.withColumn("size", F.count("*").over(by_key)).withColumn("cap", cap)
    small = sized.where((F.col("size") >= 2) & (F.col("size") <= F.col("cap")))
    left = small.select(
        "block",
        "token_tier",
        "needs_poor",
        F.col("id").alias("x"),
        F.col("bare").alias("bx"),
        F.col("latin").alias("lx"),
        F.col("poor").alias("px"),
        F.col("tag").alias("tx"),
    )
    right = small.select(
        "block",
        F.col("id").alias("y"),
        F.col("bare").alias("by"),
        F.col("latin").alias("ly"),
        F.col("poor").alias("py"),
        F.col("tag").alias("ty"),
    )
    # The rules of candidate_pairs: a token block within its cap pairs a bare name with every
    # member and names across scripts; a consonant-key block needs a vowel-poor name, and a
    # tagged block agreeing tags (split_key), whatever its size.
    tags_agree = (
        F.col("tx").isNull()
        | (F.col("tx") == "")
        | (F.col("ty") == "")
        | (F.col("tx") == F.col("ty"))
    )
    kept_anywhere = (~F.col("needs_poor") | F.col("px") | F.col("py")) & tags_agree
    wanted = (
        ~F.col("token_tier") | F.col("bx") | F.col("by") | (F.col("lx") != F.col("ly"))
    ) & kept_anywhere
    exhaustive = left.join(right, "block").where((F.col("x") < F.col("y")) & wanted)
    large = sized.where(F.col("size") > F.col("cap"))
    # By the spelling of the key's token, then by neighbourhood, then by tag, as
    # candidate_pairs does: one name can hold a block under two tags.
    ordered = by_key.orderBy("spelling", "nkey", "name", "tag")
    windowed = None
    for step in range(1, WINDOW + 1):
        nxt = large.select(
            "needs_poor",
            F.col("id").alias("x"),
            F.col("poor").alias("px"),
            F.col("tag").alias("tx"),
            F.lead("id", step).over(ordered).alias("y"),
            F.lead("poor", step).over(ordered).alias("py"),
            F.lead("tag", step).over(ordered).alias("ty"),
        )
        nxt = nxt.where(F.col("y").isNotNull() & kept_anywhere).select("x", "y")
        windowed = nxt if windowed is None else windowed.unionByName(nxt)
    pairs = exhaustive.select("x", "y")
    if windowed is not None:
        pairs = pairs.unionByName(windowed)
    lo, hi = F.least("x", "y"), F.greatest("x", "y")
    return pairs.where(F.col("x") != F.col("y")).select(lo.alias("a"), hi.alias("b")).distinct()


# The worker's cache per size asked for (one size per job in practice).
_FORM_CACHES: dict[int, Callable[[str], NameForm | None]] = {}


def _form_cache(size: int) -> Callable[[str], NameForm | None]:
    """``try_normalize_name`` behind an LRU cache of ``size`` forms (0: no cache), made once
    per worker process."""
    cached = _FORM_CACHES.get(size)
    if cached is None:
        cached = _FORM_CACHES[size] = lru_cache(maxsize=size)(try_normalize_name)
    return cached


def _score_batches(
    batches: Iterator[pd.DataFrame], form_cache: int = FORM_CACHE
) -> Iterator[pd.DataFrame]:
    import pandas as pd

    matcher = _matcher()
    form = _form_cache(form_cache)
    for df in batches:
        # As a clustering run in one process does (``collector_paused``): the cyclic collector's
        # full passes would walk every cached form, and scoring makes no reference cycles.
        # Measured on 200,000 pairs in batches of 10,000: 7.8-9.3 s against 10.5-10.8 s.
        with collector_paused():
            pairs = []
            for a_name, b_name in zip(df["a_name"], df["b_name"], strict=True):
                fa, fb = form(a_name), form(b_name)
                if fa is None or fb is None:  # never: both have blocking keys
                    msg = f"candidate pair with an empty name: {a_name!r}, {b_name!r}"
                    raise ValueError(msg)
                pairs.append((fa, fb))
            # The batch's trees at once, as clustering in one process scores (the same values).
            out = batch_probabilities(pairs, matcher.model)
        yield pd.DataFrame({"a": df["a"], "b": df["b"], "probability": out})


def scored_pairs(keyed: DataFrame, pairs: DataFrame, form_cache: int = FORM_CACHE) -> DataFrame:
    """(a, b, probability) of each candidate pair, scored by the core (each Python worker
    keeps up to ``form_cache`` normalized names)."""
    from pyspark.sql import functions as F

    names = keyed.select("id", "name")
    with_names = pairs.join(
        names.select(F.col("id").alias("b"), F.col("name").alias("b_name")), "b"
    ).join(names.select(F.col("id").alias("a"), F.col("name").alias("a_name")), "a")
    return with_names.select("a", "b", "a_name", "b_name").mapInPandas(
        partial(_score_batches, form_cache=form_cache), SCORED_SCHEMA
    )


def connected_components(edges: DataFrame, max_iterations: int = 64) -> tuple[DataFrame, int]:
    """(id, component) of every id on an (a, b) edge, the component being its smallest id.

    Min-label propagation with pointer jumping: each round every node takes the smallest
    label among itself and its neighbours, then the label of its label. Labels only decrease
    and stay inside the component, and a round changes nothing only when each component
    carries one label, its smallest id.

    Returns:
        The labels and the number of rounds run.

    Raises:
        RuntimeError: the labels still changed after ``max_iterations`` rounds.
    """
    from pyspark.sql import functions as F

    both = _materialize(
        edges.select(F.col("a").alias("src"), F.col("b").alias("dst"))
        .union(edges.select(F.col("b").alias("src"), F.col("a").alias("dst")))
        .distinct()
    )
    labels = _materialize(
        both.groupBy("src").agg(F.least(F.col("src"), F.min("dst")).alias("label"))
    ).withColumnRenamed("src", "id")
    for rounds in range(1, max_iterations + 1):
        seen = both.join(labels.withColumnRenamed("id", "dst"), "dst")
        lowest = seen.groupBy("src").agg(F.min("label").alias("seen"))
        taken = labels.join(lowest.withColumnRenamed("src", "id"), "id").select(
            "id", F.least("label", "seen").alias("label")
        )
        jumped = taken.alias("x").join(taken.alias("y"), F.col("x.label") == F.col("y.id"))
        updated = _materialize(jumped.select(F.col("x.id").alias("id"), F.col("y.label")))
        changed = (
            updated.join(labels.withColumnRenamed("label", "before"), "id")
            .where(F.col("label") != F.col("before"))
            .limit(1)
            .count()
        )
        labels = updated
        if not changed:
            return labels.withColumnRenamed("label", "component"), rounds
    msg = f"connected components did not converge in {max_iterations} rounds"
    raise RuntimeError(msg)


@dataclass(frozen=True, slots=True)
class _Registry:
    """A registry export broadcast to the workers, and a token naming its content (path, size
    and modification time), so that each Python worker unpickles it and builds its index once
    per job rather than once per task."""

    token: str
    entities: Broadcast[list[RegistryEntity]]


# The registry index built in this Python worker, with the token of its registry.
_REGISTRY_INDEX: dict[str, CandidateIndex] = {}


def _registry_index(registry: _Registry) -> CandidateIndex:
    index = _REGISTRY_INDEX.get(registry.token)
    if index is None:
        _REGISTRY_INDEX.clear()
        index = _REGISTRY_INDEX[registry.token] = index_entities(registry.entities.value)
    return index


def _member_rows(
    names: list[str],
    counts: list[int],
    edges: dict[tuple[str, str], float],
    index: CandidateIndex | None,
) -> list[tuple[Any, ...]]:
    """``MEMBER_SCHEMA`` rows of one component: its names (sorted, as the local engine holds
    them) clustered by ``Matcher.cluster_scored`` over its scored pairs, and attached to the
    registry when there is an index."""
    matcher = _matcher()
    rows: list[tuple[Any, ...]] = []
    for found in matcher.cluster_scored(zip(names, counts, strict=True), edges):
        ent = found
        link: tuple[str | None, str | None, float | None] = (None, None, None)
        if index is not None:
            ent, resolution = matcher.attach_cluster(found, index)
            top = resolution.candidates[0] if resolution.decision == "matched" else None
            link = (
                resolution.decision,
                resolution.reason,
                None if top is None else top.probability,
            )
        for m in ent.members:
            rows.append(
                (
                    m.name,
                    m.count,
                    found.entity_id,
                    ent.entity_id,
                    ent.canonical,
                    ent.canonical_reason,
                    ent.confidence,
                    m.confidence,
                    *link,
                )
            )
    return rows


def _cluster_component(
    nodes: pd.DataFrame, inside: pd.DataFrame, registry: _Registry | None = None
) -> pd.DataFrame:
    """One component (cogrouped: its names, and every scored pair inside it) clustered."""
    import pandas as pd

    index = None if registry is None else _registry_index(registry)
    ids, names, counts = list(nodes["id"]), list(nodes["name"]), list(nodes["count"])
    order = sorted(range(len(names)), key=names.__getitem__)
    name_of = dict(zip(ids, names, strict=True))
    edges = {
        (name_of[a], name_of[b]): float(p)
        for a, b, p in zip(inside["a"], inside["b"], inside["probability"], strict=True)
    }
    rows = _member_rows([names[k] for k in order], [int(counts[k]) for k in order], edges, index)
    return pd.DataFrame.from_records(rows, columns=MEMBER_SCHEMA_COLUMNS)


def _single_batches(
    batches: Iterator[pd.DataFrame], registry: _Registry | None = None
) -> Iterator[pd.DataFrame]:
    """Names on no mergeable edge: each is an entity of its own (the same call as a component
    of one name, without a group per name)."""
    import pandas as pd

    index = None if registry is None else _registry_index(registry)
    for df in batches:
        rows: list[tuple[Any, ...]] = []
        for name, count in zip(df["name"], df["count"], strict=True):
            rows.extend(_member_rows([name], [int(count)], {}, index))
        yield pd.DataFrame.from_records(rows, columns=MEMBER_SCHEMA_COLUMNS)


def cluster_components(
    keyed: DataFrame,
    scored: DataFrame,
    labels: DataFrame,
    registry: _Registry | None = None,
) -> DataFrame:
    """One row per distinct name: its entity, canonical name and confidences (``MEMBER_SCHEMA``).

    The names of each component and the scored pairs with both names inside it are cogrouped by
    component (``applyInPandas``: a large component reaches its Python worker as Arrow batches
    of rows, never as one row holding every pair) and clustered by ``Matcher.cluster_scored``.
    Names on no mergeable edge are entities of their own and skip the grouping. With a
    ``registry`` (a registry export, broadcast), each entity is attached to it by
    ``Matcher.attach_cluster``, in each worker against an index built once from the broadcast.
    """
    from pyspark.sql import functions as F

    nodes = keyed.join(labels, "id").select("component", "id", "name", "count")
    inside = (
        scored.join(labels.select(F.col("id").alias("a"), F.col("component").alias("ca")), "a")
        .join(labels.select(F.col("id").alias("b"), F.col("component").alias("cb")), "b")
        .where(F.col("ca") == F.col("cb"))
        .select(F.col("ca").alias("component"), "a", "b", "probability")
    )
    grouped = (
        nodes.groupBy("component")
        .cogroup(inside.groupBy("component"))
        .applyInPandas(
            lambda n, e: _cluster_component(n, e, registry),
            MEMBER_SCHEMA,
        )
    )
    singles = keyed.join(labels, "id", "left_anti").select("name", "count")
    alone = singles.mapInPandas(partial(_single_batches, registry=registry), MEMBER_SCHEMA)
    return grouped.unionByName(alone)


def mergeable_edges(keyed: DataFrame, scored: DataFrame) -> DataFrame:
    """The scored pairs along which clustering can merge (``mergeable_components``' rule): two
    full or two bare names at the link threshold or above, a bare and a full name at
    ``BARE_NAME_PROBABILITY`` or above. Weaker links never join two names, so they are left out
    of the components, which keeps a few bare names from chaining thousands of names into one
    component."""
    from pyspark.sql import functions as F

    matcher = _matcher()
    bare = keyed.select("id", "bare")
    flagged = scored.join(
        bare.select(F.col("id").alias("a"), F.col("bare").alias("bare_a")), "a"
    ).join(bare.select(F.col("id").alias("b"), F.col("bare").alias("bare_b")), "b")
    p = F.col("probability")
    strong = F.when(F.col("bare_a") == F.col("bare_b"), p >= matcher.link_threshold).otherwise(
        p >= BARE_NAME_PROBABILITY
    )
    return flagged.where(strong).select("a", "b")


def run_cluster_job(spark: SparkSession, job: SparkClusterJob) -> SparkClusterResult:
    """Read, cluster and write; see the module docstring for the stages."""
    from pyspark.sql import functions as F

    start = time.perf_counter()
    registry = None
    if job.registry_path is not None:
        # Read on the driver (a malformed file fails before any Spark work) and broadcast once.
        path = Path(job.registry_path)
        if not path.is_file():
            msg = f"registry export {job.registry_path!r} is not a file on the driver"
            raise ValueError(msg)
        stat = path.stat()
        token = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        registry = _Registry(token, spark.sparkContext.broadcast(registry_entities(path)))
    keyed = keyed_names(read_names(spark, job))
    scored = _materialize(scored_pairs(keyed, candidate_pairs(keyed), job.form_cache))
    strong = mergeable_edges(keyed, scored)
    labels, rounds = connected_components(strong.select("a", "b"), job.max_iterations)
    members = _materialize(cluster_components(keyed, scored, labels, registry))
    members.select(
        "name", "count", "entity_id", F.col("confidence").alias("confidence")
    ).write.mode("overwrite").parquet(_join(job.output_path, "names"))
    # One row per entity of the batch: two of them can resolve to the same registry entity
    # and then share its id, as entities of POST /v1/cluster do.
    linked = [F.first(c).alias(c) for c in REGISTRY_COLUMNS] if registry is not None else []
    entities = members.groupBy("cluster_id").agg(
        F.first("entity_id").alias("entity_id"),
        F.first("canonical").alias("canonical"),
        F.first("canonical_reason").alias("canonical_reason"),
        F.first("entity_confidence").alias("confidence"),
        F.count("*").alias("names"),
        F.sum("count").alias("occurrences"),
        *linked,
    )
    if registry is None:
        entities = entities.drop("cluster_id")
    entities.write.mode("overwrite").parquet(_join(job.output_path, "entities"))
    sizes = labels.groupBy("component").count()
    largest = sizes.agg(F.max("count")).first()
    return SparkClusterResult(
        names=keyed.count(),
        candidate_pairs=scored.count(),
        components=sizes.count(),
        largest_component=int(largest[0] or 0) if largest is not None else 0,
        entities=spark.read.parquet(_join(job.output_path, "entities")).count(),
        iterations=rounds,
        seconds=time.perf_counter() - start,
    )


def _join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


def main(argv: Sequence[str] | None = None) -> None:
    """``spark-submit app/batch/spark.py IN OUT [--column name] [--count-column count]``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("input_path", help="names: Parquet, CSV, JSON Lines or text")
    ap.add_argument("output_path", help="folder for entities/ and names/ (Parquet)")
    ap.add_argument("--column", default="name", help="column of the names (default: name)")
    ap.add_argument("--count-column", default=None, help="column of the counts (default: count)")
    ap.add_argument("--format", choices=FORMATS, default=None, help="default: from the suffix")
    ap.add_argument("--master", default=None, help="default: spark-submit's, else local[*]")
    ap.add_argument(
        "--registry",
        default=None,
        help="a registry export (.jsonl or .csv) on the driver to resolve each entity against",
    )
    ap.add_argument(
        "--form-cache",
        type=int,
        default=FORM_CACHE,
        help=f"normalized names each Python worker keeps (about 5 KB each; default {FORM_CACHE})",
    )
    args = ap.parse_args(argv)
    if args.form_cache < 0:
        ap.error("--form-cache must be 0 or more")
    job = SparkClusterJob(
        args.input_path,
        args.output_path,
        args.column,
        args.count_column,
        args.format,
        registry_path=args.registry,
        form_cache=args.form_cache,
    )
    result = run_cluster_job(spark_session(args.master), job)
    sys.stderr.write(
        f"{result.names} names, {result.candidate_pairs} candidate pairs, "
        f"{result.components} components (largest {result.largest_component}), "
        f"{result.entities} entities, {result.seconds:.1f} s\n"
    )


if __name__ == "__main__":
    main()
