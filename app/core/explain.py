"""One plain sentence that explains a comparison, for people rather than for the model.

The sentence has two parts. First, what happened to the names' tokens, read off the same
one-to-one token alignment the features use: "same surname after transliteration (Araqchi =
Araghchi, q/gh)", "first name missing (Abbas)", "same name across scripts (قذافي = Gaddafi)".
Then the model's strongest evidence, from the features' contributions ("same consonants").
The verdict in front ("likely the same" / "likely different") follows the decision threshold.

Token roles (first name, middle name, surname) are only named for names that look like a
person's: the entity kind says so, or, without a kind, the names have at most three core tokens,
no digits and no designator ("Bank", "Islamic"); otherwise tokens are "words".
"""

from __future__ import annotations

from difflib import SequenceMatcher

from app.core.compare import Comparison, compared_forms
from app.core.features import ROMAN_NUMERALS, Alignment, TokenPair, align
from app.core.types import NameForm, Token

__all__ = ["describe_tokens", "summarize"]

_PHRASES = {
    "aligned_skeleton_similarity": (
        "same spelling skeleton after transliteration",
        "different spelling skeletons",
    ),
    "skeleton_agreement": ("tokens share transliteration skeletons", "skeletons differ"),
    "aligned_jaro_winkler": ("close spellings", "different spellings"),
    "aligned_consonant_similarity": ("same consonants", "different consonants"),
    "cross_script_consonant_similarity": (
        "same consonants across scripts",
        "consonants differ across scripts",
    ),
    "joined_similarity": ("same letters once spaces are ignored", "different letters"),
    "joined_consonant_similarity": ("same consonants overall", "different consonants overall"),
    "missing_token_share": ("every token has a counterpart", "tokens missing on one side"),
    "token_count_difference": ("same number of tokens", "different number of tokens"),
    "number_conflict": ("same numbers", "different numbers"),
    "number_missing": ("numbers on both sides", "a number on one side only"),
    "initials_used": ("initials agree with full tokens", "initials"),
    "truncation": ("one spelling is a shortened form of the other", "shortened form"),
    "phonetic_agreement": ("same Metaphone keys", "different Metaphone keys"),
    "exact_token_share": ("identical tokens", "no identical token"),
    "token_set_similarity": ("similar token sets", "different token sets"),
}
# A token pair at or above this similarity is "the same token" (features use the same bar).
_PRESENT = 0.8
# Name particles are short ("al", "bin", "van", "abu"); longer non-core tokens are designators.
_MAX_PARTICLE = 3
_MAX_PERSON_TOKENS = 3
_MAX_DIFFS = 3
_MAX_TOKEN_PARTS = 4


def _shown(token: Token) -> str:
    """A token as people write it, capitalised (scripts without case are left as they are);
    a token of another script than Latin adds its romanization: "قذافي (qdhafi)"."""
    if token.latin in ROMAN_NUMERALS:
        return token.text.upper()
    shown = token.text[:1].upper() + token.text[1:]
    return (
        shown
        if token.script == "Latin" or token.text == token.latin
        else f"{shown} ({token.latin})"
    )


def _is_number(token: Token) -> bool:
    return token.latin.isdigit() or token.latin in ROMAN_NUMERALS


def _looks_like_person(form: NameForm) -> bool:
    if len(form.core_tokens) > _MAX_PERSON_TOKENS:
        return False
    if any(any(ch.isdigit() for ch in t.latin) for t in form.tokens):
        return False
    return not any(t.particle and len(t.latin) > _MAX_PARTICLE for t in form.tokens)


def _role(token: Token, form: NameForm, person: bool) -> str:
    core = form.core_tokens
    if len(core) == 1:
        return "name"
    if not person:
        return "word"
    position = core.index(token)
    if position == 0:
        return "first name"
    return "surname" if position == len(core) - 1 else "middle name"


def _pair_role(pair: TokenPair, al: Alignment, person: bool) -> str:
    roles = {_role(pair.a, al.a, person), _role(pair.b, al.b, person)} - {"name"}
    return roles.pop() if len(roles) == 1 else "name"


