"""SqlStore on SQLite and PostgreSQL: the same tests on both engines."""

import dataclasses

import pytest

from app.errors import ConflictError, EntityNotFoundError, InputFormatError, InvalidNameError
from app.store.base import (
    AliasDraft,
    AliasQuery,
    EntityPatch,
    EntityQuery,
    JudgementDraft,
    JudgementQuery,
    PastJudgement,
)
from tests.factory import draft, gaddafi


def test_create_and_get(store):
    created = store.create_entity(gaddafi())
    assert created.id == "ent_gaddafi"
    assert created.alias_count == 3  # the canonical name is an alias too
    got = store.get_entity("ent_gaddafi")
    assert got == created
    assert got.attributes == {"born": 1942}
    assert got.country == "LY"
    assert got.wikidata_id == "Q19878"
    assert got.created_at.tzinfo is not None


def test_generated_ids_are_distinct(store):
    a = store.create_entity(draft("Ali Khamenei", id=None))
    b = store.create_entity(draft("Ali Khamenei", id=None))
    assert a.id != b.id
    assert a.id.startswith("ent_")


def test_unknown_entity(store):
    with pytest.raises(EntityNotFoundError, match="no entity with id 'nope'"):
        store.get_entity("nope")
    with pytest.raises(EntityNotFoundError):
        store.add_alias("nope", AliasDraft("x"))
    with pytest.raises(EntityNotFoundError):
        store.delete_entity("nope")


def test_duplicate_id_is_a_conflict_and_stores_nothing(store):
    store.create_entity(gaddafi())
    with pytest.raises(ConflictError, match="exists already"):
        store.create_entity(draft("Someone Else", id="ent_gaddafi"))
    assert store.get_entity("ent_gaddafi").canonical == "Muammar Gaddafi"
    assert store.count_entities() == 1


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", "x\ud800"])
def test_bad_names_are_refused(store, bad):
    with pytest.raises(InvalidNameError):
        store.create_entity(draft(bad))
    store.create_entity(gaddafi())
    with pytest.raises(InvalidNameError):
        store.add_alias("ent_gaddafi", AliasDraft(bad))
    assert store.get_entity("ent_gaddafi").alias_count == 3


def test_bad_kind_and_id_are_refused(store):
    with pytest.raises(InputFormatError, match="kind 'planet'"):
        store.create_entity(draft("Mars", kind="planet"))
    with pytest.raises(InputFormatError, match="entity id"):
        store.create_entity(draft("Mars", id="has space"))
    assert store.count_entities() == 0


def test_aliases_crud_and_duplicates(store):
    store.create_entity(gaddafi())
    alias = store.add_alias("ent_gaddafi", AliasDraft("Kadhafi", "le_monde"))
    assert alias.script == "Latin"
    assert alias.source == "le_monde"
    with pytest.raises(ConflictError, match="has the alias 'Kadhafi' already"):
        store.add_alias("ent_gaddafi", AliasDraft("Kadhafi"))
    assert store.get_alias("ent_gaddafi", alias.id) == alias
    assert store.delete_alias("ent_gaddafi", alias.id) == alias
    with pytest.raises(EntityNotFoundError):
        store.get_alias("ent_gaddafi", alias.id)


def test_canonical_alias_cannot_be_deleted(store):
    store.create_entity(gaddafi())
    canonical = store.list_aliases("ent_gaddafi", AliasQuery(source="canonical")).data[0]
    with pytest.raises(ConflictError, match="canonical name"):
        store.delete_alias("ent_gaddafi", canonical.id)


def test_alias_listing_pages_and_filters(store):
    store.create_entity(gaddafi())
    page = store.list_aliases("ent_gaddafi", AliasQuery(offset=1, limit=1))
    assert page.count == 3
    assert [a.name for a in page.data] == ["Qaddafi"]
    arabic = store.list_aliases("ent_gaddafi", AliasQuery(script="Arabic"))
    assert [a.name for a in arabic.data] == ["القذافي"]
    assert arabic.count == 1
    assert store.list_aliases("ent_gaddafi", AliasQuery(source="press")).count == 2


def test_entity_listing_pages_and_filters(store):
    for name, kind, country in [
        ("Tehran", "place", "IR"),
        ("Isfahan", "place", "IR"),
        ("Kyiv", "place", "UA"),
        ("Ali Khamenei", "person", "IR"),
    ]:
        store.create_entity(draft(name, kind, country=country))
    everything = store.list_entities(EntityQuery())
    assert everything.count == 4
    assert [e.canonical for e in everything.data] == ["Ali Khamenei", "Isfahan", "Kyiv", "Tehran"]
    page = store.list_entities(EntityQuery(offset=1, limit=2))
    assert [e.canonical for e in page.data] == ["Isfahan", "Kyiv"]
    assert page.count == 4
    places_ir = store.list_entities(EntityQuery(kind="place", country="IR"))
    assert [e.canonical for e in places_ir.data] == ["Isfahan", "Tehran"]
    assert places_ir.count == 2
    assert [e.canonical for e in store.list_entities(EntityQuery(q="HRA")).data] == ["Tehran"]
    assert store.list_entities(EntityQuery(q="%")).count == 0


