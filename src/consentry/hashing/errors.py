"""Why a file could not be hashed: one type per cause, each with a stable `kind`."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from consentry.core.errors import DomainError


class HashingError(DomainError):
    """A file that cannot be hashed; `kind` is the stable code shown to users (and the
    problem type, with dashes)."""

    kind: ClassVar[str] = "decode_error"
    slug = "decode-error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.slug = cls.kind.replace("_", "-")

    def extensions(self) -> dict[str, Any]:
        return {"error_type": self.kind}


class EmptyFile(HashingError):
    kind = "empty"


class TruncatedImage(HashingError):
    kind = "truncated"


class UnsupportedFormat(HashingError):
    kind = "unsupported_format"
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


class ImageTooLarge(HashingError):
    kind = "too_large"


class DecodeFailed(HashingError):
    kind = "decode_error"


class ReadFailed(HashingError):
    kind = "io_error"
    status = HTTPStatus.BAD_REQUEST
