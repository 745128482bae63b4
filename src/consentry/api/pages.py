"""HTML pages: one renderer and one policy builder, so every page of the portal, the
console and the public pages carries the same security headers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates


def content_policy(*, images: str = "'self'", connect: str = "'self'", extra: str = "") -> str:
    """No inline script or style, nothing from elsewhere, no framing; `images`,
    `connect` and `extra` (more directives) set what a page needs beyond that."""
    return (
        f"default-src 'none'; script-src 'self'; {extra}style-src 'self'; img-src {images}; "
        f"connect-src {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def page_headers(policy: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def render_page(
    templates: Jinja2Templates,
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    policy: str,
    status: int = 200,
) -> HTMLResponse:
    """The template (autoescaped) with the page headers and `policy` as its CSP."""
    response = templates.TemplateResponse(
        request, template, context, status_code=status, headers=page_headers(policy)
    )
    assert isinstance(response, HTMLResponse)
    return response
