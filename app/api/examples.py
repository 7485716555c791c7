"""Examples for the OpenAPI document: real spelling-variant sets and real model output.

Request-body examples (``openapi_examples``) use the name sets Canonym is built for; field
examples of nested models are taken from the packaged model's output.
"""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example

__all__ = [
    "ALIAS_CREATE_EXAMPLES",
    "CLUSTER_ENTITY_EXAMPLE",
    "CLUSTER_EXAMPLES",
    "COMPARE_EXAMPLES",
    "EMPTY_NAME_MESSAGE",
    "ENTITY_CREATE_EXAMPLES",
    "ENTITY_UPDATE_EXAMPLES",
    "ERROR_DETAIL_EXAMPLE",
    "EVIDENCE_EXAMPLE",
    "IMPORT_EXAMPLES",
    "JUDGEMENT_EXAMPLES",
    "NORMALIZE_EXAMPLES",
    "NORMALIZE_RESULT_EXAMPLE",
    "RESOLVE_EXAMPLES",
    "TOKEN_EXAMPLE",
]

# --- field examples of nested models --------------------------------------------------------------

TOKEN_EXAMPLE = {"text": "قذافي", "latin": "qdhafi", "script": "Arabic", "skeleton": "KDF"}
NORMALIZE_RESULT_EXAMPLE = {
    "name": "القذافي",
    "normalized": "القذافي",
    "latin": "al qdhafi",
    "titles": [],
    "scripts": ["Arabic"],
    "tokens": [
        {"text": "ال", "latin": "al", "script": "Arabic", "skeleton": "Al"},
        TOKEN_EXAMPLE,
    ],
}
EVIDENCE_EXAMPLE = {
    "feature": "joined_consonant_similarity",
    "value": 1.0,
    "contribution": 1.59,
    "description": "Similarity of the whole names' consonant keys, token order ignored (0-1).",
}
CLUSTER_ENTITY_EXAMPLE: dict[str, Any] = {
    "entity_id": "ent_cfcbf9838db7",
    "canonical": "Qaddafi",
    "canonical_reason": "most frequent spelling (3 occurrences)",
    "confidence": 0.97,
    "members": [
        {"name": "Qaddafi", "count": 3, "confidence": 0.97},
        {"name": "Gaddafi", "count": 1, "confidence": 0.97},
        {"name": "القذافي", "count": 1, "confidence": 0.98},
    ],
}
ERROR_DETAIL_EXAMPLE = {
    "type": "string_type",
    "loc": ["body", "names", 0],
    "msg": "Input should be a valid string",
    "input": 42,
}
EMPTY_NAME_MESSAGE = "names[0]: the name is empty after normalization (no letter or digit left)"

# --- openapi_examples of the request bodies ------------------------------------------------------

NORMALIZE_EXAMPLES: dict[str, Example] = {
    "gaddafi": {
        "summary": "Gaddafi variants",
        "description": "Latin spellings, a title and the Arabic original.",
        "value": {"names": ["President Muammar al-Gaddafi", "Qaddafi", "Kadhafi", "القذافي"]},
    },
    "zelensky": {
        "summary": "Zelensky, Latin and Cyrillic",
        "description": 'A "Last, First" form in Cyrillic is put in reading order.',
        "value": {"names": ["Volodymyr Zelensky", "Зеленский, Владимир"]},
    },
}

COMPARE_EXAMPLES: dict[str, Example] = {
    "cross_script": {
        "summary": "Across scripts",
        "description": "Gaddafi against its Arabic original, Zelensky against Cyrillic.",
        "value": {
            "pairs": [{"a": "Gaddafi", "b": "القذافي"}, {"a": "Zelensky", "b": "Зеленский"}],
            "explain": False,
        },
    },
    "explained": {
        "summary": "With explanations",
        "description": "Transliteration variants of Persian names, with every feature.",
        "value": {
            "pairs": [
                {"a": "Pezeshkian", "b": "Pizshakyan"},
                {"a": "Takht Ravanchi", "b": "Takht Rwanchi"},
            ],
            "explain": True,
        },
    },
}

