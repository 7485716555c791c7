"""Choice of an entity's canonical name among its members."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.types import NameForm

__all__ = ["choose_canonical"]


def _well_formed(form: NameForm) -> tuple[int, int, int, int]:
    raw = form.normalized
    latin = 1 if not form.scripts or form.scripts == ("Latin",) else 0
    mixed_case = 1 if raw != raw.upper() and raw != raw.lower() else 0
    return latin, len(form.core_tokens), mixed_case, len(raw)


def choose_canonical(members: Sequence[tuple[str, int, NameForm]]) -> tuple[str, str]:
    """Pick the canonical spelling of an entity and say why.

    Args:
        members: (name, count, normalized form) of each distinct member.

    Returns:
        (canonical name, reason). The best-attested spelling wins (highest count); among equally
        attested ones the fullest well-formed form (Latin script, most tokens, mixed case,
        longest), then alphabetical order, so the choice never depends on input order.
    """
    best_count = max(c for _, c, _ in members)
    top = [m for m in members if m[1] == best_count]
    if len(top) == 1 and len(members) > 1:
        name, count, _ = top[0]
        return name, f"most frequent spelling ({count} occurrences)"
    name, _, _form = max(top, key=lambda m: (_well_formed(m[2]), m[0]))
    if len(members) == 1:
        return name, "only spelling"
    return name, "fullest well-formed spelling among equally frequent ones"
