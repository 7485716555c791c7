"""The ``canonym`` command line: normalize, compare and cluster names in files; serve the API."""

from __future__ import annotations

import csv
import dataclasses
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from tqdm import tqdm

from app.batch.io import read_names, read_pairs, write_jsonl
from app.core.explain import summarize
from app.core.index import Resolution, index_entities
from app.core.matcher import Matcher
from app.core.memory import collector_paused, long_lived
from app.core.normalize import try_normalize_name
from app.errors import CanonymError
from app.store.base import OnConflict
from app.store.records import read_records, registry_entities, write_records
from app.store.sql import SqlStore

if TYPE_CHECKING:
    from app.settings import Settings

__all__ = ["main", "uvicorn_options"]

# entity_id, canonical, confidence, decision of one resolved name.
ResolvedRow = tuple[str | None, str | None, float | None, str]


def _fail(exc: CanonymError) -> NoReturn:
    click.echo(f"error: {exc.message}", err=True)
    sys.exit(2)


@click.group()
@click.version_option(package_name="canonym")
def main() -> None:
    """Canonym: which of these names are the same entity, and what is its canonical name."""


@main.command()
@click.argument("names", nargs=-1)
@click.option(
    "--input",
    "input_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read one name per line from this file instead of the arguments.",
)
def normalize(names: tuple[str, ...], input_path: Path | None) -> None:
    """Print the normalized, romanized form of each name (JSON Lines)."""
    try:
        source = [n for n, _ in read_names(input_path)] if input_path else list(names)
        for name in source:
            form = try_normalize_name(name)
            row: dict[str, object] = {"name": name, "normalized": None, "error": "empty_name"}
            if form is not None:
                row = {
                    "name": name,
                    "normalized": form.normalized,
                    "latin": form.latin,
                    "titles": list(form.titles),
                    "scripts": list(form.scripts),
                    "tokens": [t.latin for t in form.tokens],
                    "skeleton": [t.skeleton for t in form.tokens],
                }
            write_jsonl(sys.stdout, row)
    except CanonymError as exc:
        _fail(exc)


@main.command()
@click.argument("input_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--explain", is_flag=True, help="Add a plain sentence and each feature's contribution."
)
def compare(input_path: Path, output: Path, explain: bool) -> None:
    """Compare the two tab-separated names on each line of INPUT_PATH; one JSON line per pair."""
    try:
        # A file of pairs fills the core's caches with long-lived entries, which every full
        # collection would walk again (memory.collector_paused): 150,000 pairs took 20.0 s
        # instead of 24.7 s, with the same output and peak memory.
        with (
            output.open("w", encoding="utf-8") as out,
            collector_paused(),
        ):
            matcher = Matcher()
            for number, a, b in tqdm(read_pairs(input_path), unit=" pairs", disable=None):
                if b is None:
                    write_jsonl(
                        out,
                        {
                            "line": number,
                            "score": 0.0,
                            "match": False,
                            "error": "expected two tab-separated names",
                        },
                    )
                    continue
                fa, fb = try_normalize_name(a), try_normalize_name(b)
                if fa is None or fb is None:
                    write_jsonl(
                        out, {"line": number, "score": 0.0, "match": False, "error": "empty_name"}
                    )
                    continue
                res = matcher.compare_forms(fa, fb, explain)
                row: dict[str, object] = {
                    "score": round(res.probability, 6),
                    "match": res.probability >= matcher.threshold,
                }
                if explain:
                    row["summary"] = summarize(res, fa, fb, matcher.threshold)
                    row["evidence"] = [
                        {"feature": e.feature, "value": e.value, "contribution": e.contribution}
                        for e in res.evidence()
                    ]
                write_jsonl(out, row)
    except CanonymError as exc:
        _fail(exc)


