"""F1 through the real portal: the person who posted the image files a request for the
same link and the same photo. They get a case of their own; the victim's PIN still
opens the victim's case, and theirs opens nothing of it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.portal.browser_support import fill_request, pick_photos, portal, write_photos


def _file(page: Page, base: str, photo: Path) -> tuple[str, str]:
    page.goto(f"{base}/request")
    fill_request(page)
    pick_photos(page, [photo])
    page.get_by_role("button", name="Send request").click()
    reference = page.locator("#reference").inner_text().strip()
    return reference, page.locator("#pin").inner_text().strip()


def _open(page: Page, base: str, reference: str, pin: str) -> str:
    page.goto(f"{base}/status")
    page.get_by_label("Case reference").fill(reference)
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Open").click()
    page.wait_for_load_state()
    return page.content()


def test_a_stranger_with_the_same_link_and_photo_cannot_take_over_the_case(
    tmp_path: Path,
) -> None:
    (photo,) = write_photos(tmp_path / "photos", 1)
    with portal(tmp_path) as (browser, base):
        victim_page = browser.new_context().new_page()
        stranger_page = browser.new_context().new_page()
        victim = _file(victim_page, base, photo)
        stranger = _file(stranger_page, base, photo)
        assert stranger[0] != victim[0]
        assert "We are reviewing your request." in _open(victim_page, base, *victim)
        taken = _open(stranger_page, base, victim[0], stranger[1])
        assert "No request matches this reference and PIN." in taken
        assert "I want to withdraw this request" not in taken
        # The victim, opening again after the stranger's request, still holds the case.
        assert "We are reviewing your request." in _open(victim_page, base, *victim)
