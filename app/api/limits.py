"""Request limits and per-item checks shared by the routes.

Limits are ``Settings`` fields; breaking one raises a domain error from ``app.errors`` whose
message names the item and the environment variable that sets the limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.core.matcher import Matcher
from app.errors import BatchTooLargeError, EmptyNameError, InvalidNameError, NameTooLongError
from app.settings import Settings

__all__ = ["check_batch_size", "check_entity_name", "check_name", "check_names"]

# JSON may carry "\ud800" on its own; such a string has no UTF-8 form and cannot be answered.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_batch_size(count: int, limit: int, noun: str) -> None:
    """Raise ``BatchTooLargeError`` when a batch of ``count`` ``noun`` is over ``limit``.

    Args:
        count: number of items in the request.
        limit: the configured maximum.
        noun: ``"names"`` or ``"pairs"``; also picks the environment variable named.
    """
    if count > limit:
        env = f"CANONYM_MAX_{noun.upper()}_PER_REQUEST"
        msg = f"batch of {count} {noun} exceeds the limit of {limit} ({env})"
        raise BatchTooLargeError(msg)


def check_name(name: str, where: str, settings: Settings) -> None:
    """Raise ``NameTooLongError`` for an over-long name, ``EmptyNameError`` for a blank one.

    A name with an unpaired UTF-16 surrogate raises ``InvalidNameError``.

    Args:
        name: the raw name.
        where: the name's place in the request, e.g. ``names[3]`` or ``pairs[0].b``.
        settings: the service settings (``max_name_length``).
    """
    limit = settings.max_name_length
    if len(name) > limit:
        msg = (
            f"{where} has {len(name)} characters, more than the limit of {limit} "
            "(CANONYM_MAX_NAME_LENGTH)"
        )
        raise NameTooLongError(msg)
    if (bad := _SURROGATE.search(name)) is not None:
        msg = f"{where} contains an unpaired UTF-16 surrogate (U+{ord(bad.group()):04X})"
        raise InvalidNameError(msg)
    if not name.strip():
        msg = f"{where} is blank"
        raise EmptyNameError(msg)


def check_names(names: Sequence[str], settings: Settings) -> None:
    """Check the size of a batch of names, then each name (see ``check_name``)."""
    check_batch_size(len(names), settings.max_names_per_request, "names")
    for i, name in enumerate(names):
        check_name(name, f"names[{i}]", settings)


def check_entity_name(name: str, where: str, settings: Settings, matcher: Matcher) -> None:
    """``check_name``, then refuse a name with no letter or digit left once normalized (an
    emoji, bidi controls, ``"..."``) with ``EmptyNameError``: the registry could store it but
    never match anything to it.

    Args:
        name: the raw name to store.
        where: the name's place in the request, e.g. ``canonical`` or ``entities[2].aliases[0]``.
        settings: the service settings (``max_name_length``).
        matcher: the matcher whose normalization decides what is left.
    """
    check_name(name, where, settings)
    try:
        matcher.normalize(name)
    except EmptyNameError as err:
        msg = f"{where}: {err.message}"
        raise EmptyNameError(msg) from err
