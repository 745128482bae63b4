"""Why a file could not be hashed: one type per cause, each with a stable `kind`."""

from __future__ import annotations

from typing import ClassVar


class HashingError(Exception):
    """A file that cannot be hashed; `kind` is the stable code shown to users."""

    kind: ClassVar[str] = "decode_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyFile(HashingError):
    kind = "empty"


class TruncatedImage(HashingError):
    kind = "truncated"


class UnsupportedFormat(HashingError):
    kind = "unsupported_format"


class ImageTooLarge(HashingError):
    kind = "too_large"


class DecodeFailed(HashingError):
    kind = "decode_error"


class ReadFailed(HashingError):
    kind = "io_error"
