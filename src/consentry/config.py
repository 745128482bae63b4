"""Settings: `CONSENTRY_*` environment variables, then an optional TOML file, then defaults."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_DATA_DIR = Path("var")
# Images over this many pixels are refused before decoding (decompression bombs).
DEFAULT_MAX_PIXELS = 100_000_000


class Settings(BaseSettings):
    """Every setting; `CONSENTRY_CONFIG` may name a TOML file with the same keys."""

    model_config = SettingsConfigDict(env_prefix="CONSENTRY_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite under data_dir when unset."
    )
    max_image_pixels: int = Field(default=DEFAULT_MAX_PIXELS, gt=0)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    # Videos (vPDQ): a frame hashed every this many seconds, and the limits of one video.
    video_seconds_per_hash: float = Field(default=1.0, gt=0, le=60)
    max_video_seconds: float = Field(default=3 * 3600.0, gt=0)
    max_video_hash_seconds: float = Field(
        default=300.0, gt=0, description="wall-clock limit on hashing one video"
    )
    # Images decoded at once per worker process (hashing, scans of uploads, inspection),
    # and how long more wait for a slot before a 503 with Retry-After.
    decode_concurrency: int = Field(default=2, gt=0)
    decode_wait_seconds: float = Field(default=1.0, ge=0)
    migrate_on_start: bool = True
    # One JSON line per request (never with query strings); off for the busiest deployments.
    access_log: bool = True
    # Set behind a TLS-terminating proxy that does not forward the scheme.
    secure_cookies: bool = False
    # Proxies whose X-Forwarded-For / -Proto are believed (addresses or networks, comma-
    # separated, as uvicorn's --forwarded-allow-ips). Unset: none, and every throttle
    # sees the connecting address; anyone could write those headers otherwise.
    trusted_proxies: str = ""
    # Bearer token for /metrics; unset, /metrics answers loopback scrapers only.
    metrics_token: SecretStr | None = None
    # The first administrator, created on first start with a one-time setup link.
    admin_email: str = "admin@localhost"
    public_url: str = "http://127.0.0.1:8000"
    # Per API key, shared by all workers. Scans are generous (an upload pipeline's pace);
    # exporting a whole bank is strict (a bank is personal data in bulk).
    rate_limit_scan_per_minute: int = Field(default=600_000, gt=0)
    rate_limit_per_minute: int = Field(default=6_000, gt=0)
    rate_limit_export_per_hour: int = Field(default=20, gt=0)

    # Notice and removal (cases). Clocks run in wall-clock hours from the receipt of a
    # valid notice and are never paused.
    removal_hours: int = Field(default=48, gt=0, description="TAKE IT DOWN / UK OSA s.10(3A)")
    internal_target_hours: int = Field(default=24, gt=0, description="other request types")
    escalation_hours: list[int] = Field(default=[12, 24, 36])
    # The bank that holds hashes from cases; created on first use.
    case_bank: str = "cases"
    # Keep confirmed hashes when a requester withdraws, where the operator has its own
    # legal basis (e.g. the UK re-upload duty); the requester is told so.
    keep_adjudicated_hashes: bool = False
    # The public portal (IN-40): past the first limit a network is asked to wait; past the
    # second, requests naming one contact are still filed, flagged for senior review.
    portal_requests_per_network_hour: int = Field(default=20, gt=0)
    portal_requests_per_contact_day: int = Field(default=5, gt=0)
    # The review console (MW-*): where a platform's media previews come from, as a URL
    # with {content_id}; unset, no media is ever shown. Previews are blurred and grey
    # by default; each reviewer may change that for themselves.
    preview_url_template: str | None = None
    console_blur_previews: bool = True
    console_greyscale_previews: bool = True
    console_blur_strength: int = Field(default=24, description="pixels; see BLUR_STRENGTHS")
    # MW-04: reveals per reviewer per day before the console asks them to take a break.
    console_reveals_per_day: int = Field(default=50, gt=0)
    claim_lease_minutes: int = Field(default=15, gt=0)
    # The DSA Transparency Database (NT-03); unset, statements wait in the queue.
    tdb_url: str | None = None
    tdb_token: SecretStr | None = None
    # TR-07: published counts below this are shown as "<N".
    report_small_numbers: int = Field(default=5, ge=1)
    # Preservation before removal (AU-03): the hold on every record, and whether the
    # platform may store the item's bytes (encrypted; off by default).
    preservation_days: int = Field(default=365, ge=1)
    evidence_copies: bool = False
    # Retention (AU-07): days after a case closes (copies: after their hold ends) before
    # each class of personal data is purged; legal holds come first. See retention/purge.py.
    retention_contact_days: int = Field(default=180, ge=1)
    retention_free_text_days: int = Field(default=365, ge=1)
    retention_copies_days: int = Field(default=30, ge=0)
    retention_closed_hashes_days: int = Field(default=365, ge=1)
    retention_interval_seconds: int = Field(default=3600, ge=1)
    # The content index in Ray actors, split this many ways (0: in the copy finder's own
    # memory); on the Ray cluster at `ray_address`, else Ray's local runtime.
    content_shards: int = Field(default=0, ge=0, le=1024)
    # The bank indexes in Ray actors shared by every worker, split this many ways (0: in
    # each worker's memory, as for most banks: a lookup stays in-process).
    bank_shards: int = Field(default=0, ge=0, le=1024)
    ray_address: str | None = None
    # Content index hashes are kept while their content is registered; with a number, a
    # hash registered longer ago is deleted (platforms that index only recent uploads).
    retention_content_days: int | None = Field(default=None, ge=1)
    # C2PA trust anchors (PEM); unset, the list shipped in consentry/detection/trust.
    c2pa_trust_anchors: Path | None = None
    # The Ed25519 key that signs evidence bundles; made on first use if missing.
    evidence_key: Path | None = None
    # How often the audit chain's head is signed (a checkpoint), in seconds.
    audit_checkpoint_seconds: float = Field(default=3600, gt=0)
    appeal_window_days: int = Field(default=183, ge=183, description="DSA Art. 20: >= 6 months")
    legal_ground: str = (
        "Non-consensual intimate imagery: 47 U.S.C. 223(h) (TAKE IT DOWN Act); "
        "Sexual Offences Act 2003 s.66B (UK); national law under Directive (EU) 2024/1385 Art. 5"
    )
    terms_ground: str = "Our terms of service prohibit sharing intimate images without consent."
    dispute_settlement: str = (
        "You may also refer this decision to a certified out-of-court dispute settlement body "
        "(DSA Art. 21) or to a court."
    )
    # Background work: clocks, copies found by scans, webhook and e-mail delivery.
    scheduler_seconds: float = Field(default=2.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Networks webhooks and the Transparency Database may reach although they are not
    # public (comma-separated), e.g. "10.20.0.0/16" for a receiver inside your network.
    outbound_allow: str = ""
    # One request to an exchange (a hub feed page, a StopNCII call), answer read in full.
    exchange_timeout_seconds: float = Field(default=30.0, gt=0)
    delivery_max_attempts: int = Field(default=12, gt=0)
    delivery_backoff_seconds: float = Field(default=30.0, gt=0)
    # Outgoing e-mail (receipts, decisions). Unset host: messages wait in the outbox.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "consentry@localhost"

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

    def evidence_key_path(self) -> Path:
        return self.evidence_key or self.data_dir / "evidence-ed25519.pem"

    def evidence_copy_key_path(self) -> Path:
        return self.data_dir / "evidence-copies.key"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
