"""The change log on SQLite and PostgreSQL: one numbered change per committed write, no gaps,
snapshots that see one moment, alias ids never reused."""

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from app.errors import ConflictError
from app.store import changes as change_log
from app.store.base import AliasDraft, Change, EntityPatch, JudgementDraft
from tests.factory import draft, gaddafi

MIGRATIONS = Path(__file__).parents[2] / "app" / "store" / "migrations"


def _log(store, after=0):
    with store.snapshot() as snap:
        return snap.version(), snap.changes_after(after)


def test_every_write_appends_one_change(store):
    store.create_entity(gaddafi())
    alias = store.add_alias("ent_gaddafi", AliasDraft("Kadhafi"))
    store.update_entity("ent_gaddafi", EntityPatch(canonical="Muammar al-Qaddafi"))
    judgement = store.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "rejected"))
    store.delete_alias("ent_gaddafi", alias.id)
    store.import_entities([draft("Kyiv", "place", id="ent_kyiv")])
    store.delete_entity("ent_kyiv")
    version, log = _log(store)
    assert version == 7
    assert log == [
        Change(1, "entity", "ent_gaddafi"),
        Change(2, "alias", "ent_gaddafi", alias.id),
        Change(3, "entity", "ent_gaddafi"),
        Change(4, "judgement", "ent_gaddafi", judgement.id),
        Change(5, "alias_deleted", "ent_gaddafi", alias.id),
        Change(6, "import"),
        Change(7, "entity_deleted", "ent_kyiv"),
    ]
    assert _log(store, after=5)[1] == log[5:]


def test_a_refused_write_takes_no_number(store):
    store.create_entity(gaddafi())
    with pytest.raises(ConflictError):
        store.create_entity(gaddafi())
    with pytest.raises(ConflictError):
        store.add_alias("ent_gaddafi", AliasDraft("Qaddafi"))
    with pytest.raises(ConflictError):
        store.import_entities([gaddafi()])
    store.add_alias("ent_gaddafi", AliasDraft("Kadhafi"))
    version, log = _log(store)
    assert version == 2
    assert [c.seq for c in log] == [1, 2]


def test_reads_and_meta_take_no_number(store):
    store.create_entity(gaddafi())
    store.get_entity("ent_gaddafi")
    store.set_meta("seeds_digest", "x")
    assert _log(store)[0] == 1


def test_alias_ids_are_never_reused(store):
    store.create_entity(gaddafi())
    newest = store.add_alias("ent_gaddafi", AliasDraft("Kadhafi"))
    store.delete_alias("ent_gaddafi", newest.id)
    again = store.add_alias("ent_gaddafi", AliasDraft("Gadhafi"))
    assert again.id > newest.id


def test_a_snapshot_sees_one_moment(make_store):
    reader, writer = make_store.open(), make_store.open()
    writer.create_entity(gaddafi())
    with reader.snapshot() as snap:
        assert snap.version() == 1
        writer.add_alias("ent_gaddafi", AliasDraft("Kadhafi"))
        writer.create_entity(draft("Kyiv", "place", id="ent_kyiv"))
        assert snap.version() == 1
        assert len(snap.changes_after(0)) == 1
        assert [n for _, _, n in snap.aliases()] == ["Muammar Gaddafi", "Qaddafi", "القذافي"]
        assert [e for e, _, _ in snap.entities()] == ["ent_gaddafi"]
    with reader.snapshot() as snap:
        assert snap.version() == 3
        assert sorted(e for e, _, _ in snap.entities()) == ["ent_gaddafi", "ent_kyiv"]


def test_snapshot_reads(store):
    store.create_entity(gaddafi())
    store.create_entity(draft("Kyiv", "place", id="ent_kyiv", aliases=["Киев"]))
    j1 = store.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "rejected"))
    j2 = store.add_judgement(JudgementDraft("Kiew", "ent_kyiv", "confirmed"))
    with store.snapshot() as snap:
        assert list(snap.entities(["ent_kyiv", "nobody"])) == [("ent_kyiv", "Kyiv", "place")]
        rows = list(snap.aliases())
        assert snap.alias_entity_ids(rows[2][0]) == {"ent_kyiv"}
        assert snap.alias_entity_ids(rows[-1][0]) == set()
        assert [r[1:] for r in snap.judgements([j2.id, j1.id, 999])] == [
            ("Ghadafi", "ent_gaddafi", "rejected"),
            ("Kiew", "ent_kyiv", "confirmed"),
        ]
        assert list(snap.rejections()) == [("Ghadafi", "ent_gaddafi")]


def test_concurrent_writers_commit_in_number_order(make_store):
    stores = [make_store.open(), make_store.open()]
    stores[0].create_entity(gaddafi())

    def add(store, prefix):
        for i in range(15):
            store.add_alias("ent_gaddafi", AliasDraft(f"{prefix} Gaddafi {i}"))

    threads = [threading.Thread(target=add, args=(s, p)) for s, p in zip(stores, "AB", strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    version, log = _log(stores[0])
    assert version == 31
    assert [c.seq for c in log] == list(range(1, 32))
    alias_ids = [c.ref_id for c in log if c.kind == "alias"]
    assert alias_ids == sorted(alias_ids)  # aliases are numbered in commit order too


def test_old_changes_are_pruned(store, monkeypatch):
    monkeypatch.setattr(change_log, "KEEP_CHANGES", 3)
    monkeypatch.setattr(change_log, "_PRUNE_EVERY", 4)
    store.create_entity(gaddafi())
    for i in range(7):
        store.add_alias("ent_gaddafi", AliasDraft(f"Gaddafi {i}"))
    version, log = _log(store)
    assert version == 8
    assert [c.seq for c in log] == [6, 7, 8]  # pruned at 8: 1..5 dropped


def test_migrating_a_registry_of_the_first_revision(make_store):
    engine = sa.create_engine(make_store.url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            sa.text(
                "INSERT INTO entities VALUES ('ent_kyiv', 'Kyiv', 'place', NULL, NULL, '{}', "
                f"'{now}', '{now}')"
            )
        )
        for name in ("Kyiv", "Kiev", "Киев"):
            conn.execute(
                sa.text(
                    "INSERT INTO aliases (entity_id, name, name_digest, source, script, "
                    f"created_at) VALUES ('ent_kyiv', '{name}', '{name}', 'm', 'Latin', '{now}')"
                )
            )
    engine.dispose()
    store = make_store.open()  # upgrades to the head
    kept = list(store.iter_aliases())
    assert [n for _, _, n in kept] == ["Kyiv", "Kiev", "Киев"]
    newest = kept[-1][0]
    store.delete_alias("ent_kyiv", newest)
    assert store.add_alias("ent_kyiv", AliasDraft("Kiew")).id > newest
    assert [c.kind for c in _log(store)[1]] == ["alias_deleted", "alias"]


def test_processes_opening_a_new_registry_together_migrate_it_once(make_store):
    errors = []

    def open_store():
        try:
            make_store.open()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _log(make_store.opened[0])[0] == 0
