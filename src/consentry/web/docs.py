"""The API reference page (Swagger UI) served from consentry itself.

FastAPI's default page loads Swagger UI from a CDN, on the console's origin, with no
integrity check (F21): whoever controls that CDN could run script beside a signed-in
reviewer. Here the assets come from the `swagger-ui-bundle` package, and the page runs
under exactly the policy of every other page (its start-up script is a file; the few
icons Swagger UI draws as data: images stay blank)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from consentry.api.pages import page_headers
from consentry.web.routes import CSP

router = APIRouter(include_in_schema=False)
assets = StaticFiles(directory=Path(swagger_ui_path))


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>consentry API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers=page_headers(CSP))