CLUSTER_EXAMPLES: dict[str, Example] = {
    "resolve": {
        "summary": "Attach to the registry",
        "description": "Cluster, then resolve each entity against the registry: the Gaddafi "
        "and Takht-Ravanchi groups take the seeded entities' ids.",
        "value": {
            "names": [
                "Qaddafi",
                "Kadhafi",
                "القذافي",
                "Takht Rwanchi",
                "Takht Ruanchi",
                "Jane Roe",
            ],
            "resolve": True,
        },
    },
    "takht_ravanchi": {
        "summary": "Takht Ravanchi variants",
        "description": "Spellings of one Iranian diplomat's name, with counts.",
        "value": {
            "names": [
                {"name": "Takht Ravanchi", "count": 7},
                "Takht Rwanchi",
                "Takht Ruanchi",
                {"name": "Majid Takht-Ravanchi", "count": 2},
            ]
        },
    },
    "mixed": {
        "summary": "Several entities",
        "description": "Gaddafi, Zelensky and Pezeshkian variants in one batch.",
        "value": {
            "names": [
                "Gaddafi",
                {"name": "Qaddafi", "count": 3},
                "Kadhafi",
                "القذافي",
                "Zelensky",
                "Зеленский",
                "Pezeshkian",
                "Pizshakyan",
            ]
        },
    },
}

# --- registry ------------------------------------------------------------------------------------

ENTITY_CREATE_EXAMPLES: dict[str, Example] = {
    "gaddafi": {
        "summary": "A person with spellings in several scripts",
        "description": "The canonical name becomes an alias too; the id is generated.",
        "value": {
            "canonical": "Muammar Gaddafi",
            "kind": "person",
            "country": "LY",
            "wikidata_id": "Q19878",
            "aliases": ["Qaddafi", "Kadhafi", {"name": "القذافي", "source": "press"}],
        },
    },
    "with_id": {
        "summary": "With a chosen id",
        "description": "An id of your own, e.g. from another system; it never changes.",
        "value": {
            "id": "crm-10442",
            "canonical": "Zelensky",
            "kind": "person",
            "aliases": ["Зеленский", "Selenskyj"],
        },
    },
}

ENTITY_UPDATE_EXAMPLES: dict[str, Example] = {
    "rename": {
        "summary": "New canonical name",
        "description": "The old canonical name stays an alias.",
        "value": {"canonical": "Muammar al-Qaddafi"},
    },
}

ALIAS_CREATE_EXAMPLES: dict[str, Example] = {
    "takht_ravanchi": {
        "summary": "A spelling seen in the press",
        "description": "A transliteration variant of Takht-Ravanchi.",
        "value": {"name": "Takht Rwanchi", "source": "press"},
    },
}

IMPORT_EXAMPLES: dict[str, Example] = {
    "array": {
        "summary": "A JSON array of entities",
        "description": "The same objects as `POST /v1/entities`; JSON Lines works too "
        "(`content-type: application/x-ndjson`, one object per line).",
        "value": [
            {
                "id": "ent_gaddafi",
                "canonical": "Muammar Gaddafi",
                "kind": "person",
                "aliases": ["Qaddafi", "Kadhafi", "القذافي"],
            },
            {"canonical": "Kyiv", "kind": "place", "aliases": ["Kiev", "Киев", "Київ"]},
        ],
    },
    "export": {
        "summary": "A registry export, with its judgements",
        "description": "Records as `canonym registry export` writes them: ids, aliases with "
        "their sources, and reviewers' verdicts, which the import keeps (a rejected name is "
        "never proposed for the entity again).",
        "value": [
            {
                "id": "ent_gaddafi",
                "canonical": "Muammar Gaddafi",
                "kind": "person",
                "country": "LY",
                "aliases": [
                    {"name": "Muammar Gaddafi", "source": "canonical", "script": "Latin"},
                    {"name": "القذافي", "source": "press", "script": "Arabic"},
                ],
                "judgements": [
                    {
                        "name": "Gaddafi Stadium",
                        "verdict": "rejected",
                        "author": "analyst-7",
                        "created_at": "2026-11-30T09:12:00+00:00",
                    }
                ],
            }
        ],
    },
}

RESOLVE_EXAMPLES: dict[str, Example] = {
    "variants": {
        "summary": "Spelling variants of seeded entities",
        "description": "Latin transliterations and other scripts of entities in the seed "
        "registry, and a name it does not hold.",
        "value": {
            "names": ["Qaddafi", "القذافي", "Takht Rwanchi", "Зеленский", "Assad", "Jane Roe"]
        },
    },
    "explained": {
        "summary": "With explanations",
        "description": "Every feature of the best comparison per candidate.",
        "value": {"names": ["Pizshakyan"], "top_k": 1, "explain": True},
    },
}

JUDGEMENT_EXAMPLES: dict[str, Example] = {
    "confirm": {
        "summary": "Confirm a spelling",
        "description": "The name becomes an alias of the entity.",
        "value": {
            "name": "Gadhafi",
            "entity_id": "ent_8d1c5e0f2a7b",
            "verdict": "confirmed",
            "author": "analyst-7",
        },
    },
    "reject": {
        "summary": "Reject a link",
        "description": "Resolve never proposes this entity for this name again.",
        "value": {"name": "Kassem", "entity_id": "ent_8d1c5e0f2a7b", "verdict": "rejected"},
    },
}
