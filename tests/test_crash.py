"""Crash safety: the service (a real uvicorn process) is killed with SIGKILL in the middle of a
bulk import and of a stream of judgements, then started again on the same store.

Every write the service acknowledged must be there, an import that was cut off must be there in
full or not at all, and the store must be consistent: SQLite's integrity and foreign-key checks,
no orphan rows, every entity with its canonical alias, every confirmation with its alias, and
an index rebuilt at restart that serves the stored aliases. On SQLite (a
file) and on PostgreSQL (a database of its own on the test server).
"""

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from statistics import median

import httpx
import pytest
import sqlalchemy as sa

from benchmarks.serve import Server, running_server
from tests.factory import fresh_postgres_database

KEY = "k-crash-6e0b94d2"
AUTH = {"X-API-Key": KEY}
BATCH = 400  # entities per import request, three names each


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    with fresh_postgres_database("canonym_crash") as url:
        yield url


def _settings(url: str) -> dict[str, str]:
    return {
        "CANONYM_DATABASE_URL": url,
        "CANONYM_LOAD_SEEDS": "false",
        "CANONYM_API_KEYS": KEY,
        "CANONYM_LOG_LEVEL": "info",
    }


@dataclass
class Stream:
    """Writes sent by client threads: acknowledged (2xx received), lost (sent, no answer)."""

    acked: list[tuple[object, dict]] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    lost: list[object] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    started: dict[int, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, send: Callable[[httpx.Client, object], httpx.Response], payloads) -> None:
        with httpx.Client(timeout=60) as client:
            for payload in payloads:
                me = threading.get_ident()
                start = time.monotonic()
                with self.lock:
                    self.started[me] = start
                try:
                    r = send(client, payload)
                except httpx.TransportError:
                    with self.lock:
                        self.lost.append(payload)
                    return
                with self.lock:
                    del self.started[me]
                    if r.is_success:
                        self.acked.append((payload, r.json()))
                        self.durations.append(time.monotonic() - start)
                    else:
                        self.refused.append(r.text)

    def in_flight_for(self) -> float:
        """How long the oldest request without an answer has been waiting."""
        with self.lock:
            return time.monotonic() - min(self.started.values()) if self.started else 0.0


