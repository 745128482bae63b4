"""Pages, and the security headers every page carries."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from consentry.accounts.users import MIN_PASSWORD_LENGTH

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes .html
static = StaticFiles(directory=HERE / "static")
router = APIRouter(include_in_schema=False)

# No inline script or style, nothing from elsewhere, no framing.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request) -> HTMLResponse:
    """Set a password from a one-time link (its token is in the URL fragment)."""
    response = templates.TemplateResponse(
        request,
        "setup.html",
        {"title": "Set your password", "min_length": MIN_PASSWORD_LENGTH},
        headers=PAGE_HEADERS,
    )
    assert isinstance(response, HTMLResponse)
    return response
