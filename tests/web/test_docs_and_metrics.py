"""F21: the API reference loads nothing from elsewhere; /metrics is for the operator."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from consentry.config import Settings
from tests.helpers import running


def test_the_api_reference_is_served_from_consentry_under_a_strict_policy(
    client: TestClient,
) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
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
