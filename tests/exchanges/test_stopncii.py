"""The StopNCII client against a stand-in of its API: statuses honoured (a withdrawn
hash stops matching), pages and checkpoints, and faults that lose nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.banks import service as banks
from consentry.banks.models import BankEntry
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.exchanges.models import Exchange, ExchangeKind
from consentry.exchanges.sync import sync
from consentry.matching.schemas import Match, Tier
from consentry.scans.models import Outcome, ScanRecord
from consentry.scans.outcomes import record_outcome
from consentry.scans.records import Scans
from consentry.scans.service import settle
from tests.exchanges import support
from tests.exchanges.stopncii_standin import (
    FEEDBACK_KEY,
    FETCH_KEY,
    SUBSCRIPTION,
    StandIn,
    stopncii,
)

PDQS = [f"{n:064x}" for n in range(1, 8)]


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with stopncii() as state:
        yield state


@pytest.fixture
def follow(engine: Engine, standin: StandIn, tmp_path: Path) -> Settings:
    keys = tmp_path / "stopncii.json"
    keys.write_text(
        json.dumps(
            {"subscription": SUBSCRIPTION, "FetchHashes": FETCH_KEY, "SubmitFeedback": FEEDBACK_KEY}
        )
    )
    support.follow(
        engine, name="stopncii", kind=ExchangeKind.STOPNCII, location=standin.url,
        bank="stopncii", key_file=str(keys),
    )  # fmt: skip
    return Settings(data_dir=tmp_path, outbound_allow="127.0.0.1/32", exchange_timeout_seconds=1.0)


def _held(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {e.value: e.status.value for e in session.scalars(select(BankEntry))}


def _sync(engine: Engine, settings: Settings) -> tuple[int, int, int, str | None]:
    result = sync(engine=engine, settings=settings, name="stopncii", actor=SYSTEM)
    applied = result.applied
    return applied.added, applied.withdrawn + applied.revoked, result.pages, result.error


def test_statuses_are_honoured_and_pages_followed(
    engine: Engine, standin: StandIn, follow: Settings
) -> None:
    for value in PDQS[:5]:
        standin.put("ImagePDQ", value, "Active")
    standin.put("ImagePDQ", PDQS[5], "Received")
    standin.put("StopNCIISignalType.ImagePDQ", PDQS[6], "Active")  # pytx's own spelling
    standin.put("VideoTMK", "ab" * 400, "Active")  # not matchable here: reported
    standin.put("ImagePDQ", "f" * 64, "Withdrawn")  # never held: nothing kept
    result = sync(engine=engine, settings=follow, name="stopncii", actor=SYSTEM)
    assert result.error is None
    assert result.applied.added == 7
    assert result.skipped == ["VideoTMK hashes cannot be matched here"]
    held = _held(engine)
    assert held[PDQS[5]] == "pending"
    assert {held[v] for v in PDQS[:5]} == {"confirmed"}
    assert "f" * 64 not in held

    standin.put("ImagePDQ", PDQS[0], "Withdrawn")
    standin.put("ImagePDQ", PDQS[1], "Deleted")
    standin.put("ImagePDQ", PDQS[0], "Active")  # a later record cannot revive it here
    assert _sync(engine, follow)[:2] == (0, 1)
    standin.put("ImagePDQ", PDQS[0], "Withdrawn")
    assert _sync(engine, follow)[:2] == (0, 1)
    held = _held(engine)
    assert (held[PDQS[0]], held[PDQS[1]]) == ("withdrawn", "revoked")
    standin.put("ImagePDQ", PDQS[0], "Active")
    _sync(engine, follow)
    assert _held(engine)[PDQS[0]] == "withdrawn"  # withdrawals win, never revived


def test_many_pages_and_a_checkpoint_that_moves_on(
    engine: Engine, standin: StandIn, follow: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("consentry.exchanges.stopncii.PAGE_SIZE", 3)
    values = [f"{n:064x}" for n in range(100, 110)]
    for value in values:
        standin.put("ImagePDQ", value, "Active")
    assert _sync(engine, follow) == (10, 0, 4, None)
    with session_scope(engine) as session:
        checkpoint = session.scalar(select(Exchange.checkpoint))
    assert checkpoint is not None
    assert (checkpoint["timestamp"], checkpoint["page"]) == (standin.clock, "")
    with session_scope(engine) as session:
        newest = session.scalar(select(Exchange.source_time))
    assert newest is not None
    assert int(newest.timestamp()) == standin.clock  # the source's clock: how far behind
    standin.calls.clear()
    standin.put("ImagePDQ", values[0], "Withdrawn")
    assert _sync(engine, follow) == (0, 1, 1, None)
    assert standin.calls == [{"start": str(standin.clock - 1), "token": ""}]


def test_faults_lose_nothing(engine: Engine, standin: StandIn, follow: Settings) -> None:
    for value in PDQS[:3]:
        standin.put("ImagePDQ", value, "Active")
    standin.fail_next = 2  # retried within the sync
    assert _sync(engine, follow) == (3, 0, 1, None)

    standin.put("ImagePDQ", PDQS[3], "Active")
    standin.fail_next = 10  # more than the retries: the sync stops, the checkpoint stays
    added, _, pages, error = _sync(engine, follow)
    assert (added, pages) == (0, 0)
    assert error == "StopNCII did not answer (HTTP 500; 4 tries)"
    standin.fail_next = 0
    standin.slow_next, standin.slow_seconds = 4, 2.0  # past the 1-s deadline, each time
    assert "no answer within 1 s" in str(_sync(engine, follow)[3])
    assert _sync(engine, follow)[0] == 1


def test_an_expired_cursor_restarts_its_set_and_a_stale_checkpoint_fetches_all(
    engine: Engine, standin: StandIn, follow: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for value in PDQS[:4]:
        standin.put("ImagePDQ", value, "Active")
    with session_scope(engine) as session:
        exchange = session.scalar(select(Exchange))
        assert exchange is not None
        exchange.checkpoint = {"timestamp": 10, "page": "10:2", "fetched_at": 2_000_000_000}
    standin.expired_cursors = True
    monkeypatch.setattr("consentry.exchanges.stopncii.PAGE_SIZE", 800)
    with monkeypatch.context() as patched:
        patched.setattr("time.time", lambda: 2_000_000_100)
        assert _sync(engine, follow)[0] == 4
    assert standin.calls[0]["token"] == "10:2"
    assert standin.calls[1]["token"] == ""

    with session_scope(engine) as session:
        exchange = session.scalar(select(Exchange))
        assert exchange is not None
        exchange.checkpoint = {"timestamp": standin.clock, "page": "", "fetched_at": 1}
    standin.calls.clear()
    result = sync(engine=engine, settings=follow, name="stopncii", actor=SYSTEM)
    assert standin.calls[0]["start"] == "10"
    assert result.skipped == ["the checkpoint is over 30 days old: the whole list again"]


def test_the_platforms_matches_go_back_as_feedback(
    engine: Engine, standin: StandIn, follow: Settings
) -> None:
    """What a platform's scans found of StopNCII's hashes is sent back with SubmitFeedback:
    an automatic match was blocked; a match a person reviews is pending review."""
    for value in PDQS[:2]:
        standin.put("ImagePDQ", value, "Active")
    assert _sync(engine, follow)[0] == 2
    with session_scope(engine) as session:
        bank = banks.get_bank(session=session, name="stopncii")
        entries = {e.value: e.id for e in session.scalars(select(BankEntry))}
        matches = [
            Match("stopncii", entries[value], "pdq", value, 0, 31, "original", tier)
            for value, tier in ((PDQS[0], Tier.AUTO), (PDQS[1], Tier.REVIEW))
        ]
        pipeline, _ = create_api_key(
            session=session, name="pipeline", scopes=[Scope.SCAN], actor=SYSTEM
        )
        key_id = pipeline.id
        scans = Scans(key_id, [("upload-1", matches)], {"stopncii": bank.id})
        settle(session=session, requests=[scans], settings=follow)
    result = sync(engine=engine, settings=follow, name="stopncii", actor=SYSTEM)
    assert (result.error, result.feedback) == (None, 2)
    assert sorted((f["hashValue"], f["feedbackValue"]) for f in standin.feedback) == [
        (PDQS[0], "Blocked"),
        (PDQS[1], "PendingReview"),
    ]
    standin.feedback.clear()
    assert sync(engine=engine, settings=follow, name="stopncii", actor=SYSTEM).feedback == 0
    assert standin.feedback == []  # each outcome is sent once
    # The platform's moderators look at the second upload: not what the hash stands for.
    with session_scope(engine) as session:
        scan_id = session.scalars(select(ScanRecord.id)).one()
        record_outcome(
            session=session, scan_id=scan_id, api_key_id=key_id, outcome=Outcome.NOT_BLOCKED
        )
    assert sync(engine=engine, settings=follow, name="stopncii", actor=SYSTEM).feedback == 2
    assert {(f["hashValue"], f["feedbackValue"]) for f in standin.feedback} == {
        (PDQS[0], "NotBlocked"),
        (PDQS[1], "NotBlocked"),
    }
