import pytest

from app.core.phonetic import consonant_key, skeleton, variant_classes

CLASSES = variant_classes()


def test_table_documents_each_class():
    names = [c.name for c in CLASSES]
    for expected in (
        "v/w/u",
        "q/k/g/gh/c",
        "kh/h",
        "j/dj/zh/y",
        "sh/sch/ch",
        "ts/tz/c/z/s",
        "ph/f",
        "dh/th/d",
        "ou/u/oo",
        "ei/ey/ai/ay/i/y",
        "doubled letters",
        "vowel smear",
    ):
        assert expected in names
    assert all(c.why and c.same and c.rules for c in CLASSES)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.name)
def test_each_class_unites_its_spellings(cls):
    for a, b in cls.same:
        assert skeleton(a) == skeleton(b), (cls.name, a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ravanchi", "rwanchi"),
        ("ruanchi", "rawanchi"),
        ("gaddafi", "qadhafi"),
        ("kadhafi", "gadhafi"),
        ("zelensky", "selenskyj"),
        ("araqchi", "araghchi"),
    ],
)
def test_known_variants_share_skeleton(a, b):
    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize(
    ("a", "b"), [("trump", "netanyahu"), ("khan", "khamenei"), ("maksim", "artem")]
)
def test_different_names_keep_different_skeletons(a, b):
    assert skeleton(a) != skeleton(b)


def test_consonant_key_ignores_vowels_and_epenthesis():
    # Latin "stanford" and the Korean romanization "seutaenpeodeu" meet on consonants.
    assert consonant_key("stanford") == consonant_key("seutaenpeodeu")
    assert consonant_key("gaddafi") == consonant_key("qdhafi", abjad=True)


def test_digits_are_their_own_key():
    assert skeleton("1984") == "1984"
    assert consonant_key("2") == "2"
