"""The OpenAPI document as the server behaves (S1): every error status it can send, each
as RFC 9457 problem+json, rather than FastAPI's default 422 shape and 2xx alone."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from consentry.api.problems import PROBLEM_MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "/problems/<slug>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For 422: each invalid field and what is wrong with it.",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

# What any operation may answer besides its own successes.
COMMON = {
    "400": "The request could not be read (for example a malformed body).",
    "404": "Not found (or not yours to see).",
    "413": "The request body is over CONSENTRY_MAX_UPLOAD_BYTES.",
    "422": "The request is not valid: `errors` names each field.",
    "503": "Not ready, or too busy: retry after `Retry-After`.",
}
ACCESS = {
    "401": "No valid API key or staff session.",
    "403": "The key or role may not do this.",
    "429": "Over a rate limit: retry after `Retry-After`.",
}
BODIES = {
    "409": "The request conflicts with the current state.",
    "415": "An upload in a format consentry does not read.",
}


DEFAULT_422 = "Validation Error"  # FastAPI's own wording, for its own error shape


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _declare(operation: dict[str, Any], method: str) -> None:
    responses = operation.setdefault("responses", {})
    wanted = COMMON | ACCESS  # PINs, sign-in and throttles answer these without a key too
    if method in ("post", "put", "patch", "delete"):
        wanted |= BODIES
    for status, description in wanted.items():
        given = responses.get(status, {}).get("description")
        responses[status] = _problem(given if given and given != DEFAULT_422 else description)


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` with the document this server's answers conform to."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            schemas["Problem"] = PROBLEM_SCHEMA
            for operations in schema.get("paths", {}).values():
                for method, operation in operations.items():
                    _declare(operation, method)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
