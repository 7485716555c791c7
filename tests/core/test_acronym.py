import pytest

from app.core.acronym import acronym_keys, as_acronym, expands_to
from app.core.blocking import blocking_keys
from app.core.normalize import normalize_name


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("IRGC", "Islamic Revolutionary Guard Corps"),
        ("UWSA", "United Wa State Army"),
        ("AIAI", "Al-Itihaad al-Islamiya"),
        ("I.O.P.T.C.", "Iranian Oil Pipelines and Telecommunication Co."),
        ("IMIDRO", "Iran Mining Industries Development and Renovation Organization"),
        ("CJNG", "Cartel de Jalisco Nueva Generacion"),
        # a designator may give no letter
        ("CEIEC", "China National Electronics Import and Export Corporation"),
        ("GBAE", "General Bureau of Atomic Energy"),
    ],
)
def test_acronym_expands_to_its_name(short, long):
    acronym = as_acronym(normalize_name(short))
    assert acronym is not None
    assert expands_to(acronym, normalize_name(long))
    assert blocking_keys(normalize_name(short)) & blocking_keys(normalize_name(long))


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("Ali", "Abu Li Ibrahim"),  # a mixed-case word is a name, not an acronym
        ("IRGC", "Islamic Guard Corps"),  # a letter too many
        ("UN", "United Nations"),  # two words are too few to tell
        ("Trump", "Donald Trump"),
        ("NB", "National Bank of Egypt"),  # every word that names, not designates, gives one
    ],
)
def test_names_that_are_not_acronyms_of_each_other(short, long):
    acronym = as_acronym(normalize_name(short))
    assert acronym is None or not expands_to(acronym, normalize_name(long))


def test_acronym_keys_are_empty_for_ordinary_short_names():
    assert acronym_keys(normalize_name("Donald Trump")) == frozenset()
    assert acronym_keys(normalize_name("IRGC")) == frozenset({"A:irgc"})
