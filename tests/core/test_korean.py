import pytest

from app.core.korean import korean_spelling
from app.core.normalize import normalize_name


def _words(name: str) -> tuple[str, ...]:
    return tuple(t.latin for t in normalize_name(name).tokens)


@pytest.mark.parametrize(
    ("mccune_reischauer", "revised"),
    [
        ("CHANG, Myong-Chin", "JANG, Myong-Jin"),  # ch / j
        ("PAK, Kwang Hun", "BAK, Gwang Hun"),  # p / b, k / g
        ("PAK, To'-Ch'un", "PAK, Do Chun"),  # t / d, and the apostrophe of aspiration
        ("KIM, Cho'ng-sik", "KIM, Jeong-sik"),  # o' / eo
        ("KU, Sung Sop", "KU, Seung Seop"),  # u / eu
        ("PAK, Il-Kyu", "PARK, Il-Gyu"),  # "Park", the common spelling of Pak
        ("RI, Pyong Chol", "LEE, Byeong Cheol"),  # r / l, yo / yeo
        ("CHOE, Ryong Hae", "CHOI, Ryong Hae"),  # oe / oi
        ("Kim Chŏng-ŭn", "Kim Jeong-eun"),  # the breves of ŏ and ŭ
        ("Kim Jongun", "Kim Jong-un"),  # a given name written as one word parses too
    ],
)
def test_both_romanizations_have_one_spelling(mccune_reischauer, revised):
    spelled = korean_spelling(_words(mccune_reischauer))
    other = korean_spelling(_words(revised))
    assert spelled is not None
    assert other is not None
    assert "".join(spelled) == "".join(other)


@pytest.mark.parametrize(
    "name",
    [
        "Dan Smith",  # not every word is Korean syllables
        "Bob Lee",  # two syllables: English as much as Korean
        "Kiryat Yam",  # "t" ends no syllable of a Korean name
        "Narjan Mar",
        "Mogi Mirim",  # four syllables
    ],
)
def test_other_names_are_not_read_as_korean(name):
    assert korean_spelling(_words(name)) is None
    assert normalize_name(name).korean is None


def test_a_korean_reading_keeps_each_word_as_written():
    form = normalize_name("JANG, Myong-Jin")
    assert form.korean is not None
    assert [t.text for t in form.korean.tokens] == [t.text for t in form.tokens]
    assert [t.latin for t in form.korean.tokens] == ["myong", "chin", "chang"]
    # The form itself, its display and its blocking keys keep the spelling as written.
    assert [t.latin for t in form.tokens] == ["myong", "jin", "jang"]


def test_names_with_particles_or_other_scripts_have_no_korean_reading():
    assert normalize_name("An Jong Su").korean is None  # "an" is the Arabic article too
    assert normalize_name("김정은").korean is None
