"""Two processes on one registry: writes through one reach the other's index by the change log,
on SQLite and PostgreSQL. Each ``Registry`` here stands for one process (its own store
connection pool and index)."""

import dataclasses
import random
import time

import pytest

from app.api.registry import Registry, build_index
from app.api.sync import ChangePoller
from app.core.index import judgement_key
from app.core.matcher import Matcher
from app.errors import ConflictError
from app.store import changes as change_log
from app.store.base import AliasDraft, AliasQuery, EntityPatch, JudgementDraft, PastJudgement
from tests.factory import draft, gaddafi


@pytest.fixture(scope="module")
def matcher():
    return Matcher()


@pytest.fixture
def pair(make_store, matcher):
    """Two registries over one database, opened on an empty store."""
    return Registry.open(make_store.open(), matcher), Registry.open(make_store.open(), matcher)


def content(index):
    """What an index proposes: entities with their live alias names, and rejections."""
    ents = index._entities
    names = {}
    for position, owner in enumerate(index._owner):
        if owner >= 0:
            names.setdefault(ents.ids[owner], set()).add(index._names[position])
    entities = {
        entity_id: (ents.canonical[n], ents.kind[n], frozenset(names.get(entity_id, ())))
        for entity_id, n in ents.number.items()
    }
    return entities, set(index._rejected), len(index)


def fresh(registry):
    return build_index(registry.store)


def best(registry, name):
    [resolution] = registry.resolve([name], top_k=1, explain=False)
    return resolution.candidates[0].entity_id if resolution.candidates else None


def test_a_write_on_one_reaches_the_other_at_its_next_sync(pair):
    a, b = pair
    a.create_entity(gaddafi())
    assert b.index.entity("ent_gaddafi") is None
    assert b.sync() == 1
    assert b.version == a.version == 1
    assert best(b, "Qaddafi") == "ent_gaddafi"
    a.add_alias("ent_gaddafi", AliasDraft("Kadhafi"))
    a.update_entity("ent_gaddafi", EntityPatch(canonical="Muammar al-Qaddafi", kind="person"))
    assert b.sync() == 2
    assert b.index.entity("ent_gaddafi") == ("Muammar al-Qaddafi", "person")
    assert content(b.index) == content(a.index) == content(fresh(a))
    assert b.sync() == 0


def test_deletes_and_judgements_reach_the_other(pair):
    a, b = pair
    a.create_entity(gaddafi())
    alias = a.add_alias("ent_gaddafi", AliasDraft("Kadhafi"))
    b.sync()
    a.delete_alias("ent_gaddafi", alias.id)
    a.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "rejected"))
    b.sync()
    assert "Kadhafi" not in content(b.index)[0]["ent_gaddafi"][2]
    assert b.index.is_rejected(judgement_key("Ghadafi"), "ent_gaddafi")
    a.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "confirmed"))
    b.sync()
    assert not b.index.is_rejected(judgement_key("Ghadafi"), "ent_gaddafi")
    a.delete_entity("ent_gaddafi")
    b.sync()
    assert b.index.entity("ent_gaddafi") is None
    assert best(b, "Qaddafi") is None
    assert content(b.index) == content(fresh(a))


def test_an_id_deleted_and_created_again_between_two_syncs(pair):
    a, b = pair
    a.create_entity(gaddafi())
    b.sync()
    a.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "rejected"))
    a.delete_entity("ent_gaddafi")
    a.create_entity(draft("Kyiv", "place", id="ent_gaddafi", aliases=["Киев"]))
    b.sync()
    assert content(b.index) == content(fresh(a))
    assert content(b.index)[0]["ent_gaddafi"] == ("Kyiv", "place", frozenset({"Kyiv", "Киев"}))
    assert content(b.index)[1] == set()


def test_imports_reach_the_other(pair):
    a, b = pair
    a.create_entity(gaddafi())
    b.sync()
    extra = draft("Muammar Gaddafi", id="ent_gaddafi", aliases=["Kadhafi"])
    kyiv = draft("Kyiv", "place", id="ent_kyiv", aliases=["Kiev"])
    a.import_entities([extra, kyiv], on_conflict="merge")
    a.import_entities([kyiv], on_conflict="skip")  # changes nothing, still one change
    assert b.sync() == 2
    assert content(b.index) == content(fresh(a))
    assert best(b, "Kiev") == "ent_kyiv"


