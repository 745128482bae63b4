"""Scan requests and answers."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from consentry.matching.schemas import Match
from consentry.signals.base import SignalKind
from consentry.signals.registry import KINDS


class Verdict(StrEnum):
    NO_MATCH = "no_match"
    REVIEW = "review"
    AUTO_ACTION = "auto_action"


ContentId = Field(
    default=None, max_length=200, description="The platform's own identifier of the upload."
)


class HashScanFields(BaseModel):
    """Exactly one signal value, as hex, named by its kind (see `HashScan`)."""

    # The schema says what the validator below enforces (S1).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": [name], "properties": {name: {"type": "string"}}} for name in KINDS
            ]
        },
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> HashScanFields:
        given = [name for name in KINDS if getattr(self, name) is not None]
        if len(given) != 1:
            *others, last = KINDS
            raise ValueError(f"give exactly one of {', '.join(others)} or {last}")
        return self

    @property
    def signal(self) -> tuple[str, str]:
        for name in KINDS:
            value = getattr(self, name)
            if value is not None:
                return name, str(value).lower()
        raise AssertionError("validated to hold one")

    if TYPE_CHECKING:  # declared after the kinds' fields, below
        content_id: str | None


def _value_field(kind: SignalKind) -> Any:
    digits = kind.hex_digits
    return (
        str | None,
        Field(default=None, min_length=digits, max_length=digits, pattern="^[0-9a-fA-F]+$"),
    )


# One optional field per signal kind, then content_id: a new kind is scannable as is.
if TYPE_CHECKING:
    HashScan = HashScanFields
else:
    HashScan = create_model(
        "HashScan",
        __base__=HashScanFields,
        __doc__=f"Exactly one of {', '.join([*KINDS][:-1])} or {[*KINDS][-1]}, as hex.",
        **{name: _value_field(kind) for name, kind in KINDS.items()},
        content_id=(str | None, ContentId),
    )


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
