"""The case page as plain HTTP: matches of copies found, previews and their reveals,
provenance signals, related cases, the requester's words as sent, matched regions."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from consentry.accounts.models import Role
from consentry.config import Settings
from tests.cases.support import notice
from tests.helpers import running
from tests.review.pages_support import claim, file_case, page_once_matched, rows, sign_in, where


def test_the_case_page_shows_the_matches_of_a_copy_found_by_a_scan(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], platform: dict[str, str]
) -> None:
    from tests.cases.support import PDQ

    reference = app.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider)

    page = page_once_matched(
        app,
        reference,
        lambda: app.post("/v1/scan", json={"pdq": PDQ, "content_id": "copy-9"}, headers=platform),
    )
    assert "<caption>Matches</caption>" in page
    assert "<td>cases</td><td>pdq</td><td>0 of" in page
    assert "copy-9" in page


@pytest.fixture
def previews(settings: Settings) -> Iterator[TestClient]:
    configured = settings.model_copy(
        update={
            "preview_url_template": "https://previews.example.org/p/{content_id}",
            "console_reveals_per_day": 2,
        }
    )
    with running(configured) as test_client:
        yield test_client


def test_reveals_are_counted_capped_and_shown_to_leads(previews: TestClient) -> None:
    client = previews
    reference = file_case(client, locations=where(1))
    token = sign_in(client, "rev@example.org", Role.REVIEWER)
    page = client.get(f"/console/cases/{reference}")
    assert "img-src 'self' https://previews.example.org;" in page.headers["content-security-policy"]
    assert 'class="preview blur blur-24 grey"' in page.text
    assert 'src="https://previews.example.org/p/item-1"' in page.text
    client.post("/console/settings", data={"csrf_token": token, "blur_strength": "40"})
    assert "blur-40" in client.get(f"/console/cases/{reference}").text
    claim(client, reference)
    reveal = {"csrf_token": token, "item": "1"}
    answers = [client.post(f"/console/cases/{reference}/reveal", data=reveal) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 'class="preview"' in answers[0].text  # shown as it is, this once
    assert "take a break" in answers[2].text
    lead = TestClient(client.app)
    with lead:
        sign_in(lead, "lead@example.org", Role.LEAD)
        team = lead.get("/console/settings").text
    assert "<td>rev@example.org</td><td>2</td>" in team


def test_a_copy_found_by_an_image_scan_shows_its_provenance_signals(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], platform: dict[str, str]
) -> None:
    from consentry.hashing.signals import compute_signals
    from tests.detection.signing import ThrowawaySigner
    from tests.images import jpeg, pattern

    signed = ThrowawaySigner().sign(jpeg(pattern(8)), ai=True)
    pdq = compute_signals(signed).to_json()["pdq"]
    body = notice(hashes=[{"signal_type": "pdq", "value": pdq, "quality": 90}])
    reference = app.post("/v1/notices", json=body, headers=filer).json()["reference"]
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider)

    files = {"file": ("upload.jpg", signed, "image/jpeg")}
    page = page_once_matched(
        app,
        reference,
        lambda: app.post(
            "/v1/scan", files=files, data={"content_id": "upload-3"}, headers=platform
        ),
    )
    assert "Detection signals" in page
    assert "<strong>c2pa</strong>: valid" in page
    assert "trainedAlgorithmicMedia" in page
    assert "consent is the test" in page


def test_related_cases_stand_together_in_the_queue_and_are_listed_on_the_case_page(
    client: TestClient,
) -> None:
    first = file_case(client, locations=where(1))
    unrelated = file_case(client, request_types=["third_party"], locations=where(2))
    second = file_case(client, locations=where(1))  # the same content, from someone else
    minor = file_case(client, under_18="not_sure", locations=where(1))
    sign_in(client, "rev@example.org", Role.REVIEWER)
    queue = client.get("/console").text
    # The 24-hour third-party case is the most urgent; the two related ones follow together.
    assert rows(queue) == [unrelated, first, second]
    assert f"related to {second}" in queue
    page = client.get(f"/console/cases/{first}").text
    related = page[page.index('id="related"') :]
    assert f">{second}</a> (open): same content ID" in related
    assert minor not in page  # a restricted case is not named to a reviewer


def test_reviewers_see_exactly_what_was_sent(client: TestClient) -> None:
    """S3: an underscore in free text is not a space (`@jane_doe` is not `@jane doe`)."""
    reference = file_case(
        client,
        locations=where(1),
        explanation="posted by @jane_doe on snake_case_forum",
        grounds=["threat_to_share"],
    )
    sign_in(client, "rev@example.org", Role.REVIEWER)
    page = client.get(f"/console/cases/{reference}").text
    assert "posted by @jane_doe on snake_case_forum" in page
    assert "threat to share" in page  # a code from a closed list, in words


@pytest.fixture
def app_with_previews(case_settings: Settings) -> Iterator[TestClient]:
    configured = case_settings.model_copy(
        update={"preview_url_template": "https://previews.example.org/p/{content_id}"}
    )
    with running(configured) as test_client:
        yield test_client


def test_a_window_match_is_outlined_on_the_preview(app_with_previews: TestClient) -> None:
    """A photo's windows sent with a request (grouped by photo), confirmed; a tilted,
    cropped copy uploaded by the platform: the reviewer sees which region matched."""
    from PIL import Image

    from consentry.accounts.models import Scope
    from consentry.hashing.signals import compute_signals
    from tests.conftest import key_headers
    from tests.images import blobs, jpeg, png

    app = app_with_previews
    original = blobs(12, 800, 600)
    signals = compute_signals(png(original), bank=True)
    hashes = [
        {"signal_type": "pdq_windows", "value": w.to_hex(), "quality": w.quality, "photo": 1}
        for w in signals.windows
    ]
    filed = app.post(
        "/v1/notices", json=notice(hashes=hashes), headers=key_headers(app, Scope.NOTICES_WRITE)
    )
    reference = filed.json()["reference"]
    decide = key_headers(app, Scope.CASES_DECIDE)
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decide)
    copy = original.rotate(3, resample=Image.Resampling.BICUBIC).crop((90, 70, 720, 540))
    upload = {"file": ("u.jpg", jpeg(copy), "image/jpeg")}
    platform = key_headers(app, Scope.SCAN)

    page = page_once_matched(
        app,
        reference,
        lambda: app.post("/v1/scan", files=upload, data={"content_id": "copy-7"}, headers=platform),
    )
    assert "<td>cases</td><td>pdq_windows</td>" in page
    assert "(a region of the image matched, not the whole)" in page
    assert 'src="https://previews.example.org/p/copy-7"' in page
    outline = re.search(
        r'<svg class="region" viewBox="0 0 630.0 470.0"[^>]*><polygon points="([^"]+)"', page
    )
    assert outline is not None
    corners = [tuple(map(float, p.split(","))) for p in outline.group(1).split()]
    assert len(corners) == 4
    assert all(-50 <= x <= 680 and -50 <= y <= 520 for x, y in corners)
