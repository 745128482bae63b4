"""Scan requests and answers."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consentry.matching.schemas import Match


class Verdict(StrEnum):
    NO_MATCH = "no_match"
    REVIEW = "review"
    AUTO_ACTION = "auto_action"


ContentId = Field(
    default=None, max_length=200, description="The platform's own identifier of the upload."
)


class HashScan(BaseModel):
    """Exactly one of pdq, sha256 or md5, as hex."""

    # The schema says what the validator below enforces (S1).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": [name], "properties": {name: {"type": "string"}}}
                for name in ("pdq", "sha256", "md5")
            ]
        },
    )

    pdq: str | None = Field(default=None, min_length=64, max_length=64, pattern="^[0-9a-fA-F]+$")
    sha256: str | None = Field(default=None, min_length=64, max_length=64, pattern="^[0-9a-fA-F]+$")
    md5: str | None = Field(default=None, min_length=32, max_length=32, pattern="^[0-9a-fA-F]+$")
    content_id: str | None = ContentId

    @model_validator(mode="after")
    def _exactly_one(self) -> HashScan:
        given = [name for name in ("pdq", "sha256", "md5") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of pdq, sha256 or md5")
        return self

    @property
    def signal(self) -> tuple[str, str]:
        for name in ("pdq", "sha256", "md5"):
            value = getattr(self, name)
            if value is not None:
                return name, value.lower()
        raise AssertionError("validated to hold one")


class BatchScan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[HashScan] = Field(min_length=1, max_length=100)


class ScanResult(BaseModel):
    verdict: Verdict
    scan_id: int | None = Field(description="Set when the scan matched and was recorded.")
    content_id: str | None = None
    query_quality: int | None = None
    low_quality: bool | None = None
    matches: list[Match]


class BatchResult(BaseModel):
    results: list[ScanResult]
