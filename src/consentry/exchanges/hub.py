"""Reading another consentry deployment's hub feed (`GET /v1/feed`), page by signed page."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from consentry.banks.models import EntryStatus
from consentry.exchanges.base import ExchangeError, ExchangeRecord, Page, Source
from consentry.exchanges.feed import DEFAULT_PAGE, FEED_FORMAT
from consentry.exchanges.signing import verify
from consentry.outbound.client import Fetched, FetchFailed, fetch
from consentry.outbound.destinations import IpNetwork
from consentry.signals.registry import KINDS, normalise_value


def read_key(path: str | None) -> str:
    if path is None:
        raise ExchangeError("this exchange needs --key-file (the API key its hub gave you)")
    try:
        key = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ExchangeError(f"cannot read the key file {path}: {error.strerror}") from None
    if not key or any(c.isspace() for c in key):
        raise ExchangeError(f"the key file {path} holds no single API key")
    return key


def _record(raw: Any) -> ExchangeRecord:
    kind = KINDS.get(str(raw["signal_type"]))
    if kind is None:
        raise ValueError(f"signal type {str(raw['signal_type'])[:40]!r} is not known here")
    at_ms = raw.get("at_ms")
    quality = raw.get("quality")
    group = raw.get("group")
    return ExchangeRecord(
        signal_type=kind.name,
        value=normalise_value(kind.name, str(raw["value"])),
        status=EntryStatus(str(raw["status"])),
        quality=quality if isinstance(quality, int) and 0 <= quality <= 100 else None,
        group=None if group is None else str(group)[:80],
        at_ms=at_ms if isinstance(at_ms, int) and 0 <= at_ms <= 86_400_000 else None,
        updated_at=datetime.fromisoformat(str(raw["updated_at"])),
    )


class HubSource(Source):
    def __init__(
        self,
        url: str,
        *,
        key: str,
        pin: str | None,
        allowed: Sequence[IpNetwork],
        deadline_seconds: float,
        page_size: int = DEFAULT_PAGE,
    ) -> None:
        self.url, self.key, self.pin = url, key, pin
        self.allowed, self.deadline, self.page_size = allowed, deadline_seconds, page_size

    def _call(self, method: str, url: str, body: bytes | None = None) -> Fetched:
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            answer = fetch(
                method, url, headers=headers, content=body, deadline_seconds=self.deadline,
                allowed=self.allowed,
            )  # fmt: skip
        except FetchFailed as failed:
            raise ExchangeError(f"the hub did not answer: {failed.reason}") from None
        if answer.status != 200:
            raise ExchangeError(f"the hub answered HTTP {answer.status}")
        return answer

    def send_feedback(self, items: Sequence[tuple[str, str, str]]) -> bool:
        feedback = [{"signal_type": k, "value": v, "feedback": f} for k, v, f in items]
        self._call("POST", f"{self.url}/feedback", json.dumps({"feedback": feedback}).encode())
        return True

    def _get(self, after: int) -> dict[str, Any]:
        url = f"{self.url}?{urlencode({'after': after, 'limit': self.page_size})}"
        answer = self._call("GET", url)
        try:
            envelope = json.loads(answer.body)
        except ValueError:
            raise ExchangeError("the hub's answer is not JSON") from None
        page, self.pin = verify(envelope, self.pin)
        if page.get("format") != FEED_FORMAT or page.get("after") != after:
            raise ExchangeError("the hub sent a page that is not the one asked for")
        return page

    def pages(self, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        after = int((checkpoint or {}).get("seq", 0))
        while True:
            page = self._get(after)
            records, skipped = [], []
            for raw in page.get("records") or []:
                try:
                    records.append(_record(raw))
                except (KeyError, TypeError, ValueError) as error:
                    seq = raw.get("seq") if isinstance(raw, dict) else None
                    skipped.append(f"record {str(seq)[:20]}: {error}"[:200])
            following = int(page["next"])
            if following < after:
                raise ExchangeError("the hub's feed went backwards")
            more = bool(page.get("more")) and following > after
            yield Page(records, {"seq": following}, more, skipped)
            if not more:
                return
            after = following
