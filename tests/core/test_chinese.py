import pytest

from app.core.chinese import mandarin_spelling
from app.core.matcher import Matcher
from app.core.normalize import normalize_name


def _read(name: str) -> str | None:
    words = tuple(t.latin for t in normalize_name(name).tokens if not t.particle)
    spelled = mandarin_spelling(words, in_characters=False)
    return None if spelled is None else "".join(spelled)


@pytest.mark.parametrize(
    ("wade_giles", "pinyin"),
    [
        ("Teng Hsiao-p'ing", "Deng Xiaoping"),  # t / d, hs / x
        ("Mao Tse-tung", "Mao Zedong"),  # ts / z, -ung / -ong
        ("Chiang Ching-kuo", "Jiang Jingguo"),  # ch / j, k / g
        ("Chou En-lai", "Zhou Enlai"),  # ch / zh
        ("Sun Shih-mei", "Sun Shimei"),  # -ih / -i after sh
        ("Ssu-ma Ch'ien", "Sima Qian"),  # ssu / si, ch' / q, -ien / -ian
        ("Liu Hsieh", "Liu Xie"),  # -ieh / -ie
    ],
)
def test_both_romanizations_have_one_spelling(wade_giles, pinyin):
    assert _read(wade_giles) is not None
    assert _read(wade_giles) == _read(pinyin)


@pytest.mark.parametrize(
    "name",
    [
        "Kulin",  # one Latin word: c, q, j are as often not pinyin's
        "Ali Jafari",  # parses as syllables, but none tells Mandarin
        "Corina Kulin",
        "Dan Smith",  # not every word is Mandarin syllables
        "Li",  # one syllable
    ],
)
def test_other_names_are_not_read_as_mandarin(name):
    assert _read(name) is None
    assert normalize_name(name).mandarin is None


def test_names_in_characters_read_as_mandarin_without_their_designators():
    form = normalize_name("大渡口街道")
    assert form.mandarin is not None
    assert [t.latin for t in form.mandarin.tokens] == ["tatukou", "jiedao"]
    assert [t.script for t in form.mandarin.tokens] == ["Han", "Han"]


MATCHER = Matcher()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # 0.19, 0.18 and 0.22 while each system's spelling was compared as written
        ("Mao Tse-tung", "Mao Zedong"),
        ("Hsi Chin-ping", "Xi Jinping"),
        ("Ta-tu-k'ou", "大渡口街道"),
    ],
)
def test_wade_giles_meets_pinyin(a, b):
    assert MATCHER.compare(a, b).probability > 0.5


def test_two_names_in_characters_are_compared_in_pinyin():
    # Homophones in characters are different names; their reading adds nothing.
    a, b = normalize_name("习近朋"), normalize_name("习近平")
    assert a.mandarin is not None
    assert b.mandarin is not None
    assert MATCHER.compare("习近朋", "习近平").probability < 0.9