def _letter_changes(x: str, y: str) -> str:
    """The letters that differ between two romanized spellings: "q/gh", "v/w"."""
    changes = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if op != "equal":
            changes.append(f"{x[i1:i2] or '-'}/{y[j1:j2] or '-'}")
    return ", ".join(changes) if 0 < len(changes) <= _MAX_DIFFS else ""


def _pair_phrase(pair: TokenPair, role: str, language: str | None = None) -> str:
    a, b = pair.a, pair.b
    x, y = _shown(a), _shown(b)
    if _is_number(a) and _is_number(b) and len(a.latin) + len(b.latin) > 2:
        return f"same number ({x})" if a.latin == b.latin else f"different numbers ({x} / {y})"
    if pair.similarity < _PRESENT:
        return f"different {role} ({x} / {y})"
    if a.text == b.text:
        return f"same {role} ({x})"
    if pair.initial:
        return f"{role} given as an initial ({x} = {y})"
    if a.script != b.script:
        return f"same {role} across scripts ({x} = {y})"
    if a.latin == b.latin and language is not None:
        return f"same {role} in another romanization of {language} ({x} = {y})"
    if a.latin == b.latin:
        return f"same {role} once accents are removed ({x} = {y})"
    changes = _letter_changes(a.latin, b.latin)
    detail = f"{x} = {y}, {changes}" if changes else f"{x} = {y}"
    return f"same {role} after transliteration ({detail})"


def _missing_phrases(al: Alignment, person: bool) -> list[str]:
    used = {id(p.a) for p in al.pairs} | {id(p.b) for p in al.pairs}
    out = []
    for form in (al.a, al.b):
        for token in form.core_tokens:
            if id(token) not in used:
                out.append(f"{_role(token, form, person)} missing ({_shown(token)})")
    return out


def describe_tokens(a: NameForm, b: NameForm, kind: str | None = None) -> list[str]:
    """What happened to each token between two names, in reading order of the first name:
    "same surname after transliteration (Araqchi = Araghchi, q/gh)", "first name missing
    (Abbas)".

    Args:
        a: the first name.
        b: the second name.
        kind: the entity kind when known (``person`` names roles; others say "word").
    """
    a, b, language = compared_forms(a, b)
    al = align(a, b)
    guessed = _looks_like_person(a) and _looks_like_person(b)
    person = guessed if kind is None else kind == "person"
    order = {id(t): i for i, t in enumerate(a.core_tokens)}
    pairs = sorted(al.pairs, key=lambda p: order.get(id(p.a), 0))
    phrases = [_pair_phrase(p, _pair_role(p, al, person), language) for p in pairs]
    return (phrases + _missing_phrases(al, person))[:_MAX_TOKEN_PARTS]


def _evidence_phrases(result: Comparison, limit: int) -> list[str]:
    ranked = sorted(result.contributions.items(), key=lambda kv: -abs(kv[1]))
    parts: list[str] = []
    for name, c in ranked:
        if name not in _PHRASES or abs(c) < 0.25:
            continue
        parts.append(_PHRASES[name][0 if c > 0 else 1])
        if len(parts) == limit:
            break
    return parts


def summarize(
    result: Comparison, a: NameForm, b: NameForm, threshold: float, kind: str | None = None
) -> str:
    """A sentence a reviewer can read: the verdict, what happened to the tokens, and the
    model's strongest evidence ("likely the same: same surname after transliteration (Araqchi
    = Araghchi, q/gh); first name missing (Abbas); model: same consonants").

    Args:
        result: the comparison, with contributions (``compare_forms(..., explain=True)``).
        a: the first name.
        b: the second name.
        threshold: the decision threshold of the verdict.
        kind: the entity kind when known (see ``describe_tokens``).
    """
    verdict = "likely the same" if result.probability >= threshold else "likely different"
    parts = describe_tokens(a, b, kind)
    evidence = _evidence_phrases(result, 2)
    if evidence:
        parts.append("model: " + ", ".join(evidence))
    detail = "; ".join(parts) if parts else "no strong evidence either way"
    return f"{verdict}: {detail}."
