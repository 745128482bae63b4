"""RFC 9457 problem details: every error the API returns has this shape."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentry.core.errors import DomainError

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(DomainError):
    """A refusal made at the HTTP edge (authentication, limits, request shape), with its
    status and slug given per instance."""

    def __init__(
        self,
        status: HTTPStatus,
        slug: str,
        detail: str,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self._headers = headers or {}
        self._extensions = extensions

    def headers(self) -> dict[str, str]:
        return self._headers

    def extensions(self) -> dict[str, Any]:
        return self._extensions


class PayloadTooLarge(Problem):
    def __init__(self, limit: int) -> None:
        super().__init__(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload-too-large",
            f"the request body is over the limit of {limit:,} bytes",
            limit=limit,
        )


class Answered(Exception):
    """A response decided in a dependency, before the handler (a page's redirect to sign
    in, or its refusal page): sent as it is."""

    def __init__(self, response: Response) -> None:
        super().__init__("answered")
        self.response = response


def problem_response(status: HTTPStatus, slug: str, detail: str, **extensions: Any) -> JSONResponse:
    body = {
        "type": f"/problems/{slug}",
        "title": status.phrase,
        "status": int(status),
        "detail": detail,
        **extensions,
    }
    return JSONResponse(body, status_code=int(status), media_type=PROBLEM_MEDIA_TYPE)


async def _on_domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    response = problem_response(error.status, error.slug, error.message, **error.extensions())
    response.headers.update(error.headers())
    return response


async def _on_validation(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [
        {
            "field": ".".join(str(part) for part in item.get("loc", ())),
            "message": item.get("msg", "invalid"),
        }
        for item in error.errors()
    ]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "invalid-request",
        f"the request is not valid ({summary})",
        errors=fields,
    )


async def _on_http(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    status = HTTPStatus(error.status_code)
    detail = error.detail if isinstance(error.detail, str) else status.description
    response = problem_response(status, status.phrase.lower().replace(" ", "-"), detail)
    if error.headers:
        response.headers.update(error.headers)
    return response


async def _on_data_error(_request: Request, _error: Exception) -> JSONResponse:
    # PostgreSQL refuses NUL characters and out-of-range numbers that SQLite stores: the
    # request is wrong, not the server (F17). Its values are never echoed or logged.
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "invalid-value",
        "the request holds a value that cannot be stored (a NUL character, or a number"
        " out of range)",
    )


async def _on_answered(_request: Request, error: Exception) -> Response:
    assert isinstance(error, Answered)
    return error.response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Answered, _on_answered)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(DataError, _on_data_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
