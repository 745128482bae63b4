"""Which ids a shard holds, said once for the index, the registry and the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression


@dataclass(frozen=True, slots=True)
class Share:
    """The ids one shard of `shards` holds: those equal to `shard` modulo `shards`."""

    shard: int
    shards: int

    def picks(self, id_: int) -> bool:
        return id_ % self.shards == self.shard

    def where(self, column: SQLColumnExpression[int]) -> ColumnElement[bool]:
        """The same choice in SQL: a shard's load reads its share, not every row (with N
        shards, the database would otherwise send every value N times)."""
        return column % self.shards == self.shard
