"""What can go wrong with exchanges and partners, as types."""

from __future__ import annotations

from http import HTTPStatus

from consentry.core.errors import DomainError


class ExchangeSettingError(DomainError):
    slug = "invalid-exchange-request"


class ExchangeNotFound(ExchangeSettingError):
    status = HTTPStatus.NOT_FOUND
    slug = "exchange-not-found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no exchange named {name!r}")


class PartnerNotFound(ExchangeSettingError):
    status = HTTPStatus.NOT_FOUND
    slug = "partner-not-found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no partner named {name!r}")


class NameTaken(ExchangeSettingError):
    status = HTTPStatus.CONFLICT
    slug = "conflict"


class NotAPartner(DomainError):
    """An API key with the feed scope that no current partner holds."""

    status = HTTPStatus.FORBIDDEN
    slug = "forbidden"

    def __init__(self) -> None:
        super().__init__("this API key belongs to no partner of this hub (or it was removed)")
