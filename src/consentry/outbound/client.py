"""One outbound POST with a total deadline, to a checked address.

httpx's timeouts bound each network operation, so a receiver that sends one byte every
few seconds kept a worker's scheduler for a minute (F9). Each attempt here runs under
one deadline for everything: resolving, connecting, sending, and reading the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from consentry.outbound.destinations import DestinationRefused, IpNetwork, check

# Dead letters and logs say only this much: "connection refused" against "HTTP 404"
# would tell whoever registered the URL which ports answer on the target.
REFUSED = "destination not allowed"
FAILED = "not accepted (no 2xx answer in time)"


@dataclass(frozen=True, slots=True)
class Sent:
    ok: bool
    reason: str | None  # a coarse reason when not ok
    status: int | None = None


async def _post(
    client: httpx.AsyncClient,
    url: str,
    content: bytes,
    headers: Mapping[str, str],
    allowed: Sequence[IpNetwork],
) -> Sent:
    try:
        destination = await asyncio.to_thread(check, url, allowed=allowed)
    except DestinationRefused:
        return Sent(False, REFUSED)
    try:
        async with client.stream(
            "POST",
            destination.connect_url,
            content=content,
            headers={**headers, "Host": destination.host_header},
            extensions={"sni_hostname": destination.host},
        ) as response:
            async for _ in response.aiter_raw():
                pass  # read (and drop) the answer, inside the deadline
            status = response.status_code
    except httpx.HTTPError:
        return Sent(False, FAILED)
    return Sent(200 <= status < 300, None if 200 <= status < 300 else FAILED, status)


async def _post_all(
    requests: Sequence[tuple[str, bytes, Mapping[str, str]]],
    deadline_seconds: float,
    allowed: Sequence[IpNetwork],
) -> list[Sent]:
    async with httpx.AsyncClient(timeout=deadline_seconds, follow_redirects=False) as client:

        async def one(url: str, content: bytes, headers: Mapping[str, str]) -> Sent:
            try:
                return await asyncio.wait_for(
                    _post(client, url, content, headers, allowed), deadline_seconds
                )
            except TimeoutError:
                return Sent(False, FAILED)

        return list(await asyncio.gather(*(one(*request) for request in requests)))


def post_all(
    requests: Sequence[tuple[str, bytes, Mapping[str, str]]],
    *,
    deadline_seconds: float,
    allowed: Sequence[IpNetwork] = (),
) -> list[Sent]:
    """POST each (url, body, headers) at once; every one is over within the deadline."""
    if not requests:
        return []
    return asyncio.run(_post_all(requests, deadline_seconds, allowed))


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int
    body: bytes


class FetchFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _fetch(
    method: str,
    url: str,
    content: bytes | None,
    headers: Mapping[str, str],
    allowed: Sequence[IpNetwork],
    max_bytes: int,
) -> Fetched:
    try:
        destination = await asyncio.to_thread(check, url, allowed=allowed)
    except DestinationRefused as refused:
        raise FetchFailed(refused.message) from None
    async with (
        httpx.AsyncClient(follow_redirects=False) as client,
        client.stream(
            method,
            destination.connect_url,
            content=content,
            headers={**headers, "Host": destination.host_header},
            extensions={"sni_hostname": destination.host},
        ) as response,
    ):
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += chunk
            if len(body) > max_bytes:
                raise FetchFailed(f"the answer is larger than {max_bytes:,} bytes")
        return Fetched(response.status_code, bytes(body))


def fetch(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    deadline_seconds: float,
    content: bytes | None = None,
    allowed: Sequence[IpNetwork] = (),
    max_bytes: int = 64 << 20,
) -> Fetched:
    """One request to a checked address, over within the deadline, its answer bounded;
    raises FetchFailed (refused destination, no answer in time, network error, too big)."""

    async def bounded() -> Fetched:
        return await asyncio.wait_for(
            _fetch(method, url, content, headers, allowed, max_bytes), deadline_seconds
        )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        running = False
    else:  # called from async code (a browser driver's loop, say): run on a thread of its own
        running = True
    try:
        if running:
            with ThreadPoolExecutor(1) as thread:
                return thread.submit(asyncio.run, bounded()).result()
        return asyncio.run(bounded())
    except TimeoutError:
        raise FetchFailed(f"no answer within {deadline_seconds:g} s") from None
    except httpx.HTTPError as error:
        raise FetchFailed(f"network error ({type(error).__name__})") from None