@main.command()
@click.argument("input_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True)
@click.option("--explain", is_flag=True, help="Add each entity's weakest link, explained.")
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="spark: the same clustering on Apache Spark (pip install canonym[spark]); OUTPUT "
    "becomes a folder of Parquet tables, entities/ and names/.",
)
@click.option("--master", default=None, help="Spark master for --engine spark (e.g. local[2]).")
@click.option(
    "--form-cache",
    type=click.IntRange(min=0),
    default=None,
    help="Normalized names each Spark Python worker keeps while scoring (--engine spark; about "
    "5 KB each; default 1,000,000, so up to 4 to 5 GB a worker; 0 keeps none).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes scoring candidate pairs (local engine; default: the machine's cores).",
)
@click.option(
    "--registry",
    "registry_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A registry export (canonym registry export, .jsonl or .csv): each entity is resolved "
    "against it as POST /v1/cluster does with resolve: true.",
)
def cluster(
    input_path: Path,
    output: Path,
    explain: bool,
    engine: str,
    master: str | None,
    form_cache: int | None,
    workers: int | None,
    registry_path: Path | None,
) -> None:
    """Group the names of INPUT_PATH (TXT, CSV, JSONL or Parquet) into entities; one JSON line
    each.

    The file is streamed: memory grows with the distinct names, not with the lines (a name
    repeated a million times is held once, with its count). A progress bar shows on a
    terminal; a summary line ends the run on standard error.
    """
    if engine == "spark":
        _cluster_on_spark(input_path, output, master, registry_path, form_cache)
        return
    if form_cache is not None:
        click.echo("error: --form-cache applies to --engine spark only", err=True)
        sys.exit(2)
    if output.is_dir():
        click.echo(f"error: {output} is a folder; the local engine writes one JSONL file", err=True)
        sys.exit(2)
    start = time.perf_counter()
    index = None
    if registry_path is not None:
        try:
            with long_lived():
                index = index_entities(registry_entities(registry_path))
        except CanonymError as exc:
            _fail(exc)
    counts: dict[str, int] = {}
    lines = 0
    try:
        for name, count in tqdm(read_names(input_path), unit=" names", disable=None, desc="read"):
            counts[name] = counts.get(name, 0) + count
            lines += 1
    except CanonymError as exc:
        _fail(exc)
    bars: dict[str, tqdm[Any]] = {}

    def progress(step: str, amount: int) -> None:
        if step in ("normalized", "clustered"):
            if step not in bars:
                bars[step] = tqdm(total=len(counts), unit=" names", disable=None, desc=step)
            bars[step].update(amount)

    matcher = Matcher()
    run = matcher.cluster_run(
        counts.items(), explain=explain, workers=workers or os.cpu_count() or 1, progress=progress
    )
    for bar in bars.values():
        bar.close()
    with output.open("w", encoding="utf-8") as out:
        for found in run.clusters:
            ent, extra = found, {}
            if index is not None:
                ent, resolution = matcher.attach_cluster(found, index)
                extra["registry"] = _registry_link(resolution)
            link = ent.weakest_link
            if link is not None:
                extra["weakest_link"] = dataclasses.asdict(link)
            write_jsonl(
                out,
                {
                    "entity_id": ent.entity_id,
                    "canonical": ent.canonical,
                    "canonical_reason": ent.canonical_reason,
                    "confidence": ent.confidence,
                    "members": [
                        {"name": m.name, "count": m.count, "confidence": m.confidence}
                        for m in ent.members
                    ],
                    **extra,
                },
            )
    click.echo(
        f"{lines} names ({run.names} distinct), {len(run.clusters)} entities, "
        f"{run.pairs_compared} pairs compared, {time.perf_counter() - start:.1f} s",
        err=True,
    )


def _registry_link(resolution: Resolution) -> dict[str, object]:
    """The ``registry`` object of an entity, as ``POST /v1/cluster`` gives it."""
    link: dict[str, object] = {"decision": resolution.decision}
    if resolution.decision == "matched":
        top = resolution.candidates[0]
        link.update(entity_id=top.entity_id, canonical=top.canonical, probability=top.probability)
    link["reason"] = resolution.reason
    return link


