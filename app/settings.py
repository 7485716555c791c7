"""Canonym's settings: one typed object read from ``CANONYM_*`` environment variables.

Read settings through ``get_settings()`` (or ``SettingsDep`` in the HTTP layer); tests pass their
own ``Settings`` to ``create_app`` instead of mutating this module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["LogLevel", "Settings", "get_settings"]

LogLevel = Literal["debug", "info", "warning", "error", "critical"]

# Values copied from templates that must never reach a running service.
_PLACEHOLDER_SECRETS = ("changethis", "changeme")


class Settings(BaseSettings):
    """Service configuration; every field maps to ``CANONYM_<FIELD>`` (case-insensitive)."""

    model_config = SettingsConfigDict(env_prefix="CANONYM_", extra="ignore", frozen=True)

    host: str = Field(default="127.0.0.1", description="Interface the HTTP server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port of the HTTP server.")
    max_names_per_request: int = Field(
        default=10_000,
        ge=1,
        description="Most names accepted by one /v1/normalize or /v1/cluster request.",
    )
    max_pairs_per_request: int = Field(
        default=10_000, ge=1, description="Most pairs accepted by one /v1/compare request."
    )
    max_name_length: int = Field(
        default=500, ge=1, description="Most characters accepted in one name."
    )
    log_level: LogLevel = Field(default="info", description="Level of the service's logs.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the registry store, e.g. "
        "postgresql+psycopg://user@host/db; unset: the SQLite file `database_path`.",
    )
    database_path: str = Field(
        default="canonym.db",
        min_length=1,
        description="SQLite file of the registry when `database_url` is unset.",
    )
    seed_file: str | None = Field(
        default=None,
        description="JSON Lines registry loaded once at start; unset: the bundled "
        "seeds/registry.jsonl.",
    )
    load_seeds: bool = Field(
        default=True, description="Load the seed registry at start (idempotent)."
    )
    api_keys: str | None = Field(
        default=None,
        description="Comma-separated API keys required by every mutating route; unset: "
        "writes are open.",
    )
    max_entities_per_request: int = Field(
        default=100_000, ge=1, description="Most entities accepted by one import request."
    )
    resolve_top_k: int = Field(
        default=3, ge=1, le=50, description="Candidates returned per name by default."
    )
    max_body_bytes: int = Field(
        default=33_554_432,
        ge=1,
        description="Most bytes accepted in one request body (413 body_too_large beyond).",
    )
    cors_origins: str | None = Field(
        default=None,
        description="Comma-separated origins allowed to call the API from a browser (CORS); "
        "unset: no CORS headers at all.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_log_level(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("database_url", "api_keys")
    @classmethod
    def _refuse_placeholder_secret(cls, value: str | None) -> str | None:
        if value is not None and any(p in value.lower() for p in _PLACEHOLDER_SECRETS):
            msg = "the value contains a placeholder secret (changethis/changeme); set a real one"
            raise ValueError(msg)
        return value

    @property
    def store_url(self) -> str:
        """The SQLAlchemy URL of the registry: ``database_url``, else the SQLite file."""
        return self.database_url or f"sqlite:///{self.database_path}"

    @property
    def api_key_list(self) -> tuple[str, ...]:
        """The configured API keys, blanks dropped; empty when writes are open."""
        if self.api_keys is None:
            return ()
        return tuple(k.strip() for k in self.api_keys.split(",") if k.strip())

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        """The origins allowed by CORS, blanks dropped; empty when CORS is off."""
        if self.cors_origins is None:
            return ()
        return tuple(o.strip() for o in self.cors_origins.split(",") if o.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings()
