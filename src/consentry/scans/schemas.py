"""Scan requests and answers."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from consentry.hashing.pdq import MIN_RELIABLE_QUALITY
from consentry.matching.matcher import Query
from consentry.matching.schemas import Match
from consentry.signals.base import SignalKind
from consentry.signals.registry import KINDS, hex_value


class Verdict(StrEnum):
    NO_MATCH = "no_match"
    REVIEW = "review"
    AUTO_ACTION = "auto_action"


ContentId = Field(
    default=None, max_length=200, description="The platform's own identifier of the upload."
)


IndexContent = Field(
    default=False,
    description="Also register this content (its `content_id` and hash) in the content index"
    " (the key needs `content:write`): a bank value confirmed later finds it.",
)

# An image yields a few dozen window hashes; a list longer than this is not one image's.
MAX_VALUES = 100
# A video's frames: three hours at one a second. Also the most frames in one batch.
MAX_FRAMES = 10_800


class FrameIn(BaseModel):
    """One frame of a video hashed by the platform: vPDQ's time, PDQ and quality."""

    model_config = ConfigDict(extra="forbid")

    t: float = Field(ge=0, le=86_400, description="Seconds from the start of the video.")
    pdq: str = Field(min_length=64, max_length=64, pattern="^[0-9a-fA-F]+$")
    quality: int | None = Field(
        default=None, ge=0, le=100, description="Frames below 50 are not looked up."
    )


def _shape(kind: SignalKind) -> dict[str, Any]:
    return {"type": "array"} if kind.grouped else {"type": "string"}


class HashScanFields(BaseModel):
    """Exactly one signal, as hex (a grouped kind: a list of an image's values), named by
    its kind (see `HashScan`)."""

    # The schema says what the validator below enforces (S1).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": [name], "properties": {name: _shape(kind)}}
                for name, kind in KINDS.items()
            ]
        },
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> HashScanFields:
        given = [name for name in KINDS if getattr(self, name) is not None]
        if len(given) != 1:
            *others, last = KINDS
            raise ValueError(f"give exactly one of {', '.join(others)} or {last}")
        if getattr(self, "index_content", False) and not getattr(self, "content_id", None):
            raise ValueError("index_content needs the content_id to register")
        return self

    @property
    def frames(self) -> int:
        """How many video frames the scan looks up."""
        return sum(len(getattr(self, n) or ()) for n, kind in KINDS.items() if kind.timed)

    def query(self) -> Query:
        """The kind given and its values (one, unless the kind is grouped), to look up."""
        for name, kind in KINDS.items():
            value = getattr(self, name)
            if value is None:
                continue
            if kind.timed:
                reliable = [
                    f for f in value if f.quality is None or f.quality >= MIN_RELIABLE_QUALITY
                ]
                return Query.from_frames([(f.t, f.pdq) for f in reliable])
            values = value if isinstance(value, list) else [value]
            return Query.from_values(name, [str(v).lower() for v in values])
        raise AssertionError("validated to hold one")

    if TYPE_CHECKING:  # declared after the kinds' fields, below
        content_id: str | None
        index_content: bool


def _value_field(kind: SignalKind) -> Any:
    if kind.timed:
        return (list[FrameIn] | None, Field(default=None, min_length=1, max_length=MAX_FRAMES))
    value: Any = hex_value(kind)
    if kind.grouped:
        return (list[value] | None, Field(default=None, min_length=1, max_length=MAX_VALUES))
    return (value | None, Field(default=None))


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
        index_content=(bool, IndexContent),
    )


class BatchScan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[HashScan] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _bounded(self) -> BatchScan:
        if sum(item.frames for item in self.items) > MAX_FRAMES:
            raise ValueError(f"a batch looks up at most {MAX_FRAMES:,} video frames in all")
        return self


class ScanResult(BaseModel):
    verdict: Verdict
    scan_id: int | None = Field(description="Set when the scan matched and was recorded.")
    content_id: str | None = None
    query_quality: int | None = None
    low_quality: bool | None = None
    matches: list[Match]


class BatchResult(BaseModel):
    results: list[ScanResult]
