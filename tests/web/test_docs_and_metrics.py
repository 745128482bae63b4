"""F21: the API reference loads nothing from elsewhere; /metrics is for the operator."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from consentry.config import Settings
from tests.browser import chromium, require_chromium, served
from tests.helpers import running


def test_the_api_reference_is_served_from_consentry_under_a_strict_policy(
    client: TestClient,
) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert policy == client.get("/setup").headers["content-security-policy"]
    assert "unsafe" not in policy
    assert "http" not in page.text  # no asset from another origin
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        assert client.get(asset).status_code == 200
    assert "SwaggerUIBundle" in client.get("/static/docs.js").text
    assert client.get("/redoc").status_code == 404


def test_metrics_need_the_token(settings: Settings) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-me")})
    with running(guarded) as client:
        assert client.get("/metrics").status_code == 404
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 404
        scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert scraped.status_code == 200
        assert "consentry_http_requests" in scraped.text


def test_the_api_reference_renders_in_chromium_without_errors(tmp_path: Path) -> None:
    require_chromium()
    with served(tmp_path / "var") as base, chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/docs")
        page.locator(".opblock").first.wait_for()
        operations = page.locator(".opblock").count()
    assert operations > 20
    assert errors == []  # nothing refused by the page's policy