def _cluster_on_spark(
    input_path: Path,
    output: Path,
    master: str | None,
    registry_path: Path | None,
    form_cache: int | None,
) -> None:
    try:
        from app.batch.spark import FORM_CACHE, SparkClusterJob, run_cluster_job, spark_session
    except ImportError as exc:
        click.echo(f"error: --engine spark needs pip install 'canonym[spark]' ({exc})", err=True)
        sys.exit(2)
    job = SparkClusterJob(
        str(input_path),
        str(output),
        registry_path=None if registry_path is None else str(registry_path),
        form_cache=FORM_CACHE if form_cache is None else form_cache,
    )
    try:
        result = run_cluster_job(spark_session(master), job)
    except (ValueError, CanonymError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(
        f"{result.names} names, {result.entities} entities, {result.seconds:.1f} s "
        f"(Parquet under {output})",
        err=True,
    )


@main.group()
def registry() -> None:
    """Bulk import and export of the registry of known entities (JSON Lines or CSV)."""


_DATABASE_OPTION = click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL of the registry (default: CANONYM_DATABASE_URL, else the SQLite file "
    "CANONYM_DATABASE_PATH).",
)


def _open_store(database_url: str | None) -> SqlStore:
    from app.settings import get_settings

    return SqlStore(database_url or get_settings().store_url)


@registry.command("import")
@click.argument("input_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--on-conflict",
    type=click.Choice(["error", "skip", "merge"]),
    default="error",
    show_default=True,
    help="An id that exists: refuse the whole import, leave it, or add the aliases it lacks.",
)
@_DATABASE_OPTION
def registry_import(input_path: Path, on_conflict: OnConflict, database_url: str | None) -> None:
    """Import the entities of INPUT_PATH (.jsonl or .csv) in one transaction."""
    store = _open_store(database_url)
    try:
        summary = store.import_entities(read_records(input_path), on_conflict)
    except CanonymError as exc:
        _fail(exc)
    finally:
        store.close()
    click.echo(
        f"{summary.created} entities created, {summary.merged} merged, {summary.skipped} "
        f"skipped, {summary.aliases_added} aliases added",
        err=True,
    )


@registry.command("export")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@_DATABASE_OPTION
def registry_export(output: Path, database_url: str | None) -> None:
    """Write every entity with its aliases and reviewers' judgements to OUTPUT (.jsonl, or
    .csv with one row per alias and per judgement); importing the file again restores the
    same ids, and rejected links stay rejected."""
    store = _open_store(database_url)
    try:
        newline = "" if output.suffix.lower() == ".csv" else None
        with output.open("w", encoding="utf-8", newline=newline) as fh:
            count = write_records(
                fh, store.export_entities(), csv_format=output.suffix.lower() == ".csv"
            )
    finally:
        store.close()
    click.echo(f"{count} entities written to {output}", err=True)


RESOLVED_COLUMNS = ("entity_id", "canonical", "confidence", "decision")


def _resolver(
    url: str | None, api_key: str | None, database_url: str | None
) -> Callable[[list[str]], list[ResolvedRow]]:
    """Resolve names over HTTP (``url``) or against a local registry (``database_url``, else
    the service's ``CANONYM_DATABASE_*`` store), seeded like the service."""
    if url is not None:
        from app.client import CanonymClient

        client = CanonymClient(url, api_key=api_key)

        def remote(names: list[str]) -> list[ResolvedRow]:
            return [
                (r.entity_id, r.canonical, r.confidence, r.decision)
                for r in client.resolve(names, top_k=1)
            ]

        return remote
    from app.api.registry import build_index
    from app.settings import get_settings
    from app.store.seeds import load_seeds

    settings = get_settings()
    store = SqlStore(database_url or settings.store_url)
    try:
        if settings.load_seeds:
            load_seeds(store, Path(settings.seed_file) if settings.seed_file else None)
        with long_lived():
            index = build_index(store)
    finally:
        store.close()
    matcher = Matcher()

    def local(names: list[str]) -> list[ResolvedRow]:
        rows: list[ResolvedRow] = []
        for name in names:
            r = matcher.resolve(name, index, top_k=1)
            top = r.candidates[0] if r.candidates else None
            matched = top if r.decision == "matched" else None
            rows.append(
                (
                    matched.entity_id if matched else None,
                    matched.canonical if matched else None,
                    top.probability if top else None,
                    r.decision,
                )
            )
        return rows

    return local


@main.command("resolve-csv")
@click.argument("input_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--column", "-c", default="name", show_default=True, help="Column of the names.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--url",
    default=None,
    help="Resolve through a running service (e.g. http://127.0.0.1:8000); default: the local "
    "registry (CANONYM_DATABASE_URL / CANONYM_DATABASE_PATH), offline.",
)
@click.option("--api-key", default=None, envvar="CANONYM_CLIENT_API_KEY", help="For --url.")
@_DATABASE_OPTION
def resolve_csv(
    input_path: Path,
    column: str,
    output: Path,
    url: str | None,
    api_key: str | None,
    database_url: str | None,
) -> None:
    """Copy a CSV file, adding the registry entity of each name in COLUMN: entity_id and
    canonical (when resolve decides matched), confidence (the best probability) and decision.
    Each distinct name is resolved once."""
    with input_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    if column not in fields:
        click.echo(f"error: {input_path} has no column {column!r} (columns: {fields})", err=True)
        sys.exit(2)
    names = list(dict.fromkeys(v for r in rows if (v := (r[column] or "").strip())))
    try:
        resolve = _resolver(url, api_key, database_url)
        with collector_paused():  # as compare: a batch of names (memory.collector_paused)
            resolved = dict(zip(names, resolve(names), strict=True))
    except CanonymError as exc:
        _fail(exc)
    extra = [c for c in RESOLVED_COLUMNS if c not in fields]
    with output.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields + extra)
        writer.writeheader()
        for row in rows:
            entity_id, canonical, confidence, decision = resolved.get(
                (row[column] or "").strip(), (None, None, None, "empty")
            )
            rounded = None if confidence is None else round(confidence, 6)
            values = (entity_id, canonical, rounded, decision)
            writer.writerow({**row, **dict(zip(RESOLVED_COLUMNS, values, strict=True))})
    matched = sum(1 for v in resolved.values() if v[3] == "matched")
    click.echo(f"{len(rows)} rows, {len(names)} distinct names, {matched} matched", err=True)


