"""The one-time setup link, used in a real headless Chromium."""

from pathlib import Path

import httpx
import pyotp

from consentry.accounts import users
from consentry.accounts.models import Role
from consentry.core.actor import SYSTEM
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.session import session_scope
from tests.browser import chromium, require_chromium, served

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def test_setup_link_sets_the_password_without_sending_the_token_in_a_url(tmp_path: Path) -> None:
    require_chromium()
    engine = make_engine(f"sqlite:///{tmp_path / 'consentry.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        _, token = users.create_user(
            actor=SYSTEM, session=session, email="rev@example.org", role=Role.REVIEWER
        )
    engine.dispose()
    requests: list[str] = []
    with served(tmp_path) as base, chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(f"{base}/setup#token={token}")
        assert page.url == f"{base}/setup"  # the fragment is cleared at once
        page.get_by_label("New password").fill("a long enough password")
        page.get_by_label("Repeat the password").fill("a long enough password")
        page.get_by_role("button", name="Set password").click()
        page.get_by_text("Password set for rev@example.org.").wait_for()
        uri = page.locator("#totp-uri").inner_text()
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / "setup.png"), full_page=True)
        code = pyotp.TOTP(pyotp.parse_uri(uri).secret).now()
        login = httpx.post(
            f"{base}/auth/login",
            json={"email": "rev@example.org", "password": "a long enough password", "code": code},
        )
    assert login.status_code == 200
    assert all(token not in url for url in requests)
    assert all(url.startswith(base) for url in requests), "a third-party request"


def test_setup_page_reports_a_used_link(tmp_path: Path) -> None:
    require_chromium()
    with served(tmp_path) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/setup#token=not-a-real-token-at-all")
        page.get_by_label("New password").fill("a long enough password")
        page.get_by_label("Repeat the password").fill("a long enough password")
        page.keyboard.press("Enter")
        message = page.locator("#message")
        message.filter(has_text="not valid any more").wait_for()
