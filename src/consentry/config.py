"""Settings: `CONSENTRY_*` environment variables, then an optional TOML file, then defaults."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from consentry.hashing.decode import DEFAULT_MAX_PIXELS

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Every setting; `CONSENTRY_CONFIG` may name a TOML file with the same keys."""

    model_config = SettingsConfigDict(env_prefix="CONSENTRY_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite under data_dir when unset."
    )
    max_image_pixels: int = Field(default=DEFAULT_MAX_PIXELS, gt=0)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    migrate_on_start: bool = True
    # One JSON line per request (never with query strings); off for the busiest deployments.
    access_log: bool = True
    # Set behind a TLS-terminating proxy that does not forward the scheme.
    secure_cookies: bool = False
    # The first administrator, created on first start with a one-time setup link.
    admin_email: str = "admin@localhost"
    public_url: str = "http://127.0.0.1:8000"
    # Per API key, shared by all workers. Scans are generous (an upload pipeline's pace);
    # exporting a whole bank is strict (a bank is personal data in bulk).
    rate_limit_scan_per_minute: int = Field(default=600_000, gt=0)
    rate_limit_per_minute: int = Field(default=6_000, gt=0)
    rate_limit_export_per_hour: int = Field(default=20, gt=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("CONSENTRY_CONFIG")
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        if toml_file:
            sources += (TomlConfigSettingsSource(settings_cls, toml_file=toml_file),)
        return sources

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'consentry.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
