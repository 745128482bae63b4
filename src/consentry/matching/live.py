"""The matcher a worker serves from: loaded in the background at start-up (readiness
waits for it), then kept current by following the bank change log."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path

from sqlalchemy import Engine

from consentry.api.problems import Problem
from consentry.matching.follower import ChangeFollower, IndexFactory, load_matcher
from consentry.matching.matcher import Matcher
from consentry.signals.hamming import warm_up

log = logging.getLogger(__name__)


class LiveIndex:
    def __init__(
        self, read_engine: Engine, *, snapshot: Path, shards: Callable[[], IndexFactory] | None
    ) -> None:
        """`shards`: the bank indexes are in shards elsewhere (`matching.shards`); this
        makes indexes over them (joining Ray: in the background, as loading is)."""
        self.engine = read_engine
        self.snapshot = snapshot
        self.shards = shards
        self.matcher: Matcher | None = None
        self.load_error: str | None = None
        self._follower: ChangeFollower | None = None
        self._stopping = threading.Event()
        self._loader = threading.Thread(target=self._load, name="consentry-index", daemon=True)

    def start(self) -> None:
        self._loader.start()

    def stop(self) -> None:
        self._stopping.set()
        self._loader.join(timeout=5)  # first: it is what starts the follower
        if self._follower is not None:
            self._follower.stop()

    def ready(self) -> Matcher:
        """The matcher, or 503 while it loads."""
        if self.matcher is None:
            raise Problem(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "not-ready",
                "the hash index is still loading; retry shortly",
                headers={"Retry-After": "2"},
            )
        return self.matcher

    def _load(self) -> None:
        try:
            warm_up()  # ready means fast: no compilation on the first scan
            if self.shards is None:
                matcher = load_matcher(self.engine, snapshot=self.snapshot)
            else:
                matcher = load_matcher(self.engine, indexes=self.shards())
        except Exception as error:  # readiness reports it; the process stays up for health checks
            log.exception("loading the matcher failed")
            self.load_error = type(error).__name__
            return
        if self._stopping.is_set():  # stopped while loading: start nothing more
            return
        self._follower = ChangeFollower(self.engine, matcher)
        self._follower.start()
        # Everything loaded so far lives as long as the process: keeping it out of the
        # collector's full passes avoids pauses of tens of milliseconds under load.
        gc.freeze()
        self.matcher = matcher
