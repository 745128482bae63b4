"""Group commit for matched scans: the scans of concurrent requests are settled in one
transaction by one writer per worker, and each request is answered only once that
transaction has committed (a 200 means the scan record is durable).

A commit per matched scan made them ten times slower than unmatched ones (each waits
for its own disk flush and, on SQLite, for the write lock); a viral image's re-uploads
are all matches. No request waits for a batch to fill: the writer takes whatever has
queued while it wrote the last one, so a lone scan is written at once.

On PostgreSQL the writer runs on the worker's event loop (psycopg's asynchronous
connection; the service functions run as they are, through SQLAlchemy's `run_sync`):
a thread of its own would wait for the interpreter lock after every round trip while
the loop serves requests, which cost more than the queries. SQLite has no
asynchronous driver here; its writes go to a thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
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
        self._autocommit: AsyncEngine | None = None  # the same pool, statement by statement
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
            # No pre-ping: it would cost a round trip per batch. A connection that went
            # away fails its batch, which is retried request by request on a new one.
            self._async = create_async_engine(self._async_url, hide_parameters=True)
            self._autocommit = self._async.execution_options(isolation_level="AUTOCOMMIT")
        assert self._autocommit is not None
        # Most matched scans are of values no case holds: the entries' states, the
        # records and their matches are one statement, atomic by itself, committed as it
        # runs: one round trip, no BEGIN or COMMIT of their own.
        async with AsyncSession(self._autocommit) as auto:
            states, ids = await auto.run_sync(
                lambda session: record_unless_held(session=session, requests=requests)
            )
        settled, kept, held = sort_out(requests=requests, states=states)
        if not held:
            return with_ids(settled, ids) if kept else settled
        # A copy of a confirmed request: records, found copies and removal requests are
        # written in one transaction.
        async with async_sessionmaker(self._async, expire_on_commit=False).begin() as session:
            return await session.run_sync(write)

    def _commit_sqlite(self, write: Callable[[Session], list[Settled]]) -> list[Settled]:
        with session_scope(self.engine) as session:
            return write(session)
