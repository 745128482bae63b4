"""A real `consentry serve` with staff, cases and a platform preview server, for the
console's browser tests."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyotp
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine

from consentry.accounts.models import Role, User
from consentry.accounts.users import create_user, set_password
from consentry.cases.intake import file_notice
from consentry.cases.schemas import NoticeIn
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.engine import make_engine
from consentry.db.session import session_scope
from tests.browser import chromium, require_chromium, start_server
from tests.cases.support import notice
from tests.images import pattern

PASSWORD = "a long enough password"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def _preview_png() -> bytes:
    buffer = io.BytesIO()
    pattern(5, 320, 240).save(buffer, "PNG")  # a benign generated pattern
    return buffer.getvalue()


@contextmanager
def preview_server() -> Iterator[str]:
    """The platform's preview service: any path answers with a benign pattern."""
    body = _preview_png()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@dataclass
class Console:
    base: str
    engine: Engine
    settings: Settings
    browser: Browser
    secrets: dict[str, str]

    def staff(self, email: str, role: Role) -> None:
        with session_scope(self.engine) as session:
            _, token = create_user(actor=SYSTEM, session=session, email=email, role=role)
            set_password(session=session, token=token, password=PASSWORD)
        with session_scope(self.engine) as session:
            user = session.query(User).filter_by(email=email).one()
            self.secrets[email] = user.totp_secret or ""

    def file(self, **overrides: Any) -> str:
        with session_scope(self.engine) as session:
            filed = file_notice(
                session=session,
                # No hashes: the default one would relate every case to every other.
                notice=NoticeIn.model_validate(notice(hashes=[], **overrides)),
                filed_by=SYSTEM,
                settings=self.settings,
            )
            return filed.case.reference

    def sign_in(self, email: str, page: Page | None = None) -> Page:
        page = page or self.browser.new_context().new_page()
        page.goto(f"{self.base}/console/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        code = pyotp.TOTP(self.secrets[email]).now() if self.secrets[email] else ""
        page.get_by_label("Authenticator code").fill(code)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        return page


@contextmanager
def console(tmp_path: Path, **extra: str) -> Iterator[Console]:
    require_chromium()
    data_dir = tmp_path / "data"
    with preview_server() as previews:
        template = f"{previews}/preview/{{content_id}}"
        server, base = start_server(data_dir, preview_url_template=template, **extra)
        engine = make_engine(f"sqlite:///{data_dir / 'consentry.db'}")
        settings = Settings(data_dir=data_dir, preview_url_template=template)
        try:
            with chromium() as browser:
                yield Console(base, engine, settings, browser, {})
        finally:
            engine.dispose()
            server.terminate()
            server.wait(timeout=15)
