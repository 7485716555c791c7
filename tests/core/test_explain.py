"""Readable explanations: fixed examples of the sentence for compare, resolve and cluster."""

import pytest

from app.core.explain import describe_tokens
from app.core.matcher import Matcher
from app.core.normalize import normalize_name

# (a, b, kind, the token phrases)
TOKEN_CASES = [
    (
        "Araqchi",
        "Abbas Araghchi",
        None,
        [
            "same surname after transliteration (Araqchi = Araghchi, q/gh)",
            "first name missing (Abbas)",
        ],
    ),
    ("Gaddafi", "القذافي", None, ["same name across scripts (Gaddafi = قذافي (qdhafi))"]),
    (
        "Takht Ravanchi",
        "Takht Rwanchi",
        None,
        [
            "same first name (Takht)",
            "same surname after transliteration (Ravanchi = Rwanchi, av/w)",
        ],
    ),
    (
        "Donald Trump",
        "Ivanka Trump",
        None,
        ["different first name (Donald / Ivanka)", "same surname (Trump)"],
    ),
    (
        "M. Pezeshkian",
        "Masoud Pezeshkian",
        None,
        ["first name given as an initial (M = Masoud)", "same surname (Pezeshkian)"],
    ),
    (
        "Zelensky",
        "Зеленский",
        None,
        ["same name across scripts (Zelensky = Зеленский (zelenskiy))"],
    ),
    ("Tehran", "Téhéran", "place", ["same name after transliteration (Tehran = Téhéran, -/e)"]),
    (
        "Islamic Revolutionary Guard Corps",
        "Islamic Revolutionary Guards Corps",
        None,
        [
            "same word (Revolutionary)",
            "same word after transliteration (Guard = Guards, -/s)",
            "same word (Corps)",
        ],
    ),
    ("RIM Group II", "RIM Group III", None, ["same word (Rim)", "different numbers (II / III)"]),
    # A person's name as the registry knows its kind: roles are named even for four tokens.
    (
        "Ali Akbar Hashemi Rafsanjani",
        "Akbar Hashemi Rafsanjani",
        "person",
        [
            "same name (Akbar)",  # a middle name on one side, a first name on the other
            "same middle name (Hashemi)",
            "same surname (Rafsanjani)",
            "first name missing (Ali)",
        ],
    ),
]


@pytest.mark.parametrize(("a", "b", "kind", "phrases"), TOKEN_CASES)
def test_token_phrases(a, b, kind, phrases):
    assert describe_tokens(normalize_name(a), normalize_name(b), kind) == phrases


@pytest.fixture(scope="module")
def matcher():
    return Matcher()


def test_compare_sentence(matcher):
    d = matcher.compare("Takht Rwanchi", "Majid Takht-Ravanchi", explain=True)
    assert d.summary == (
        "likely the same: same name (Takht); same surname after transliteration "
        "(Rwanchi = Ravanchi, w/av); first name missing (Majid); model: same consonants."
    )
    assert matcher.compare("Donald Trump", "Ivanka Trump", explain=True).summary.startswith(
        "likely different: different first name (Donald / Ivanka); same surname (Trump); model: "
    )


def test_cluster_weakest_link(matcher):
    names = [("Abbas Araghchi", 3), ("Araghchi", 1), ("Araqchi", 1), ("Elon Musk", 1)]
    clusters = {c.canonical: c for c in matcher.cluster(names, explain=True)}
    araghchi = clusters["Abbas Araghchi"]
    link = araghchi.weakest_link
    assert link is not None
    weakest = min(araghchi.members, key=lambda m: (m.confidence, m.name))
    assert link.name == weakest.name
    assert link.partner in {m.name for m in araghchi.members} - {link.name}
    assert 0 <= link.probability <= 1
    assert link.summary.startswith("likely the same: ")
    assert "Araghchi" in link.summary
    assert clusters["Elon Musk"].weakest_link is None
    # Without explain, no work and no link.
    assert all(c.weakest_link is None for c in matcher.cluster(names))


def test_resolve_sentence_names_roles_by_kind(matcher):
    from app.core.index import CandidateIndex

    index = CandidateIndex()
    index.set_entity("ent_1", "Abbas Araghchi", "person")
    index.add_aliases([(1, "ent_1", "Abbas Araghchi")])
    top = matcher.resolve("Araqchi", index).candidates[0]
    assert top.summary.startswith(
        "likely the same: same surname after transliteration (Araqchi = Araghchi, q/gh); "
        "first name missing (Abbas)"
    )


def test_resolve_accept_filters_before_the_decision(matcher):
    from app.core.index import CandidateIndex

    index = CandidateIndex()
    index.set_entity("ent_city", "Kyiv", "place")
    index.set_entity("ent_person", "Kiev Person", "person")
    index.add_aliases([(1, "ent_city", "Kiev"), (2, "ent_person", "Kiev Person")])
    assert matcher.resolve("Kiev", index).candidates[0].entity_id == "ent_city"
    only_people = matcher.resolve("Kiev", index, accept=lambda e: e == "ent_person")
    assert [c.entity_id for c in only_people.candidates] == ["ent_person"]
    assert matcher.resolve("Kiev", index, accept=lambda e: False).decision == "new"


def test_korean_romanizations_are_named_as_such():
    phrases = describe_tokens(
        normalize_name("JANG, Myong-Jin"), normalize_name("CHANG, Myong-Chin")
    )
    assert "same surname in another romanization of Korean (Jang = Chang)" in phrases


def test_mandarin_romanizations_are_named_as_such():
    phrases = describe_tokens(normalize_name("Chou En-lai"), normalize_name("Zhou En-lai"))
    assert any("in another romanization of Mandarin (Chou = Zhou)" in p for p in phrases)
