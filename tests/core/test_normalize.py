import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.normalize import glued, normalize_name, try_normalize_name
from app.errors import EmptyNameError

GOLDEN = Path(__file__).parents[1] / "data" / "normalize.csv"


def golden_rows():
    with GOLDEN.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", golden_rows(), ids=lambda r: r["raw"])
def test_golden(row):
    form = normalize_name(row["raw"])
    assert form.latin == row["latin"]
    assert form.normalized == row["normalized"]
    assert "|".join(form.titles) == row["titles"]


@pytest.mark.parametrize(
    "raw", ["", "   ", "\u200b\u200c\u200d", "\u202e\u202c", "---", "«»", "\x00"]
)
def test_empty_is_an_error(raw):
    assert try_normalize_name(raw) is None
    with pytest.raises(EmptyNameError):
        normalize_name(raw)


def test_invisible_and_formatting_characters_are_removed():
    plain = normalize_name("Takht Ravanchi")
    noisy = normalize_name("\u200fTakht\u00ad Ra\u200dvan\u200cchi\u200e")
    assert noisy.latin == plain.latin


def test_tatweel_and_zwnj_in_persian():
    assert normalize_name("تخت\u200cروانـچی").latin == normalize_name("تختروانچی").latin


def test_unified_apostrophes_and_hyphens():
    assert normalize_name("O’Brien").latin == normalize_name("O'Brien").latin == "obrien"
    assert normalize_name("Takht–Ravanchi").latin == normalize_name("Takht-Ravanchi").latin


def test_particles_are_marked_not_removed():
    form = normalize_name("Al-Qaeda")
    assert [t.latin for t in form.tokens] == ["al", "qaeda"]
    assert [t.particle for t in form.tokens] == [True, False]
    assert [t.latin for t in form.core_tokens] == ["qaeda"]


@pytest.mark.parametrize(
    ("raw", "core"),
    [
        ("Islamic Republic of Iran", ["iran"]),
        ("Republika Srpska", ["srpska"]),
        ("Bank Melli", ["melli"]),
        ("Armed Forces", ["armed"]),
        ("Shijiazhuang Shi", ["shijiazhuang"]),
        ("Comercializadora Alba S.A.", ["alba"]),
        # Russian legal forms spelled out, in Cyrillic or transliterated
        ("Акционерное общество Фиолент", ["fiolent"]),
        ("OBSHCHESTVO S OGRANICHENNOY OTVETSTVENNOSTYU ROSNEFT", ["s", "rosneft"]),
        ("Constructora y Transportes del Norte", ["norte"]),
        # "Republic", "kingdom", "state" in more languages and scripts
        ("جمهورية سيراليون", ["siraliun"]),
        ("타지키스탄 공화국", ["tajikistan"]),
        ("Ír Köztársaság", ["ir"]),
        ("Государство Катар", ["katar"]),
        ("Bundesrepublik Deutschland", ["deutschland"]),
        ("مملكة بلجيكا", ["bljika"]),  # kingdom
        ("جزر سليمان", ["sliman"]),  # islands
        ("پادشاهی لسوتو", ["lsutu"]),
        # "city", "district", "province" in Belarusian, Ukrainian, Thai, Malay, Mongolian
        ("Горад Заграб", ["zagrab"]),
        ("місто Київ", ["kiiv"]),
        ("Amphoe Chiang Saen", ["chiang", "saen"]),
        ("Kota Kinabalu", ["kinabalu"]),
        ("Ulaanbaatar khot", ["ulaanbaatar"]),
        # Chinese and Japanese designators glued to the name are split off
        ("奥地利共和国", ["aodili"]),
        ("尼日利亚联邦共和国", ["niriliya"]),
        ("北京市", ["beijing"]),
        ("余下镇", ["yuxia"]),
        ("黄浦区", ["huangpu"]),
        ("ロシア連邦", ["roshia"]),
        # islands and capes, in the languages that name them on maps
        ("Wyspy Salomona", ["salomona"]),
        ("Îles Salomon", ["salomon"]),
        ("Marshall Adaları", ["marshall"]),
        ("Ostrov Russkiy", ["russkiy"]),
        ("Cabo Verde", ["verde"]),
        ("Kap Verde", ["verde"]),
        # glued to the name in German, Dutch, Swedish, Finnish, Hungarian
        ("Kaimaninseln", ["kaiman"]),
        ("Cookeilanden", ["cook"]),
        ("Caymanöarna", ["cayman"]),
        ("Neitsytsaaret", ["neitsyt"]),
        ("Fidzsi-szigetek", ["fidzsi"]),
        # "independent", "state", "principality", "grand duchy"
        ("Niezależne Państwo Samoa", ["samoa"]),
        ("Eritrea Riik", ["eritrea"]),
        ("Vorstendom Liechtenstein", ["liechtenstein"]),
        ("Velkovévodství lucemburské", ["lucemburske"]),
        ("Government of Estonia", ["estonia"]),
        ("Gobierno de Chile", ["chile"]),
    ],
)
def test_generic_designators_are_not_core(raw, core):
    assert [t.latin for t in normalize_name(raw).core_tokens] == core