def test_update_adds_the_new_canonical_as_alias(store):
    store.create_entity(gaddafi())
    updated = store.update_entity(
        "ent_gaddafi", EntityPatch(canonical="Muammar al-Qaddafi", attributes={"born": 1942})
    )
    assert updated.canonical == "Muammar al-Qaddafi"
    assert updated.alias_count == 4
    assert updated.updated_at >= updated.created_at
    assert updated.kind == "person"


def test_delete_removes_aliases_and_judgements(store):
    store.create_entity(gaddafi())
    store.add_judgement(JudgementDraft("Ghaddafi", "ent_gaddafi", "rejected"))
    deleted = store.delete_entity("ent_gaddafi")
    assert deleted.id == "ent_gaddafi"
    assert store.count_entities() == 0
    assert list(store.iter_aliases()) == []
    assert list(store.iter_rejections()) == []


def test_confirmed_judgement_becomes_an_alias(store):
    store.create_entity(gaddafi())
    j = store.add_judgement(JudgementDraft("Gadhafi", "ent_gaddafi", "confirmed", "analyst-7"))
    assert j.alias_id is not None
    assert j.author == "analyst-7"
    names = [a.name for a in store.list_aliases("ent_gaddafi", AliasQuery()).data]
    assert "Gadhafi" in names
    again = store.add_judgement(JudgementDraft("Gadhafi", "ent_gaddafi", "confirmed"))
    assert again.alias_id == j.alias_id
    assert store.get_entity("ent_gaddafi").alias_count == 4


def test_latest_judgement_wins(store):
    store.create_entity(gaddafi())
    store.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "rejected"))
    assert list(store.iter_rejections()) == [("Ghadafi", "ent_gaddafi")]
    store.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "confirmed"))
    assert list(store.iter_rejections()) == []
    page = store.list_judgements(JudgementQuery(entity_id="ent_gaddafi"))
    assert page.count == 2
    assert [j.verdict for j in page.data] == ["confirmed", "rejected"]  # newest first
    assert store.list_judgements(JudgementQuery(verdict="rejected")).count == 1


def test_bad_verdict_is_refused(store):
    store.create_entity(gaddafi())
    with pytest.raises(InputFormatError, match="verdict 'maybe'"):
        store.add_judgement(JudgementDraft("x", "ent_gaddafi", "maybe"))


def test_rejection_survives_a_restart(make_store):
    first = make_store.open()
    first.create_entity(gaddafi())
    first.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "rejected"))
    first.close()
    again = make_store.open()
    assert list(again.iter_rejections()) == [("Ghadafi", "ent_gaddafi")]
    assert again.get_entity("ent_gaddafi").alias_count == 3


def test_import_modes(store):
    store.create_entity(gaddafi())
    more = [gaddafi(), draft("Kyiv", "place", id="ent_kyiv", aliases=["Киев", "Kiev"])]
    with pytest.raises(ConflictError, match=r"entities\[0\]: an entity with id 'ent_gaddafi'"):
        store.import_entities(more)
    assert store.count_entities() == 1  # nothing of the failed import was kept
    skipped = store.import_entities(more, on_conflict="skip")
    assert (skipped.created, skipped.skipped, skipped.aliases_added) == (1, 1, 3)
    extra = draft("Muammar Gaddafi", id="ent_gaddafi", aliases=["Kadhafi"])
    merged = store.import_entities([extra], on_conflict="merge")
    assert (merged.created, merged.merged, merged.aliases_added) == (0, 1, 1)
    assert store.get_entity("ent_gaddafi").alias_count == 4


def test_import_refuses_repeated_ids(store):
    with pytest.raises(ConflictError, match="appears twice"):
        store.import_entities([draft("A", id="x1"), draft("B", id="x1")])
    assert store.count_entities() == 0


def test_export_wipe_import_keeps_ids(make_store):
    first = make_store.open()
    first.create_entity(gaddafi())
    first.create_entity(draft("Kyiv", "place", id=None, aliases=["Киев", "Kiev", "Київ"]))
    first.create_entity(draft("Tehran", "place", id=None, aliases=["تهران"]))
    exported = list(first.export_entities())
    for e in exported:
        first.delete_entity(e.id)
    assert first.count_entities() == 0
    summary = first.import_entities(exported)
    assert summary.created == 3
    assert list(first.export_entities()) == exported
    assert sorted(summary.ids) == sorted(e.id for e in exported)


def test_meta(store):
    assert store.get_meta("seeds") is None
    store.set_meta("seeds", "abc")
    store.set_meta("seeds", "def")
    assert store.get_meta("seeds") == "def"


