"""Attempt counts in fixed windows, each subject known only by a keyed digest."""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base


class ThrottleCount(Base):
    """Attempts in one fixed window by one network, contact, or (network, account) pair."""

    __tablename__ = "throttle_counts"

    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int]


class ThrottleKey(Base):
    """The key of those digests: an address space as small as IPv4's would give up a
    plain digest to brute force. Made once, on first use, by whichever worker is first."""

    __tablename__ = "throttle_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary(32))
