"""The parts a worker builds once at start-up (the API-key gate, decode admission, the
live index, scan counters), found by the routes that use them: one lookup by type
instead of an accessor per part."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request

Part = TypeVar("Part")


def part(request: Request, kind: type[Part]) -> Part:
    """This worker's `kind` part (the service installs one of each)."""
    found = request.app.state.parts[kind]
    assert isinstance(found, kind)
    return found
