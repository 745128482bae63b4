"""Registering content: a content id and its hashes, of the kinds that stand alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from consentry.signals.base import SignalKind
from consentry.signals.registry import KINDS, hex_value

# Kinds whose single value stands for the content (a PDQ, a digest): a grouped kind's
# values (windows, video frames) only mean something together.
INDEXED = [name for name, kind in KINDS.items() if not kind.grouped]
MAX_ITEMS = 1000

ContentKey = Annotated[str, Field(min_length=1, max_length=200)]


class ContentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _some_hash(self) -> ContentFields:
        if not self.values():
            raise ValueError(f"give at least one of {', '.join(INDEXED)}")
        return self

    def values(self) -> list[tuple[str, str]]:
        """(kind, value) pairs given, lowercase."""
        return [(name, getattr(self, name).lower()) for name in INDEXED if getattr(self, name)]

    if TYPE_CHECKING:
        content_id: str


def _optional(kind: SignalKind) -> Any:
    return (hex_value(kind) | None, Field(default=None))


if TYPE_CHECKING:
    ContentItem = ContentFields
else:
    ContentItem = create_model(
        "ContentItem",
        __base__=ContentFields,
        __doc__="One piece of the platform's content: its id and one or more of its hashes.",
        content_id=(ContentKey, ...),
        **{name: _optional(KINDS[name]) for name in INDEXED},
    )


class ContentBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ContentItem] = Field(min_length=1, max_length=MAX_ITEMS)


class ContentRemoval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_ids: list[ContentKey] = Field(min_length=1, max_length=MAX_ITEMS)


class Registered(BaseModel):
    added: int = Field(description="Hashes newly registered.")
    unchanged: int = Field(description="Hashes this key had registered already.")


class Removed(BaseModel):
    removed: int = Field(description="Hashes deleted (every hash of each content id).")
