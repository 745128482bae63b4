"""Bank API shapes. Hash values travel only in bodies, never in URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consentry.banks.models import DEFAULT_PDQ_THRESHOLD, Bank
from consentry.signals.registry import SignalName


class BankIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")
    description: str = Field(default="", max_length=2000)
    pdq_threshold: int = Field(default=DEFAULT_PDQ_THRESHOLD, ge=0, le=64)
    auto_max_distance: int = Field(
        default=0,
        ge=-1,
        le=64,
        description=(
            "The largest PDQ distance acted on without a human; at most pdq_threshold"
            " (refused with 422 otherwise); -1: never automatic."
        ),
    )

    @model_validator(mode="after")
    def _within_threshold(self) -> BankIn:
        if self.auto_max_distance > self.pdq_threshold:
            raise ValueError("auto_max_distance is at most pdq_threshold")
        return self


class BankOut(BaseModel):
    name: str
    description: str
    pdq_threshold: int
    auto_max_distance: int
    enabled: bool
    created_at: datetime
    entries: dict[str, int]

    @classmethod
    def of(cls, bank: Bank, counts: dict[str, int]) -> BankOut:
        return cls(
            name=bank.name,
            description=bank.description,
            pdq_threshold=bank.pdq_threshold,
            auto_max_distance=bank.auto_max_distance,
            enabled=bank.enabled,
            created_at=bank.created_at,
            entries=counts,
        )


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signal_type: SignalName = "pdq"
    value: str = Field(min_length=1, max_length=64)
    quality: int | None = Field(default=None, ge=0, le=100)
    status: Literal["pending", "confirmed"] = "pending"
    source_ref: str | None = Field(default=None, max_length=200)
    metadata: dict[str, Any] = Field(default_factory=dict)


class EntriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[EntryIn] = Field(min_length=1, max_length=10_000)


class Rejected(BaseModel):
    index: int
    reason: str


class ImportOut(BaseModel):
    added: int
    unchanged: int
    rejected: list[Rejected]


class EntryRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signal_type: SignalName = "pdq"
    value: str = Field(min_length=1, max_length=64)


class EntryOut(BaseModel):
    entry_id: int
    signal_type: str
    status: str
    changed: bool


class ChangeOut(BaseModel):
    seq: int
    action: str
    at: datetime
    entry_id: int | None
    signal_type: str | None
    value: str | None
    status: str | None = Field(description="The entry's status now (it may have changed since).")


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    next_since: int = Field(description="Pass as `since` to continue; equal to `since` when done.")
