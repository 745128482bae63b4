"""F9: a receiver that answers one byte every few seconds cannot hold delivery past its
deadline, and two workers never send one message twice."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from consentry.actions.delivery import deliver_due
from consentry.actions.models import Channel, OutboxMessage
from consentry.actions.outbox import enqueue_webhook
from consentry.actions.service import add_endpoint
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.outbound.client import FAILED
from tests.cases.support import LOOPBACK


@contextmanager
def slow_drip() -> Iterator[tuple[str, list[float]]]:
    """A receiver on loopback that reads the request, then answers one byte every half
    second (each read well within any per-read timeout); yields its URL and the times it
    accepted a connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[float] = []
    stop = threading.Event()

    def drip(connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\n" * 100:
                if stop.wait(0.5):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(time.monotonic())
            threading.Thread(target=drip, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook", accepted
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_a_slow_drip_receiver_is_cut_off_and_never_sent_twice(
    engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=str(engine.url),
        webhook_timeout_seconds=1.0,
        outbound_allow="127.0.0.0/8",
    )
    with slow_drip() as (url, accepted):
        with session_scope(engine) as session:
            add_endpoint(actor=SYSTEM, session=session, url=url, allowed=LOOPBACK)
            enqueue_webhook(session=session, event="bank.updated", data={"bank": "cases"})
        done = threading.Event()

        def worker() -> None:
            while not done.is_set():
                deliver_due(engine=engine, settings=settings, channel=Channel.WEBHOOK)
                time.sleep(0.05)

        workers = [threading.Thread(target=worker) for _ in range(2)]
        for thread in workers:
            thread.start()
        time.sleep(4)  # four deadlines: the drip would still be in its status line
        done.set()
        for thread in workers:
            thread.join(timeout=10)
        assert not any(thread.is_alive() for thread in workers)
        with session_scope(engine) as session:
            messages = session.query(OutboxMessage).all()
    assert len(accepted) == 1  # one attempt, by one worker
    (message,) = messages
    assert message.delivered_at is None
    assert message.attempts == 1
    assert message.last_error == FAILED