@pytest.mark.parametrize(
    ("raw", "tokens", "reordered"),
    [
        ("TROBER, S.A.", ["trober", "sa"], False),
        (
            "GRUPO COMERCIAL ROOL, S.A. DE C.V.",
            ["grupo", "comercial", "rool", "sa", "de", "cv"],
            False,
        ),
        ("LIA CO L.L.C.", ["lia", "co", "llc"], False),
        ("ABC S.A.R.L.", ["abc", "sarl"], False),
        ("MINERVEN C.A.", ["minerven", "ca"], False),
        # Dotted letters that are no legal form stay initials.
        ("J.R.R. Tolkien", ["j", "r", "r", "tolkien"], False),
        ("SMITH, J.R.", ["j", "r", "smith"], True),
    ],
)
def test_dotted_legal_forms_are_one_token(raw, tokens, reordered):
    form = normalize_name(raw)
    assert [t.latin for t in form.tokens] == tokens
    assert form.reordered is reordered
    # "C.V." is a legal form, not the Roman numeral V.
    assert not form.numbers


@pytest.mark.parametrize(
    "raw",
    [
        "Shinzo Abe",
        "Shahram Amiri",
        "Gaston Bachelard",
        "Frank Grossman",
        "Denis Villeneuve",
        "Ion Marinescu",
        "Nikolai Ostrovsky",
        "Anna Pinsel",
        "Xian Zhen",  # the readings of 县 and 镇, a personal name in Latin
    ],
)
def test_names_that_begin_like_a_short_designator_stay_core(raw):
    # "shi", "shahr", "gas", "gross", "ville" and "marine" are designators only as whole words.
    form = normalize_name(raw)
    assert form.core_tokens == form.tokens


@pytest.mark.parametrize(
    ("raw", "latin"),
    [
        ("मोसुल", "mosul"),  # Devanagari vowel signs
        ("மோசுல்", "mocul"),  # Tamil vowel signs and virama
        ("മൊസൂൾ", "mosul"),  # Malayalam
    ],
)
def test_combining_marks_stay_inside_their_word(raw, latin):
    # Vowel signs and viramas are combining marks: they belong to the word.
    assert [t.latin for t in normalize_name(raw).tokens] == [latin]


@pytest.mark.parametrize(
    ("pointed", "bare"),
    [("تِهران", "تهران"), ("القَذّافي", "القذافي"), ("שָׁלוֹם", "שלום")],
)
def test_abjad_vowel_points_are_dropped(pointed, bare):
    # Harakat and niqqud are marks too; most texts leave them out, so they are dropped.
    def keys(raw: str) -> list[tuple[str, str, str]]:
        return [(t.latin, t.skeleton, t.consonants) for t in normalize_name(raw).tokens]

    assert keys(pointed) == keys(bare)


