"""One plain sentence that explains a comparison."""

from __future__ import annotations

from app.core.compare import Comparison
from app.core.types import NameForm

__all__ = ["summarize"]

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


def summarize(result: Comparison, a: NameForm, b: NameForm, threshold: float) -> str:
    """A sentence naming the strongest evidence for and against: "same spelling skeleton after
    transliteration (araqchi = araghchi); tokens missing on one side"."""
    ranked = sorted(result.contributions.items(), key=lambda kv: -abs(kv[1]))
    parts: list[str] = []
    for name, c in ranked:
        if name not in _PHRASES or abs(c) < 0.25:
            continue
        parts.append(_PHRASES[name][0 if c > 0 else 1])
        if len(parts) == 3:
            break
    verdict = "likely the same" if result.probability >= threshold else "likely different"
    detail = "; ".join(parts) if parts else "no strong evidence either way"
    return f"{verdict} ({a.latin} / {b.latin}): {detail}."
