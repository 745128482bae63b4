"""Group commit for matched scans: the scans of concurrent requests are settled in one
transaction by one writer per worker, and each request is answered only once that
transaction has committed (a 200 means the scan record is durable).

A commit per matched scan made them ten times slower than unmatched ones (each waits
for its own disk flush and, on SQLite, for the write lock); a viral image's re-uploads
are all matches. No request waits for a batch to fill: the writer takes whatever has
queued while it wrote the last one, so a lone scan is written at once.

On PostgreSQL the writer runs on the worker's event loop, on an asynchronous psycopg
connection of its own (one statement a batch, `records.record_unless_held`; the rare
batch that a case holds goes through the service functions, with SQLAlchemy's
`run_sync`): a thread of its own would wait for the interpreter lock after every round
trip while the loop serves requests, which cost more than the queries. SQLite has no
asynchronous driver here; its writes go to a thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from consentry.config import Settings
from consentry.db.engine import is_sqlite
from consentry.db.session import session_scope
from consentry.scans.records import Scans, record_unless_held
from consentry.scans.service import Settled, settle, sort_out, with_ids

log = logging.getLogger(__name__)

# Requests per transaction at most (each up to 100 scans): a bounded transaction, and
# a bounded loss of work when one of them fails.
MAX_BATCH = 64


@dataclass(slots=True)
class _Waiting:
    scans: Scans
    future: asyncio.Future[Settled]


class ScanIntake:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        url = settings.resolved_database_url()
        self._async_url = None if is_sqlite(url) else url
        self._async: AsyncEngine | None = None
        self._raw: psycopg.AsyncConnection[Any] | None = None
        self._queue: asyncio.Queue[_Waiting] | None = None
        self._writer: asyncio.Task[None] | None = None

    async def settle(self, scans: Scans) -> Settled:
        """Record these scans (with the others queued meanwhile); returns once committed."""
        if self._queue is None:  # the loop is the worker's own: started at first use
            self._queue = asyncio.Queue()
            self._writer = asyncio.create_task(self._run(self._queue), name="scan-intake")
        waiting = _Waiting(scans, asyncio.get_running_loop().create_future())
        self._queue.put_nowait(waiting)
        # Shielded: a client that disconnects does not take its scans out of the batch.
        return await asyncio.shield(waiting.future)

    async def close(self) -> None:
        """Write what is queued, then end the writer (at shutdown, requests drained)."""
        if self._queue is not None and self._writer is not None:
            await self._queue.join()
            self._writer.cancel()
        if self._async is not None:
            await self._async.dispose()
        if self._raw is not None:
            await self._raw.close()

    async def _run(self, queue: asyncio.Queue[_Waiting]) -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < MAX_BATCH:
                batch.append(queue.get_nowait())
            try:
                await self._write(batch)
            finally:
                for _ in batch:
                    queue.task_done()

    async def _write(self, batch: list[_Waiting]) -> None:
        try:
            results = await self._commit([waiting.scans for waiting in batch])
        except Exception as error:
            if len(batch) > 1:  # one request's failure must not fail the others
                for waiting in batch:
                    await self._write([waiting])
                return
            log.exception("recording a matched scan failed")
            if not batch[0].future.done():
                batch[0].future.set_exception(error)
            return
        for waiting, result in zip(batch, results, strict=True):
            if not waiting.future.done():  # its client went away; the scans are kept
                waiting.future.set_result(result)

    async def _commit(self, requests: list[Scans]) -> list[Settled]:
        def write(session: Session) -> list[Settled]:
            return settle(session=session, requests=requests, settings=self.settings)

        if self._async_url is None:
            return await run_in_threadpool(self._commit_sqlite, write)
        if self._async is None:
            self._async = create_async_engine(
                self._async_url, pool_pre_ping=True, hide_parameters=True
            )
        # Most matched scans are of values no case holds: the entries' states, the
        # records and their matches are one statement, atomic by itself, committed as it
        # runs: one round trip, no BEGIN or COMMIT of their own.
        connection = await self._connection()
        try:
            states, ids = await record_unless_held(connection=connection, requests=requests)
        except psycopg.OperationalError:
            if not connection.broken:
                raise
            # The server closed the connection (a restart, a failover, an idle timeout):
            # once more on a new one. Lost before it was sent, the batch was not written.
            connection = await self._connection()
            states, ids = await record_unless_held(connection=connection, requests=requests)
        settled, kept, held = sort_out(requests=requests, states=states)
        if not held:
            return with_ids(settled, ids) if kept else settled
        # A copy of a confirmed request: records, found copies and removal requests are
        # written in one transaction.
        async with async_sessionmaker(self._async, expire_on_commit=False).begin() as session:
            return await session.run_sync(write)

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        """The writer's own connection (autocommit), opened again after any failure."""
        if self._raw is None or self._raw.closed or self._raw.broken:
            url = make_url(self._async_url or "").set(drivername="postgresql")
            self._raw = await psycopg.AsyncConnection.connect(
                url.render_as_string(hide_password=False), autocommit=True, prepare_threshold=0
            )
            # The statement is prepared once; left to choose, the server planned it anew
            # for every batch (half its time), though one plan fits every batch.
            await self._raw.execute("SET plan_cache_mode = force_generic_plan")
        return self._raw

    def _commit_sqlite(self, write: Callable[[Session], list[Settled]]) -> list[Settled]:
        with session_scope(self.engine) as session:
            return write(session)
