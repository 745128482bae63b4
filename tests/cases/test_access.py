"""Requesters open their case with a reference and PIN (F5, F6, F14, F15): attempts are
counted atomically per network and per network and reference, an IPv6 /64 is one
network, and a flood from elsewhere never locks the right person out."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentry.cases.access import PIN_NETWORK, PIN_PAIR, unlock_case
from consentry.cases.errors import AccessThrottled, CaseNotFound
from tests.cases.support import notice

# Counts up to limits in fixed windows: on a clock where none ends mid-test.
pytestmark = pytest.mark.usefixtures("fresh_windows")


def _try(engine: Engine, reference: str, pin: str, client: str) -> str:
    try:
        unlock_case(engine=engine, reference=reference, pin=pin, client=client)
    except AccessThrottled:
        return "throttled"
    except CaseNotFound:
        return "evaluated"
    return "opened"


def test_sixty_concurrent_wrong_pins_are_evaluated_at_most_five_times(
    app: TestClient, filer: dict[str, str]
) -> None:
    receipt = app.post("/v1/notices", json=notice(), headers=filer).json()
    engine = app.app.state.engine  # type: ignore[attr-defined]

    def guess(n: int) -> str:
        return _try(engine, receipt["reference"], f"WRONG-{n:04d}", "203.0.113.5")

    with ThreadPoolExecutor(12) as pool:
        outcomes = Counter(pool.map(guess, range(60)))
    assert outcomes == {"evaluated": PIN_PAIR.limit, "throttled": 60 - PIN_PAIR.limit}
    # The person with the PIN, on their own network, still opens their case.
    assert _try(engine, receipt["reference"], receipt["pin"], "198.51.100.20") == "opened"


def test_an_ipv6_64_is_one_network_and_rotating_addresses_does_not_help(
    app: TestClient, filer: dict[str, str]
) -> None:
    engine = app.app.state.engine  # type: ignore[attr-defined]
    outcomes = [
        _try(engine, f"CS-AAAA-BBBB-{n:04d}", "WRONG", f"2001:db8:5:6::{n:x}")
        for n in range(PIN_NETWORK.limit + 3)
    ]
    assert outcomes[: PIN_NETWORK.limit] == ["evaluated"] * PIN_NETWORK.limit
    assert set(outcomes[PIN_NETWORK.limit :]) == {"throttled"}
    assert _try(engine, "CS-AAAA-BBBB-0000", "WRONG", "2001:db8:5:7::1") == "evaluated"


def test_successes_give_their_attempts_back(app: TestClient, filer: dict[str, str]) -> None:
    """A helpline behind one address opens many cases without being throttled."""
    engine = app.app.state.engine  # type: ignore[attr-defined]
    receipt = app.post("/v1/notices", json=notice(), headers=filer).json()
    opened = [
        _try(engine, receipt["reference"], receipt["pin"], "192.0.2.44")
        for _ in range(PIN_NETWORK.limit + 5)
    ]
    assert set(opened) == {"opened"}