@pytest.mark.parametrize(
    ("raw", "latin"),
    [
        ("ג'ורג'", "jorj"),  # George: gimel + geresh is j
        ("ג׳ורג׳", "jorj"),  # the same with the Hebrew geresh character
        ("ז'אן", "zhan"),  # Jean
        ("צ'רצ'יל", "chrchil"),  # Churchill
        ("ח'אלד", "khald"),  # Khalid
    ],
)
def test_hebrew_geresh_letters(raw, latin):
    assert [t.latin for t in normalize_name(raw).tokens] == [latin]


def test_apostrophes_outside_hebrew_are_dropped():
    assert [t.latin for t in normalize_name("O'Brien").tokens] == ["obrien"]


@pytest.mark.parametrize(
    ("raw", "latin"),
    [
        ("Henry IV", ["henry", "iv"]),
        ("Henry 4", ["henry", "4"]),
        ("헨리 4세", ["henri", "4"]),  # Korean "4th" (regnal)
        ("ヘンリー4世", ["henri", "4"]),  # Japanese, glued to the name
        ("עבד אל-עזיז הרביעי", ["avd", "al", "aziz", "4"]),  # Hebrew ordinal word
    ],
)
def test_numbers_are_read_by_value(raw, latin):
    form = normalize_name(raw)
    assert [t.latin for t in form.tokens] == latin
    assert form.numbers == {"4"}


@pytest.mark.parametrize(
    ("raw", "latin", "numbers"),
    [
        ("FOURTEEN STAR SHIPPING", ["14", "star", "shipping"], {"14"}),
        ("Three Percenters", ["3", "percenters"], {"3"}),
        # a spelled tens word and unit are one number, with a hyphen or without
        ("Brigade Forty-Four", ["brigade", "44"], {"44"}),
        ("Brigade Fourty four", ["brigade", "44"], {"44"}),
        ("Twenty Eighty", ["20", "80"], {"20", "80"}),
        ("Brigade Forty 4", ["brigade", "44"], {"44"}),
        # ordinals, spelled or in digits
        ("1st International Bank", ["1", "international", "bank"], {"1"}),
        ("First International Bank", ["1", "international", "bank"], {"1"}),
        ("23rd Regiment", ["23", "regiment"], {"23"}),
        # digits stay as written: "40 4" is two numbers
        ("Brigade 40 4", ["brigade", "40", "4"], {"40", "4"}),
    ],
)
def test_spelled_numbers_are_read_as_digits(raw, latin, numbers):
    form = normalize_name(raw)
    assert [t.latin for t in form.tokens] == latin
    assert form.numbers == numbers


@pytest.mark.parametrize(
    ("raw", "latin"),
    [
        ("St. Lucia", ["saint", "lucia"]),
        ("Sainte-Lucie", ["saint", "lucie"]),
        ("Sankt-Peterburg", ["saint", "peterburg"]),
        ("Санкт-Петербург", ["saint", "peterburg"]),
        ("São Tomé", ["saint", "tome"]),
        ("San Marino", ["saint", "marino"]),
        ("Nueva Caledonia", ["new", "caledonia"]),
        ("Nova Kaledonija", ["new", "kaledonija"]),
        ("Новий Томишль", ["new", "tomishl"]),
        # "San" last is a syllable of a name, not "saint"
        ("Kim San", ["kim", "san"]),
        ("Svätý Vincent", ["saint", "vincent"]),
        # abjads are left to their consonant keys
        ("سن برونو", ["sn", "brunu"]),
    ],
)
def test_translated_common_words_have_one_form(raw, latin):
    assert [t.latin for t in normalize_name(raw).tokens] == latin


def test_a_number_of_thousands_of_digits_is_a_token_not_a_crash():
    # Python refuses int() of more than 4,300 digits; a name's number is never converted.
    digits = "7" * 5000
    assert normalize_name(f"Agent 0{digits}").numbers == {digits}


