"""The kinds of signal a bank holds, and how a value of each is written."""

from __future__ import annotations

import re
from enum import StrEnum

from consentry.hashing.pdq import InvalidHash


class SignalType(StrEnum):
    PDQ = "pdq"
    SHA256 = "sha256"
    MD5 = "md5"

    @property
    def hex_length(self) -> int:
        return 32 if self is SignalType.MD5 else 64

    @property
    def is_digest(self) -> bool:
        return self is not SignalType.PDQ


def parse_signal_type(text: str) -> SignalType:
    try:
        return SignalType(text.strip().lower())
    except ValueError:
        known = ", ".join(t.value for t in SignalType)
        raise InvalidHash(f"unknown signal type {text[:20]!r} (known: {known})") from None


_HEX = re.compile(r"[0-9a-fA-F]+")


def normalise_value(signal_type: SignalType, text: str) -> str:
    """The value as stored and compared: lowercase hex of the right length."""
    value = text.strip()
    if not _HEX.fullmatch(value) or len(value) != signal_type.hex_length:
        raise InvalidHash(
            f"a {signal_type.value} value is {signal_type.hex_length} hexadecimal digits"
            f" (got {len(value)} characters)"
        )
    return value.lower()