def _kill_during(server: Server, stream: Stream, min_acks: int, fraction: float) -> None:
    """SIGKILL the server once ``min_acks`` writes were acknowledged, while a request has been
    in flight for ``fraction`` of a typical write's time (mid-write, not between writes)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with stream.lock:
            enough = len(stream.acked) >= min_acks
            wait = fraction * median(stream.durations) if enough else 0.0
        if enough and stream.in_flight_for() > wait:
            server.process.kill()
            server.process.wait()
            return
        time.sleep(0.002)
    pytest.fail(f"no write in flight after {min_acks} acknowledged ones within 120 s")


def _run_and_kill(server, send, payload_streams, min_acks, fraction) -> Stream:
    stream = Stream()
    threads = [
        threading.Thread(target=stream.run, args=(send, payloads), daemon=True)
        for payloads in payload_streams
    ]
    for t in threads:
        t.start()
    _kill_during(server, stream, min_acks, fraction)
    for t in threads:
        t.join(timeout=60)
    assert not stream.refused, stream.refused[:3]
    assert stream.lost, "the kill did not cut off a request"
    return stream


def _store_problems(url: str) -> list[str]:
    """What is inconsistent in the store (empty when nothing is)."""
    checks = {
        "aliases without their entity": "SELECT count(*) FROM aliases a "
        "LEFT JOIN entities e ON e.id = a.entity_id WHERE e.id IS NULL",
        "judgements without their entity": "SELECT count(*) FROM judgements j "
        "LEFT JOIN entities e ON e.id = j.entity_id WHERE e.id IS NULL",
        "entities without their canonical alias": "SELECT count(*) FROM entities e WHERE NOT "
        "EXISTS (SELECT 1 FROM aliases a WHERE a.entity_id = e.id AND a.name = e.canonical)",
        "repeated aliases": "SELECT count(*) FROM (SELECT entity_id, name_digest FROM aliases "
        "GROUP BY entity_id, name_digest HAVING count(*) > 1) d",
        "confirmations without their alias": "SELECT count(*) FROM judgements j "
        "LEFT JOIN aliases a ON a.id = j.alias_id WHERE j.verdict = 'confirmed' "
        "AND (a.id IS NULL OR a.entity_id <> j.entity_id OR a.name <> j.name)",
    }
    engine = sa.create_engine(url)
    problems = []
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
                if integrity != ["ok"]:
                    problems.append(f"integrity_check: {integrity[:5]}")
                if conn.exec_driver_sql("PRAGMA foreign_key_check").all():
                    problems.append("foreign_key_check reports rows")
            for what, sql in checks.items():
                if (n := conn.exec_driver_sql(sql).scalar_one()) != 0:
                    problems.append(f"{n} {what}")
    finally:
        engine.dispose()
    return problems


def _index_serves_the_store(server: Server, url: str, sample: int = 60) -> None:
    """The index the restarted service built holds the stored aliases: each sampled alias
    resolves to its own entity."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT entity_id, name FROM aliases ORDER BY id")).all()
    engine.dispose()
    picked = rows[:: max(1, len(rows) // sample)]
    r = httpx.post(f"{server.url}/v1/resolve", json={"names": [n for _, n in picked], "top_k": 1})
    assert r.status_code == 200
    for (entity_id, name), result in zip(picked, r.json()["results"], strict=True):
        assert result["candidates"][0]["entity_id"] == entity_id, name


def _word(n: int) -> str:
    """A made-up word per number, in letters whose sounds the matcher keeps apart."""
    syllables = ["ba", "do", "fi", "hu", "le", "mo", "ni", "ra", "su", "we"]
    return "".join(syllables[int(d)] for d in str(n)).capitalize()


def _importer(url: str) -> Callable[[httpx.Client, int], httpx.Response]:
    def send(client: httpx.Client, batch: int) -> httpx.Response:
        records = [
            {
                "id": f"crash-{batch:03d}-{i:05d}",
                "canonical": f"{_word(batch * BATCH + i)} Crashtest",
                "kind": "person",
                "aliases": [
                    f"{_word(batch * BATCH + i)} Krashtest",
                    f"{_word(batch * BATCH + i)}",
                ],
            }
            for i in range(BATCH)
        ]
        return client.post(f"{url}/v1/entities/import", json=records, headers=AUTH)

    return send


@pytest.mark.slow
def test_kill_during_bulk_import(database, tmp_path, record_property):
    with running_server(tmp_path, _settings(database)) as server:
        send = _importer(server.url)
        stream = _run_and_kill(server, send, [range(1_000)], min_acks=3, fraction=0.5)
    acked = {batch for batch, _ in stream.acked}
    (cut_off,) = stream.lost
    record_property("imports_acknowledged", len(acked))
    with running_server(tmp_path, _settings(database)) as server:
        with httpx.Client(base_url=server.url) as client:
            for batch in [*sorted(acked)[:: max(1, len(acked) // 5)], max(acked)]:
                for i in (0, BATCH - 1):
                    r = client.get(f"/v1/entities/crash-{batch:03d}-{i:05d}")
                    assert r.status_code == 200, (batch, i)
                    assert r.json()["alias_count"] == 3
            name = f"{_word(max(acked) * BATCH + 7)} Krashtest"
            r = client.post("/v1/resolve", json={"names": [name]})
            assert r.json()["results"][0]["decision"] == "matched"
        _index_serves_the_store(server, database)
        log = server.log.read_text()
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id FROM entities")).scalars().all()
    engine.dispose()
    per_batch: dict[int, int] = {}
    for entity_id in rows:
        batch = int(entity_id.split("-")[1])
        per_batch[batch] = per_batch.get(batch, 0) + 1
    # Every acknowledged import is there in full; the one cut off in full or not at all.
    assert {b: per_batch.get(b) for b in acked} == dict.fromkeys(acked, BATCH)
    assert per_batch.get(cut_off, 0) in (0, BATCH)
    record_property("import_cut_off_stored", per_batch.get(cut_off, 0))
    assert set(per_batch) <= acked | {cut_off}
    assert _store_problems(database) == []
    assert KEY not in log


def _judgements(thread: int, entities: int) -> Iterator[dict]:
    # Each entity gets a confirmed name and a rejected near-identical one: without the
    # rejection, resolve would propose the entity for the rejected name.
    for n in range(100_000):
        yield {
            "name": f"{_word(thread * 100_000 + n)} Crashvariant",
            "entity_id": f"judged-{n // 2 % entities:03d}",
            "verdict": "rejected" if n % 2 else "confirmed",
            "author": f"reviewer-{thread}",
        }


def _judge(url: str) -> Callable[[httpx.Client, dict], httpx.Response]:
    def send(client: httpx.Client, payload: dict) -> httpx.Response:
        return client.post(f"{url}/v1/judgements", json=payload, headers=AUTH)

    return send


@pytest.mark.slow
def test_kill_during_a_stream_of_judgements(database, tmp_path, record_property):
    entities = 20
    with running_server(tmp_path, _settings(database)) as server:
        records = [
            {"id": f"judged-{i:03d}", "canonical": f"Judged Person {i}"} for i in range(entities)
        ]
        r = httpx.post(f"{server.url}/v1/entities/import", json=records, headers=AUTH)
        assert r.status_code == 200
        streams = [_judgements(t, entities) for t in range(4)]
        stream = _run_and_kill(server, _judge(server.url), streams, min_acks=40, fraction=0.0)
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        stored = {
            row.id: row
            for row in conn.execute(
                sa.text("SELECT id, name, entity_id, verdict, author, alias_id FROM judgements")
            )
        }
    engine.dispose()
    # Every acknowledged judgement is stored as it was answered.
    for payload, answer in stream.acked:
        row = stored[answer["id"]]
        assert (row.name, row.entity_id, row.verdict, row.author) == (
            payload["name"],
            payload["entity_id"],
            payload["verdict"],
            payload["author"],
        )
        assert row.alias_id == answer["alias_id"]
    # Anything else stored is one of the requests cut off by the kill.
    unacknowledged = set(stored) - {answer["id"] for _, answer in stream.acked}
    assert len(unacknowledged) <= len(stream.lost)
    record_property("judgements_acknowledged", len(stream.acked))
    record_property("judgements_cut_off", len(stream.lost))
    record_property("judgements_cut_off_stored", len(unacknowledged))
    lost_names = {p["name"] for p in stream.lost}
    assert {stored[i].name for i in unacknowledged} <= lost_names
    assert _store_problems(database) == []
    with running_server(tmp_path, _settings(database)) as server:
        _index_serves_the_store(server, database)
        confirmed = [p for p, _ in stream.acked if p["verdict"] == "confirmed"][-3:]
        rejected = [p for p, _ in stream.acked if p["verdict"] == "rejected"][-3:]
        names = [p["name"] for p in confirmed + rejected]
        r = httpx.post(f"{server.url}/v1/resolve", json={"names": names, "top_k": 50})
        results = r.json()["results"]
        for payload, result in zip(confirmed + rejected, results, strict=True):
            proposed = {c["entity_id"] for c in result["candidates"]}
            if payload["verdict"] == "confirmed":  # now an alias of its entity
                assert result["candidates"][0]["entity_id"] == payload["entity_id"]
            else:  # never proposed for its entity again, also after the restart
                assert payload["entity_id"] not in proposed
        assert KEY not in server.log.read_text()
