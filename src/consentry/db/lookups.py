"""Finding which of many keys a table holds, in one statement on PostgreSQL.

An `IN` list of thousands of parameters, once psycopg prepares the statement (its fifth
run on a connection), is planned without the values: PostgreSQL then walked every row
of the owner (every value of a bank, every content hash of a key) and compared it with
each value sent, so each batch of an import or a backfill took longer than the last
(30 s a batch of 10^4 bank values with 7*10^4 held). A plain join of the keys is
planned from the table's statistics, which a bulk import outruns: believing the bank
held one value, PostgreSQL hashed all 2*10^5 it held for every batch of 1,000.

So the keys travel as one array per column (`unnested`), and each is looked up on its
own through the unique index (`one_each`: a LATERAL subquery with LIMIT 1, which
PostgreSQL runs once per key and never flattens into a join), whatever the statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, String, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import TableValuedAlias


def unnests(session: Session) -> bool:
    """Whether this session's database takes `unnested` (PostgreSQL does, SQLite not)."""
    return session.get_bind().dialect.name == "postgresql"


def unnested(name: str, **columns: Sequence[str]) -> TableValuedAlias:
    """The rows whose columns are these equal-length string lists, as a derived table
    `name`: one parameter per column, however many rows."""
    arrays = [
        bindparam(f"{name}_{column}", list(values), ARRAY(String))
        for column, values in columns.items()
    ]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name=name)


def one_each(
    sent: TableValuedAlias, lookup: Select[*tuple[Any, ...]], entity: type[Any] | None = None
) -> Select[Any]:
    """For each row `sent`, the row `lookup` finds (it compares a unique key with `sent`'s
    columns): `lookup`'s columns, or `entity` (a mapped class) loaded from them."""
    each = lookup.limit(1).lateral("found")
    found = each if entity is None else aliased(entity, each)
    return select(found).select_from(sent).join(each, true())