def test_judgements_of_an_import_reach_the_other(pair):
    a, b = pair
    a.create_entity(gaddafi())
    b.sync()
    assert best(b, "Ghadafi") == "ent_gaddafi"
    exported = dataclasses.replace(
        gaddafi(),
        judgements=(
            PastJudgement("Kadhafi", "rejected", "ana"),
            PastJudgement("Ghadafi", "rejected", "ana"),
            PastJudgement("Kadhafi", "confirmed", "bo"),  # the latest verdict on Kadhafi
        ),
    )
    a.import_entities([exported], on_conflict="merge")
    a.add_judgement(JudgementDraft("Gadafi", "ent_gaddafi", "rejected"))
    assert b.sync() == 2
    assert content(b.index) == content(a.index) == content(fresh(a))
    assert b.index.is_rejected(judgement_key("Ghadafi"), "ent_gaddafi")
    assert not b.index.is_rejected(judgement_key("Kadhafi"), "ent_gaddafi")
    assert best(b, "Ghadafi") is None


def test_a_process_too_far_behind_rebuilds(pair, monkeypatch):
    a, b = pair
    monkeypatch.setattr(change_log, "KEEP_CHANGES", 2)
    monkeypatch.setattr(change_log, "_PRUNE_EVERY", 1)
    a.create_entity(gaddafi())
    for name in ("Kadhafi", "Gadhafi", "Qadhafi"):
        a.add_alias("ent_gaddafi", AliasDraft(name))
    assert b.sync() == 4  # the version it rebuilt at
    assert b.version == 4
    assert content(b.index) == content(fresh(a))


def test_random_writes_leave_both_indexes_equal_to_a_rebuild(pair):
    a, b = pair
    rng = random.Random(7)
    names = ["Gaddafi", "Qaddafi", "Kadhafi", "القذافي", "Kyiv", "Kiev", "Киев", "Zelensky"]
    ids = ["e1", "e2", "e3"]
    for step in range(60):
        writer = a if rng.random() < 0.7 else b
        entity_id = rng.choice(ids)
        exists = entity_id in {e for e, _, _ in writer.store.iter_entities()}
        op = rng.randrange(6)
        try:
            if not exists:
                writer.create_entity(draft(rng.choice(names), id=entity_id))
            elif op == 0:
                writer.add_alias(entity_id, AliasDraft(f"{rng.choice(names)} {step % 3}"))
            elif op == 1:
                alias = rng.choice(writer.store.list_aliases(entity_id, AliasQuery()).data)
                writer.delete_alias(entity_id, alias.id)
            elif op == 2:
                writer.update_entity(entity_id, EntityPatch(canonical=rng.choice(names)))
            elif op == 3:
                verdict = rng.choice(["rejected", "confirmed"])
                writer.add_judgement(JudgementDraft(rng.choice(names), entity_id, verdict))
            elif op == 4:
                writer.delete_entity(entity_id)
            else:
                verdicts = tuple(
                    PastJudgement(rng.choice(names), rng.choice(["rejected", "confirmed"]))
                    for _ in range(rng.randrange(3))
                )
                imported = draft(rng.choice(names), id=entity_id, aliases=[rng.choice(names)])
                writer.import_entities(
                    [dataclasses.replace(imported, judgements=verdicts)], on_conflict="merge"
                )
        except ConflictError:  # a duplicate alias, the canonical name's alias: part of the game
            pass
        if rng.random() < 0.3:
            (a if writer is b else b).sync()
    a.sync()
    b.sync()
    assert content(a.index) == content(b.index) == content(fresh(a))


def test_the_poller_syncs_until_stopped(pair):
    a, b = pair
    calls = []

    def sync():
        calls.append(1)
        if len(calls) == 2:
            msg = "database unreachable"
            raise OSError(msg)
        return b.sync()

    poller = ChangePoller(sync, interval_seconds=0.01)
    a.create_entity(gaddafi())
    poller.start()
    deadline = 200
    while (len(calls) < 4 or b.version < 1) and deadline:
        deadline -= 1
        time.sleep(0.01)
    poller.stop()
    assert b.version == 1
    assert poller.failures == 1
    assert poller.last_success is not None
    stopped_at = len(calls)
    time.sleep(0.05)
    assert len(calls) == stopped_at