def test_scripts_detected():
    assert normalize_name("Зеленский").scripts == ("Cyrillic",)
    assert normalize_name("القذافي").scripts == ("Arabic",)
    assert normalize_name("위어드 알 얀코빅").scripts == ("Hangul",)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_normalization_is_idempotent(raw):
    form = try_normalize_name(raw)
    if form is None:
        return
    again = normalize_name(form.normalized)
    assert again.latin == form.latin
    assert again.normalized == form.normalized


@pytest.mark.parametrize(
    ("raw", "core"),
    [
        # the connector of Persian and Urdu compounds, and "and" in Slavic languages
        ("Lashkar-i-Jhangvi", ["lashkar", "jhangvi"]),
        ("Bosnia i Hercegovina", ["bosnia", "hercegovina"]),
        # "and" in German, Turkish, Swedish, Danish and Norwegian
        ("Heard und McDonaldinseln", ["heard", "mcdonald"]),
        ("Saint Vincent ve Grenadinler", ["saint", "vincent", "grenadinler"]),
        ("Trinidad och Tobago", ["trinidad", "tobago"]),
        ("Trinidad og Tobago", ["trinidad", "tobago"]),
        # a letter with a dot is an initial, whatever else that letter may be
        ("Vladimir I. Lenin", ["vladimir", "i", "lenin"]),
        ("Ivan E. Petrov", ["ivan", "e", "petrov"]),
        # a capital "I" is a numeral or an initial, and so is a final one
        ("RIM GROUP INVESTMENTS I CORP.", ["rim", "i"]),
        ("Marie de Lourdes i", ["marie", "lourdes", "i"]),
    ],
)
def test_connectors_are_particles_but_initials_are_not(raw, core):
    assert [t.latin for t in normalize_name(raw).core_tokens] == core


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [
        # Revised Romanization: a final consonant as it sounds, an initial ㄹ r, ㄹㄹ ll
        ("박", "bak"),
        ("잭", "jaek"),
        ("패짓", "paejit"),
        ("헨리", "henri"),
        ("밀러", "milleo"),
        # the vowel "eu" that Korean adds to a foreign consonant is not read
        ("프랑크푸르트", "prangkpurt"),
        ("클리프", "kllip"),
        ("브라질", "brajil"),
        # real "eu" syllables stay: they close on a consonant, or are the vowel alone
        ("김은지", "gimeunji"),
        ("으뜸", "eutteum"),
    ],
)
def test_hangul_reads_as_korean_transcriptions_of_foreign_names(hangul, latin):
    assert normalize_name(hangul).latin == latin


@pytest.mark.parametrize(
    ("kana", "latin"),
    [
        # small kana: one syllable with the kana before them, a doubled consonant after ッ
        ("ジャージー", "jaji"),
        ("フィジー", "fiji"),
        ("クック", "kukku"),
        ("ヴェルチェッリ", "verucherri"),
        ("ウェスト", "wesuto"),
        ("コンスタンツァ", "konsutantsa"),
        ("しゃしん", "shashin"),
        ("キョウト", "kyouto"),
        # designators glued one after another are all split off
        ("フィジー諸島共和国", "fiji zhudao gongheguo"),
    ],
)
def test_kana_in_hepburn(kana, latin):
    assert normalize_name(kana).latin == latin


@pytest.mark.parametrize(
    ("raw", "foreign"),
    [
        ("كوسوفو", "kosovo"),  # Arabic ف is the v of foreign names
        ("بيرو", "peru"),  # and ب their p
        ("פריז", "paris"),  # unpointed Hebrew פ is p or f
        ("ברלין", "berlin"),  # and ב b or v
    ],
)
def test_abjad_letters_of_two_sounds_have_a_second_skeleton(raw, foreign):
    (token,) = normalize_name(raw).tokens
    (latin,) = normalize_name(foreign).tokens
    assert token.skeleton != latin.skeleton
    assert token.alt_skeleton == latin.skeleton


def test_persian_words_read_their_own_b_and_f():
    # "پ" marks Persian, which has its own p: its "ب" stays b.
    (token,) = normalize_name("پترزبورگ").tokens
    assert token.alt_skeleton == ""


