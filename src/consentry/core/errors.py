"""One base for the errors services raise on purpose: the API answers each as problem+json
with the error's own status and slug, through one handler (`consentry.api.problems`);
pages and the CLI show its message."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class DomainError(Exception):
    """A refusal the caller can act on. Subclasses set `status` and `slug`, which name
    the problem type (`/problems/{slug}`); `message` is shown as the detail."""

    status: HTTPStatus = HTTPStatus.UNPROCESSABLE_ENTITY
    slug: str = "invalid-request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def headers(self) -> dict[str, str]:
        """Response headers the refusal needs (e.g. Retry-After)."""
        return {}

    def extensions(self) -> dict[str, Any]:
        """Extra members of the problem body."""
        return {}


class Throttled(DomainError):
    """Too many attempts: the answer says when to try again."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    slug = "throttled"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
