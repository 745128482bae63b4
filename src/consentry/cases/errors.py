"""Errors of the case workflow, each with its problem type."""

from __future__ import annotations

from http import HTTPStatus

from consentry.core.errors import DomainError, Throttled
from consentry.throttle.service import minutes


class CaseError(DomainError):
    slug = "case-error"


class CaseNotFound(CaseError):
    status = HTTPStatus.NOT_FOUND
    slug = "case-not-found"

    def __init__(self) -> None:
        # One answer whether the reference exists or the PIN is wrong (IN-20).
        super().__init__("no case matches this reference and PIN")


class AccessThrottled(Throttled, CaseError):
    def __init__(self, retry_after: int = 900) -> None:
        super().__init__(
            "too many attempts with a wrong reference or PIN; try again in"
            f" {minutes(retry_after)} minute(s)",
            retry_after,
        )


class CaseConflict(CaseError):
    status = HTTPStatus.CONFLICT
    slug = "case-conflict"


class NotPermitted(CaseError):
    status = HTTPStatus.FORBIDDEN
    slug = "forbidden"


class NotFound(CaseError):
    status = HTTPStatus.NOT_FOUND
    slug = "not-found"


class DecisionInvalid(CaseError):
    slug = "invalid-decision"


class IdempotencyKeyReused(CaseError):
    status = HTTPStatus.CONFLICT
    slug = "idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was used for a different request; use a new key for a new one"
        )
