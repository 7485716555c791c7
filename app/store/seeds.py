"""Idempotent loading of the starter registry (``seeds/registry.jsonl``) into a store.

The seeds are imported with ``on_conflict="merge"`` (an existing entity only gains the seed
aliases it lacks) and the file's digest is recorded in the store: a restart with the same file
does nothing, so an entity deleted by a user does not come back until the seed file changes.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from app.store.base import ImportSummary, RegistryStore
from app.store.records import read_records

__all__ = ["DEFAULT_SEED_FILE", "load_seeds"]

logger = logging.getLogger(__name__)

DEFAULT_SEED_FILE = Path(__file__).parents[2] / "seeds" / "registry.jsonl"
_META_KEY = "seeds_digest"


def load_seeds(store: RegistryStore, path: Path | None = None) -> ImportSummary | None:
    """Import the seed file unless this very file was loaded before.

    Args:
        store: the registry.
        path: the JSON Lines seed file (default: the bundled ``seeds/registry.jsonl``).

    Returns:
        What the import did, or ``None`` when the file was loaded already or is missing.
    """
    path = path or DEFAULT_SEED_FILE
    if not path.is_file():
        logger.warning("seed file %s not found; starting without seeds", path)
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if store.get_meta(_META_KEY) == digest:
        return None
    summary = store.import_entities(read_records(path), on_conflict="merge")
    store.set_meta(_META_KEY, digest)
    logger.info(
        "seeds %s: %d entities created, %d merged, %d aliases added",
        path.name,
        summary.created,
        summary.merged,
        summary.aliases_added,
    )
    return summary
