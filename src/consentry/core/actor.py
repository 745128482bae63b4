"""Who did it, as the audit log records it: every audited service takes an `Actor`,
with no default, so no change is ever put down to nobody."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    USER = "user"  # a member of staff, by user id
    APIKEY = "apikey"  # a machine, by API key id
    REQUESTER = "requester"  # the person who asked for removal, with their PIN
    UPLOADER = "uploader"  # the person whose upload was removed (an appeal)
    PORTAL = "portal"  # the public request portal, for an anonymous requester
    SYSTEM = "system"  # the service itself: clocks, automatic actions
    RETENTION = "retention"  # the service's retention purge
    CLI = "cli"  # the operator, at the server's command line


_NUMBERED = {ActorKind.USER, ActorKind.APIKEY}


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: int | None = None

    def __post_init__(self) -> None:
        if (self.id is not None) != (self.kind in _NUMBERED):
            raise ValueError(
                f"an actor of kind {self.kind} {'needs' if self.id is None else 'has no'} id"
            )

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls(ActorKind.USER, user_id)

    @classmethod
    def key(cls, key_id: int) -> Actor:
        return cls(ActorKind.APIKEY, key_id)

    def __str__(self) -> str:
        return self.kind.value if self.id is None else f"{self.kind.value}:{self.id}"


SYSTEM = Actor(ActorKind.SYSTEM)
CLI = Actor(ActorKind.CLI)
REQUESTER = Actor(ActorKind.REQUESTER)
UPLOADER = Actor(ActorKind.UPLOADER)
PORTAL = Actor(ActorKind.PORTAL)
RETENTION = Actor(ActorKind.RETENTION)
