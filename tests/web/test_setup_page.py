import re

from fastapi.testclient import TestClient


def test_setup_page_has_a_strict_policy_and_no_inline_code(client: TestClient) -> None:
    response = client.get("/setup")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    assert '<label for="password">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert " style=" not in html
    script = client.get("/static/setup.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "location.hash" in script.text
