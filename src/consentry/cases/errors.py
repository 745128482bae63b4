"""Errors of the case workflow; the API maps each kind to one problem type."""

from __future__ import annotations

from consentry.throttle.service import minutes


class CaseError(Exception):
    status = 422
    slug = "case-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaseNotFound(CaseError):
    status = 404
    slug = "case-not-found"

    def __init__(self) -> None:
        # One answer whether the reference exists or the PIN is wrong (IN-20).
        super().__init__("no case matches this reference and PIN")


class AccessThrottled(CaseError):
    status = 429
    slug = "throttled"

    def __init__(self, retry_after: int = 900) -> None:
        super().__init__(
            "too many attempts with a wrong reference or PIN; try again in"
            f" {minutes(retry_after)} minute(s)"
        )
        self.retry_after = retry_after


class CaseConflict(CaseError):
    status = 409
    slug = "case-conflict"


class NotPermitted(CaseError):
    status = 403
    slug = "forbidden"


class NotFound(CaseError):
    status = 404
    slug = "not-found"


class DecisionInvalid(CaseError):
    slug = "invalid-decision"


class IdempotencyKeyReused(CaseError):
    status = 409
    slug = "idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was used for a different request; use a new key for a new one"
        )
