"""The rest of the portal in Chromium: keyboard-only on a phone-sized screen, a photo
too plain to match reliably, and the status page (the PIN never in a URL)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import Page

from tests.images import jpeg
from tests.portal.browser_support import (
    SCREENSHOTS,
    fill_request,
    pick_photos,
    portal,
    recording_page,
    write_photos,
)


def _tab_to(page: Page, element_id: str) -> None:
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the keyboard")


def test_a_request_can_be_completed_with_the_keyboard_alone_on_a_360px_screen(
    tmp_path: Path,
) -> None:
    with portal(tmp_path) as (browser, base):
        page = recording_page(browser, base, width=360).page
        page.goto(f"{base}/request")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        steps = [
            ("urls", "https://example.org/post/9"),
            ("intimacy-intimate_parts", " "),
            ("under_18-no", " "),
            ("email", "person@example.org"),
            ("good_faith", " "),
            ("accurate", " "),
            ("signature_name", "Sam Example"),
            ("signed", " "),
        ]
        for element_id, keys in steps:
            _tab_to(page, element_id)
            page.keyboard.type(keys) if keys != " " else page.keyboard.press("Space")
        focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Send request"
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Your request was received").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "portal-receipt-360px.png"), full_page=True)
    assert focus_ring != "none"


def test_an_incomplete_request_comes_back_with_every_answer_kept(tmp_path: Path) -> None:
    photos = write_photos(tmp_path / "photos", 1)
    with portal(tmp_path) as (browser, base):
        page = recording_page(browser, base).page
        page.goto(f"{base}/request")
        tokens = pick_photos(page, photos)
        page.get_by_label("Email address").fill("person@example.org")
        page.get_by_role("button", name="Send request").click()
        page.locator("#error-summary").wait_for()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "portal-request-errors.png"), full_page=True)
        assert page.get_by_label("Email address").input_value() == "person@example.org"
        kept = page.locator("input[name=hash]").evaluate_all("els => els.map(e => e.value)")
        assert sorted(kept) == sorted(tokens)
        assert page.locator("#good_faith").get_attribute("aria-describedby") == "good_faith-error"
        fill_request(page)
        page.get_by_role("button", name="Send request").click()
        page.get_by_role("heading", name="Your request was received").wait_for()


def test_a_plain_photo_is_kept_but_flagged_and_the_person_is_told(tmp_path: Path) -> None:
    flat = tmp_path / "flat.jpg"
    flat.write_bytes(jpeg(Image.new("RGB", (640, 480), (120, 120, 120))))
    with portal(tmp_path) as (browser, base):
        page = recording_page(browser, base).page
        page.goto(f"{base}/request")
        pick_photos(page, [flat])
        assert "may not find copies reliably" in page.locator(".photo-status").inner_text()
        fill_request(page)
        page.get_by_role("button", name="Send request").click()
        page.locator("#low-quality").wait_for()


def test_the_status_page_adds_information_and_withdraws_without_the_pin_in_a_url(
    tmp_path: Path,
) -> None:
    photos = write_photos(tmp_path / "photos", 2)
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        page = recorded.page
        page.goto(f"{base}/request")
        fill_request(page)
        page.get_by_role("button", name="Send request").click()
        reference = page.locator("#reference").inner_text().strip()
        pin = page.locator("#pin").inner_text().strip()
        page.get_by_role("link", name="Check your request").click()
        page.screenshot(path=str(SCREENSHOTS / "portal-status-open.png"), full_page=True)
        page.get_by_label("Case reference").fill(reference)
        page.get_by_label("PIN").fill(pin)
        page.get_by_role("button", name="Open").click()
        page.get_by_text("We are reviewing your request.").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "portal-status.png"), full_page=True)
        tokens = pick_photos(page, photos)
        page.get_by_role("button", name="Add to my request").click()
        page.locator("#done").wait_for()
        # Each photo's PDQ, SHA-256 and window hashes.
        assert f"Fingerprints: {len(tokens)}" in page.content()
        page.get_by_label("I want to withdraw this request").check()
        page.get_by_role("button", name="Withdraw").click()
        page.get_by_text("You withdrew this request.").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "portal-withdrawn.png"), full_page=True)
        assert recorded.errors == []
        page.goto(f"{base}/status")
        page.get_by_label("Case reference").fill(reference)
        page.get_by_label("PIN").fill("WRONG-PIN0-0000")
        page.get_by_role("button", name="Open").click()
        page.get_by_text("No request matches this reference and PIN.").wait_for()
    assert all(pin not in r.url and reference not in r.url for r in recorded.requests)
