from pathlib import Path

import pytest

from consentry.config import Settings


def test_environment_overrides_toml_which_overrides_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "consentry.toml"
    config.write_text('max_upload_bytes = 1000\nadmin_email = "ops@example.org"\n')
    monkeypatch.setenv("CONSENTRY_CONFIG", str(config))
    monkeypatch.setenv("CONSENTRY_ADMIN_EMAIL", "env@example.org")
    settings = Settings()
    assert settings.max_upload_bytes == 1000
    assert settings.admin_email == "env@example.org"
    assert settings.max_image_pixels == 100_000_000
    assert settings.resolved_database_url() == "sqlite:///var/consentry.db"
