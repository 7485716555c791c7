"""No data loss: arbitrary Unicode names go into the store and come back unchanged."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store.base import AliasDraft, AliasQuery, EntityDraft

# Everything st.text() draws, except what the store refuses on purpose: blank names and NUL.
names = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() and "\x00" not in s)


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(canonical=names, aliases=st.lists(names, max_size=4, unique=True))
def test_names_round_trip(store, canonical, aliases):
    draft = EntityDraft(canonical=canonical, aliases=tuple(AliasDraft(a) for a in aliases))
    created = store.create_entity(draft)
    got = store.get_entity(created.id)
    assert got.canonical == canonical
    stored = [a.name for a in store.list_aliases(created.id, AliasQuery(limit=10)).data]
    expected = ([] if canonical in aliases else [canonical]) + aliases
    assert stored == expected
    exported = next(e for e in store.export_entities() if e.id == created.id)
    assert [a.name for a in exported.aliases] == expected
    store.delete_entity(created.id)