@main.command()
@_DATABASE_OPTION
def migrate(database_url: str | None) -> None:
    """Bring the registry to the latest schema and load the seed file once (unless
    CANONYM_LOAD_SEEDS=false); safe to run again. Deployments run it once before starting the
    servers."""
    from app.api.runtime import open_store
    from app.settings import get_settings

    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    try:
        store = open_store(settings)
    except CanonymError as exc:
        _fail(exc)
    try:
        with store.snapshot() as snapshot:
            version = snapshot.version()
        count = store.count_entities()
    finally:
        store.close()
    click.echo(f"registry ready: {count} entities, version {version}", err=True)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run`` for ``settings``: workers, JSON logs, the
    graceful shutdown timeout, and uvicorn's access log off (the service writes its own)."""
    from app.api.logs import log_config

    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "log_config": log_config(settings),
        "log_level": settings.log_level,
        "access_log": False,
        "timeout_graceful_shutdown": settings.shutdown_timeout_seconds,
        "server_header": False,
    }


@main.command()
@click.option("--host", default=None, help="Interface to bind (default: CANONYM_HOST).")
@click.option("--port", default=None, type=int, help="TCP port (default: CANONYM_PORT).")
@click.option(
    "--workers", default=None, type=int, help="Server processes (default: CANONYM_WORKERS)."
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Start the HTTP service (uvicorn). On SIGTERM or SIGINT it stops accepting connections
    and lets in-flight requests finish (at most CANONYM_SHUTDOWN_TIMEOUT_SECONDS)."""
    import uvicorn

    from app.settings import get_settings

    options = uvicorn_options(get_settings())
    options.update({k: v for k, v in {"host": host, "port": port, "workers": workers}.items() if v})
    uvicorn.run("app.main:app", **options)