def test_text_postgres_cannot_hold_is_refused_on_every_engine(store):
    store.create_entity(gaddafi())
    with pytest.raises(EntityNotFoundError):
        store.get_entity("ent_\x00gaddafi")
    with pytest.raises(InputFormatError, match="NaN"):
        store.create_entity(draft("Kyiv", attributes={"population": float("nan")}))
    with pytest.raises(InvalidNameError, match="q contains a NUL"):
        store.list_entities(EntityQuery(q="a\x00"))
    with pytest.raises(InvalidNameError, match="source contains a NUL"):
        store.add_alias("ent_gaddafi", AliasDraft("Kadhafi", source="x\x00"))
    with pytest.raises(InvalidNameError, match="entity_id contains"):
        store.list_judgements(JudgementQuery(entity_id="\x00"))
    assert store.count_entities() == 1
    assert store.get_entity("ent_gaddafi").alias_count == 3


def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"attributes": {"note": "a\x00b"}}, "attributes contains a NUL"),
        ({"attributes": {"a\x00": 1}}, "attributes contains a NUL"),
        ({"attributes": {"note": ["x\ud800"]}}, "unpaired surrogate"),
        ({"attributes": {"deep": _nested(40)}}, "deeper than 32"),
        ({"country": "x" * 65}, "country has 65 characters, more than the limit of 64"),
        ({"wikidata_id": "Q" + "1" * 32}, "wikidata_id has 33 characters"),
        ({"id": ""}, "entity id '' must be"),
    ],
)
def test_values_a_column_cannot_hold_are_refused_on_every_engine(store, fields, message):
    # PostgreSQL refuses them with a driver error (a 500 at the edge); SQLite would keep them.
    with pytest.raises(InputFormatError, match=message):
        store.create_entity(draft("Kyiv", **fields))
    with pytest.raises(InputFormatError, match=message):
        store.import_entities([draft("Tehran"), draft("Kyiv", **fields)])
    assert store.count_entities() == 0


def test_long_alias_source_is_refused_not_cut(store):
    store.create_entity(gaddafi())
    with pytest.raises(InputFormatError, match="source has 65 characters"):
        store.add_alias("ent_gaddafi", AliasDraft("Kadhafi", source="s" * 65))
    assert store.get_entity("ent_gaddafi").alias_count == 3


def _verdicts(store, entity_id):
    """(name, verdict, author, created_at, alias name) of an entity's judgements, oldest first."""
    page = store.list_judgements(JudgementQuery(entity_id=entity_id))
    names = {a.id: a.name for a in store.list_aliases(entity_id, AliasQuery(limit=100)).data}
    return [
        (j.name, j.verdict, j.author, j.created_at, names.get(j.alias_id) if j.alias_id else None)
        for j in sorted(page.data, key=lambda j: j.id)
    ]


def test_export_wipe_import_keeps_judgements(store):
    store.create_entity(gaddafi())
    store.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "rejected", "ana"))
    store.add_judgement(JudgementDraft("Gadhafi", "ent_gaddafi", "confirmed", "bo"))
    store.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "confirmed", "cy"))
    store.add_judgement(JudgementDraft("Ghadafi", "ent_gaddafi", "rejected", "ana"))
    before = _verdicts(store, "ent_gaddafi")
    [exported] = store.export_entities()
    assert [(j.name, j.verdict) for j in exported.judgements] == [
        ("Ghadafi", "rejected"),
        ("Gadhafi", "confirmed"),
        ("Ghadafi", "confirmed"),
        ("Ghadafi", "rejected"),
    ]
    store.delete_entity("ent_gaddafi")  # the wipe
    wiped = store
    assert list(wiped.iter_rejections()) == []
    wiped.import_entities([exported])
    assert _verdicts(wiped, "ent_gaddafi") == before
    assert before[1][4] == "Gadhafi"  # the confirmation points at its alias, here and there
    assert list(wiped.iter_rejections()) == [("Ghadafi", "ent_gaddafi")]
    # The same export merged again adds no judgement twice.
    wiped.import_entities([exported], on_conflict="merge")
    assert _verdicts(wiped, "ent_gaddafi") == before
    assert list(wiped.export_entities()) == [exported]


def test_imported_confirmation_adds_its_alias_and_bad_verdicts_store_nothing(store):
    base = gaddafi()
    confirmed = dataclasses.replace(base, judgements=(PastJudgement("Kadhafi", "confirmed"),))
    store.import_entities([confirmed])
    assert "Kadhafi" in {a.name for a in store.list_aliases("ent_gaddafi", AliasQuery()).data}
    bad = dataclasses.replace(base, id="ent_other", judgements=(PastJudgement("X", "maybe"),))
    with pytest.raises(InputFormatError, match=r"entities\[0\]\.judgements\[0\]\.verdict"):
        store.import_entities([bad])
    blank = dataclasses.replace(base, id="ent_other", judgements=(PastJudgement(" ", "rejected"),))
    with pytest.raises(InvalidNameError, match=r"judgements\[0\]\.name is blank"):
        store.import_entities([blank])
    assert [e.id for e in store.export_entities()] == ["ent_gaddafi"]