@pytest.mark.parametrize(
    ("raw", "latin", "titles"),
    [
        ("Pope Francis", ["francis"], ("Pope",)),
        ("교황 레오 1세", ["reo", "1"], ("교황",)),
        ("Tsar Nicholas II", ["nicholas", "ii"], ("Tsar",)),
        # a title after the name and a comma is a qualifier, not a first name to put first
        ("Paul, King of Greece", ["paul"], ("King of Greece",)),
        ("חוסיין, מלך ירדן", ["hosyn"], ("מלך ירדן",)),
        # but a bare "Prince" after a surname is the first name
        ("JOHNSON, Prince Yormie", ["prince", "yormie", "johnson"], ()),
    ],
)
def test_titles_before_a_name_and_after_its_comma(raw, latin, titles):
    form = normalize_name(raw)
    assert [t.latin for t in form.tokens] == latin
    assert form.titles == titles


@pytest.mark.parametrize(
    ("raw", "core"),
    [
        ("Ivan VI of Russia", ["ivan", "vi"]),
        ("Friedrich II von Preußen", ["friedrich", "ii"]),
        ("Juan Carlos I de España", ["juan", "carlos", "i"]),
        # a number in digits is a branch's or a unit's, and its "of" part is the name
        (
            "BRANCH 1 OF THE SHIRAZ REVOLUTIONARY COURT",
            ["branch", "1", "shiraz", "revolutionary", "court"],
        ),
    ],
)
def test_the_realm_after_a_regnal_number_is_a_qualifier(raw, core):
    assert [t.latin for t in normalize_name(raw).core_tokens] == core


@pytest.mark.parametrize(
    ("raw", "bare"),
    [
        ("Sergey Viktorovich Lavrov", ["sergey", "lavrov"]),
        ("KOSTRUBITSKY, Aleksey Aleksandrovich", ["aleksey", "kostrubitsky"]),
        ("Volodymyr Oleksandrovych Zelenskyy", ["volodymyr", "zelenskyy"]),
        ("Maria Aleksandrovna Ulyanova", ["maria", "ulyanova"]),
        # a surname with a patronymic's ending, not between the given name and the surname
        ("Roman Abramovich", None),
        ("Alexander Lukashevich", None),
    ],
)
def test_a_patronymic_can_be_left_out(raw, bare):
    form = normalize_name(raw)
    assert (None if form.bare is None else [t.latin for t in form.bare.tokens]) == bare


def test_x_reads_ks_in_its_second_reading():
    (alexei,) = normalize_name("Alexei").tokens
    (aleksei,) = normalize_name("Aleksei").tokens
    assert alexei.alt_skeleton == aleksei.skeleton


@pytest.mark.parametrize(
    ("name", "other", "expected"),
    [
        ("al Qaida", "Alqaeda", ["alqaida"]),
        ("Cornelius van der Bilt", "Vanderbilt", ["cornelius", "vanderbilt"]),
        ("Osama bin Laden", "Osama Binladen", ["osama", "binladen"]),
        ("القاعدة", "Alqaeda", ["alqada"]),
        # The other name does not write the particle glued: nothing to glue.
        ("Al Hadi", "Alexander Hadi", None),
        ("al Qaida", "al-Qaeda", None),
        # Connectors are not glued ("of", "and"), nor is a particle before another particle.
        ("Bank of America", "Ofamerica Bank", None),
        ("Elon Musk", "Elonmusk", None),
    ],
)
def test_a_particle_is_glued_where_the_other_name_glues_it(name, other, expected):
    form = glued(normalize_name(name), normalize_name(other))
    assert (None if form is None else [t.latin for t in form.tokens]) == expected


def test_only_names_with_a_particle_before_a_word_are_gluable():
    assert normalize_name("van der Bilt").gluable
    assert normalize_name("AL-SHAER, Saleh").gluable
    assert not normalize_name("Saleh al").gluable
    assert not normalize_name("Bank of America").gluable
    assert not normalize_name("Vanderbilt").gluable
