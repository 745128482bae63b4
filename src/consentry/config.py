"""Settings, from `CONSENTRY_*` environment variables with safe defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from consentry.hashing.decode import DEFAULT_MAX_PIXELS

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSENTRY_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite under data_dir when unset."
    )
    max_image_pixels: int = Field(default=DEFAULT_MAX_PIXELS, gt=0)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'consentry.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
