"""A StopNCII-compatible client: `GET FetchHashes` page by page from a checkpoint.

StopNCII's records carry each hash's aggregate status (`hashStatus`): Received and
Active values are matched (pending and confirmed here); Withdrawn and Deleted values
are withdrawn and revoked here at once. python-threatexchange's client tests
`hashValue` instead of `hashStatus`, so a platform fed through it keeps matching
withdrawn hashes; this one reads the status. Records of kinds consentry cannot match
(VideoTMK, URL, Text) are reported, not silently dropped. The checkpoint is the
`nextSetTimestamp` of the last complete set, plus the page cursor within a set; after
30 days without a fetch it is stale and the whole list is fetched again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from consentry.banks.models import EntryStatus
from consentry.exchanges.base import ExchangeError, ExchangeRecord, Page, Source
from consentry.outbound.client import Fetched, FetchFailed, fetch
from consentry.outbound.destinations import IpNetwork
from consentry.signals.registry import normalise_value

DEFAULT_START = 10  # python-threatexchange's first startTimestamp
PAGE_SIZE = 800
STALE_SECONDS = 30 * 86_400
RETRIES = (0.5, 1.0, 2.0)  # pauses before each retry of a 5xx, 429 or a timeout

SIGNAL_TYPES = {"ImagePDQ": "pdq", "VideoMD5": "md5"}
STATUSES = {
    "Received": EntryStatus.PENDING,
    "Active": EntryStatus.CONFIRMED,
    "Withdrawn": EntryStatus.WITHDRAWN,
    "Deleted": EntryStatus.REVOKED,
}


def read_keys(path: str | None) -> dict[str, str]:
    """A key file: JSON with `subscription` (Ocp-Apim-Subscription-Key) and the function
    keys by endpoint (`FetchHashes`, `SubmitFeedback`)."""
    if path is None:
        raise ExchangeError("a StopNCII exchange needs --key-file (its subscription and keys)")
    try:
        keys = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ExchangeError(f"cannot read the key file {path}: {error}") from None
    if not isinstance(keys, dict) or not all(
        isinstance(keys.get(name), str) for name in ("subscription", "FetchHashes")
    ):
        raise ExchangeError(
            f"the key file {path} is JSON with 'subscription' and 'FetchHashes' (and"
            " 'SubmitFeedback' to send feedback)"
        )
    return {str(k): str(v) for k, v in keys.items()}


def _record(raw: Any) -> ExchangeRecord:
    # python-threatexchange submits "StopNCIISignalType.ImagePDQ": read both spellings.
    signal = str(raw["signalType"]).removeprefix("StopNCIISignalType.")
    if signal not in SIGNAL_TYPES:
        raise ValueError(f"{signal[:40]} hashes cannot be matched here")
    status = STATUSES.get(str(raw["hashStatus"]))
    if status is None:
        raise ValueError(f"unknown hashStatus {str(raw['hashStatus'])[:40]!r}")
    kind = SIGNAL_TYPES[signal]
    changed = raw.get("lastModtimestamp")
    return ExchangeRecord(
        signal_type=kind,
        value=normalise_value(kind, str(raw["hashValue"])),
        status=status,
        updated_at=datetime.fromtimestamp(changed, UTC) if isinstance(changed, int) else None,
    )


class StopNCIISource(Source):
    def __init__(
        self,
        base_url: str,
        *,
        keys: dict[str, str],
        allowed: Sequence[IpNetwork],
        deadline_seconds: float,
        page_size: int | None = None,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.keys, self.allowed = keys, allowed
        self.deadline, self.page_size = deadline_seconds, page_size or PAGE_SIZE

    def _call(self, endpoint: str, params: dict[str, Any], body: bytes | None = None) -> Fetched:
        url = f"{self.base}/{endpoint}" + (f"?{urlencode(params)}" if params else "")
        headers = {
            "Ocp-Apim-Subscription-Key": self.keys["subscription"],
            "x-functions-key": self.keys[endpoint],
            "Accept": "application/json",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        problem = ""
        for pause in (0.0, *RETRIES):
            time.sleep(pause)
            try:
                answer = fetch(
                    "GET" if body is None else "POST", url, headers=headers, content=body,
                    deadline_seconds=self.deadline, allowed=self.allowed,
                )  # fmt: skip
            except FetchFailed as failed:
                problem = failed.reason
                continue
            if answer.status != 429 and answer.status < 500:
                return answer
            problem = f"HTTP {answer.status}"
        raise ExchangeError(f"StopNCII did not answer ({problem}; {len(RETRIES) + 1} tries)")

    def _fetch(self, start: int, token: str) -> dict[str, Any]:
        params: dict[str, Any] = {"startTimestamp": start, "pageSize": self.page_size}
        if token:
            params["nextPageToken"] = token
        answer = self._call("FetchHashes", params)
        if answer.status == 400 and token:
            return self._fetch(start, "")  # the cursor expired: the set again, from its start
        if answer.status != 200:
            raise ExchangeError(f"StopNCII answered HTTP {answer.status}")
        try:
            body = json.loads(answer.body)
            int(body["nextSetTimestamp"])
        except (ValueError, KeyError, TypeError):
            raise ExchangeError("StopNCII's answer is not a FetchHashes page") from None
        if not isinstance(body, dict):
            raise ExchangeError("StopNCII's answer is not a FetchHashes page")
        return body

    def send_feedback(self, items: Sequence[tuple[str, str, str]]) -> bool:
        """SubmitFeedback, as StopNCII takes it: hash values with their feedback word."""
        if "SubmitFeedback" not in self.keys:
            return False  # no function key for it: this platform does not send feedback
        feedback = [
            {"hashValue": value, "feedbackValue": word, "tags": []} for _, value, word in items
        ]
        body = json.dumps({"count": len(feedback), "hashFeedbacks": feedback}).encode()
        answer = self._call("SubmitFeedback", {}, body)
        if answer.status != 200:
            raise ExchangeError(f"StopNCII refused the feedback (HTTP {answer.status})")
        return True

    def pages(self, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        now = int(time.time())
        start, token, skipped = DEFAULT_START, "", []
        if checkpoint is not None:
            if now - int(checkpoint.get("fetched_at", 0)) > STALE_SECONDS:
                skipped.append("the checkpoint is over 30 days old: the whole list again")
            else:
                start, token = int(checkpoint["timestamp"]), str(checkpoint.get("page", ""))
        while True:
            body = self._fetch(start, token)
            records = []
            for raw in body.get("hashRecords") or []:
                try:
                    records.append(_record(raw))
                except (KeyError, TypeError, ValueError) as error:
                    skipped.append(str(error)[:200])
            more = bool(body.get("hasMoreRecords")) and bool(body.get("nextPageToken"))
            if more:
                token = str(body["nextPageToken"])
                mark = {"timestamp": start, "page": token, "fetched_at": now}
            else:
                mark = {"timestamp": int(body["nextSetTimestamp"]), "page": "", "fetched_at": now}
            yield Page(records, mark, more, skipped)
            skipped = []
            if not more:
                return
