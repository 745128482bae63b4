import time
from pathlib import Path

import pytest

from consentry.accounts.models import Scope
from consentry.config import Settings
from tests.conftest import key_headers, running

# Counts up to limits in fixed windows: on a clock where none ends mid-test.
pytestmark = pytest.mark.usefixtures("fresh_windows")


def test_bank_export_is_limited_across_workers(tmp_path: Path) -> None:
    """Two app instances on one database stand for two workers: they share the budget."""
    settings = Settings(data_dir=tmp_path, rate_limit_export_per_hour=4)
    with running(settings) as first, running(settings) as second:
        writer = key_headers(first, Scope.BANKS_WRITE)
        reader = key_headers(first, Scope.BANKS_READ)
        first.post("/v1/banks", json={"name": "ncii"}, headers=writer)
        statuses = [
            first.get("/v1/banks/ncii/export", headers=reader).status_code for _ in range(2)
        ]
        time.sleep(0.6)  # both workers sync their counts
        statuses += [
            second.get("/v1/banks/ncii/export", headers=reader).status_code for _ in range(3)
        ]
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429


def test_429_is_a_problem_with_retry_after(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, rate_limit_scan_per_minute=2)
    with running(settings) as client:
        headers = key_headers(client, Scope.SCAN)
        codes = [
            client.post("/v1/scan", json={"md5": "0" * 32}, headers=headers).status_code
            for _ in range(3)
        ]
        last = client.post("/v1/scan", json={"md5": "0" * 32}, headers=headers)
    assert codes == [200, 200, 429]
    assert last.headers["content-type"] == "application/problem+json"
    assert 1 <= int(last.headers["retry-after"]) <= 60
    assert last.json()["status"] == 429
