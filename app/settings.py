"""Canonym's settings: one typed object read from ``CANONYM_*`` environment variables.

Read settings through ``get_settings()`` (or ``SettingsDep`` in the HTTP layer); tests pass their
own ``Settings`` to ``create_app`` instead of mutating this module.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Environment", "LogFormat", "LogLevel", "Settings", "get_settings"]

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
LogFormat = Literal["json", "text"]
Environment = Literal["development", "production"]

# Values copied from templates that must never reach a running service.
_PLACEHOLDER_SECRETS = ("changethis", "changeme")


class Settings(BaseSettings):
    """Service configuration; every field maps to ``CANONYM_<FIELD>`` (case-insensitive)."""

    model_config = SettingsConfigDict(env_prefix="CANONYM_", extra="ignore", frozen=True)

    environment: Environment = Field(
        default="development",
        description="`production` refuses placeholder secrets and requires `api_keys`; "
        "`development` only warns about placeholders.",
    )
    host: str = Field(default="127.0.0.1", description="Interface the HTTP server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port of the HTTP server.")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Server processes started by `canonym serve`; each keeps its own index.",
    )
    shutdown_timeout_seconds: int = Field(
        default=30,
        ge=0,
        description="On SIGTERM, how long in-flight requests may take to finish before the "
        "server closes them.",
    )
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
    log_format: LogFormat = Field(
        default="json",
        description="`json`: one JSON object per line with the request id; `text`: plain lines.",
    )
    cors_origins: str | None = Field(
        default=None,
        description="Comma-separated origins that browsers may call the API from; unset: none.",
    )
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
    sync_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often each process reads the registry's change log and applies "
        "other processes' writes to its index.",
    )
    max_body_bytes: int = Field(
        default=33_554_432,
        ge=1,
        description="Most bytes accepted in one request body (413 body_too_large beyond).",
    )

    @field_validator("log_level", "log_format", "environment", mode="before")
    @classmethod
    def _lower_choice(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_secrets(self) -> Self:
        """Placeholder secrets are refused in production and only warned about in
        development; production also requires API keys, so that writes are never open."""
        for name in ("database_url", "api_keys"):
            value = getattr(self, name)
            if value is None or not any(p in value.lower() for p in _PLACEHOLDER_SECRETS):
                continue
            msg = (
                f"CANONYM_{name.upper()} contains a placeholder secret (changethis/changeme); "
                "set a real one"
            )
            if self.environment != "development":
                raise ValueError(msg)
            warnings.warn(msg, stacklevel=2)
        if self.environment == "production" and not self.api_key_list:
            msg = (
                "CANONYM_API_KEYS must be set in production (CANONYM_ENVIRONMENT=production): "
                "without keys every client could change the registry"
            )
            raise ValueError(msg)
        return self

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
        """The origins browsers may call from, blanks dropped; empty: no CORS headers."""
        if self.cors_origins is None:
            return ()
        return tuple(o.strip() for o in self.cors_origins.split(",") if o.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings()
