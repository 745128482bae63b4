"""The review console in a real headless Chromium against a real `consentry serve`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from consentry.accounts.models import Role, User
from consentry.audit.models import AuditEvent
from consentry.db.session import session_scope
from tests.review.console_support import SCREENSHOTS, console


def _locations(n: int) -> list[dict[str, str]]:
    return [{"content_id": f"post-{n}", "url": f"https://example.org/p/{n}"}]


def test_queue_claim_reveal_and_decide_end_in_the_audit_log(tmp_path: Path) -> None:
    with console(tmp_path) as app:
        app.staff("reviewer@example.org", Role.REVIEWER)
        later = app.file(locations=_locations(1))  # 48-hour removal clock
        sooner = app.file(request_types=["third_party"], locations=_locations(2))  # 24 h
        minor = app.file(under_18="yes", locations=_locations(3))
        page = app.sign_in("reviewer@example.org")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "console-queue.png"), full_page=True)
        order = page.locator("tr.case-row").evaluate_all(
            "rows => rows.map(r => r.dataset.reference)"
        )
        assert order == [sooner, later]  # by time left; the minors' case is for leads only
        assert minor not in page.content()
        page.get_by_role("button", name=later, exact=True).click()
        page.get_by_text("You hold this case until").wait_for()
        image = page.locator("#preview-1 img")
        image.wait_for()
        assert "blur" in image.evaluate("i => getComputedStyle(i).filter")
        assert "grayscale" in image.evaluate("i => getComputedStyle(i).filter")
        page.screenshot(path=str(SCREENSHOTS / "console-case.png"), full_page=True)
        page.get_by_role("button", name="Reveal this preview").click()
        assert page.locator("#preview-1 img").evaluate("i => getComputedStyle(i).filter") == "none"
        assert "Previews revealed today: 1" in page.locator("#exposure").inner_text()
        page.get_by_label("Remove: the policy it breaks").select_option(index=1)
        page.get_by_role("button", name="Remove", exact=True).click()
        page.get_by_text(f"Decision recorded for {later}.").wait_for()
        for path, name in [("/console/appeals", "appeals"), ("/console/settings", "settings")]:
            page.goto(f"{app.base}{path}")
            page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)
        login = app.browser.new_page()
        login.goto(f"{app.base}/console/login")
        login.screenshot(path=str(SCREENSHOTS / "console-login.png"))
        with session_scope(app.engine) as session:
            reviewer = session.scalars(
                select(User).where(User.email == "reviewer@example.org")
            ).one()
            actions = session.scalars(
                select(AuditEvent.action).where(AuditEvent.actor == f"user:{reviewer.id}")
            ).all()
    assert {"case.claimed", "case.content_viewed", "case.decided", "case.released"} <= set(actions)


def test_two_reviewers_opening_one_case_never_both_hold_it(tmp_path: Path) -> None:
    with console(tmp_path) as app:
        app.staff("a@example.org", Role.REVIEWER)
        app.staff("b@example.org", Role.REVIEWER)
        reference = app.file(locations=_locations(7))
        first, second = app.sign_in("a@example.org"), app.sign_in("b@example.org")
        for page in (first, second):
            page.goto(f"{app.base}/console/cases/{reference}")
            assert "Nobody holds this case." in page.locator("#claim-status").inner_text()
        for page in (first, second):
            page.get_by_role("button", name="Claim this case").click()
            page.wait_for_load_state()
        statuses = [p.locator("#claim-status").inner_text() for p in (first, second)]
        second.screenshot(path=str(SCREENSHOTS / "console-case-held.png"), full_page=True)
        decision_forms = [p.locator("#remove-form").count() for p in (first, second)]
    assert sum("You hold this case" in s for s in statuses) == 1
    assert sum("Held by" in s for s in statuses) == 1
    assert sorted(decision_forms) == [0, 1]  # only the holder can decide


def test_the_keyboard_alone_opens_a_case_and_decides_it(tmp_path: Path) -> None:
    with console(tmp_path) as app:
        app.staff("keys@example.org", Role.REVIEWER)
        reference = app.file(locations=_locations(4))
        page = app.sign_in("keys@example.org")
        page.keyboard.press("?")
        assert page.locator("#help").is_visible()
        page.screenshot(path=str(SCREENSHOTS / "console-help.png"))
        page.keyboard.press("Escape")
        assert not page.locator("#help").is_visible()
        page.keyboard.press("j")
        assert page.evaluate("document.activeElement.textContent") == reference
        page.keyboard.press("o")
        page.get_by_text("You hold this case until").wait_for()
        page.keyboard.press("x")
        assert page.evaluate("document.activeElement.id") == "reason_code"
        page.keyboard.press("ArrowDown")  # "not the person depicted"
        page.keyboard.press("Tab")
        page.keyboard.type("The photo shows someone else.")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Keep up"
        focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        page.keyboard.press("Enter")
        page.get_by_text(f"Decision recorded for {reference}.").wait_for()
    assert focus_ring != "none"


def test_bulk_decisions_show_a_count_and_ask_for_confirmation(tmp_path: Path) -> None:
    with console(tmp_path) as app:
        app.staff("lead@example.org", Role.LEAD)
        references = [app.file(locations=_locations(20 + n)) for n in range(3)]
        page = app.sign_in("lead@example.org")
        for reference in references[:2]:
            page.get_by_label(f"Select {reference}").check()
        page.get_by_label("Decision").select_option("escalate")
        page.get_by_role("button", name="Preview the bulk decision").click()
        assert "Escalate: 2 case(s)." in page.locator("#bulk-count").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "console-bulk.png"), full_page=True)
        page.get_by_role("button", name="Confirm: escalate 2 case(s)").click()
        assert "2 case(s) done" in page.locator("#bulk-result").inner_text()


def test_admin_pages_and_roles(tmp_path: Path) -> None:
    with console(tmp_path, report_small_numbers="1") as app:
        app.staff("root@example.org", Role.ADMIN)
        app.staff("rev@example.org", Role.REVIEWER)
        for n in range(3):
            app.file(
                locations=_locations(40 + n),
                request_types=["depicted_person", "third_party"][: 1 + n % 2],
            )
        page = app.sign_in("root@example.org")
        for path, name in [
            ("", "admin-users"),
            ("/keys", "admin-keys"),
            ("/banks", "admin-banks"),
            ("/webhooks", "admin-webhooks"),
            ("/clocks", "admin-clocks"),
            ("/report", "admin-report"),
        ]:
            page.goto(f"{app.base}/console/admin{path}")
            page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)
        page.goto(f"{app.base}/console/admin/keys")
        page.get_by_label("Name (who uses it)").fill("platform")
        page.get_by_label("scan", exact=True).check()
        page.get_by_role("button", name="Create and show the key once").click()
        assert page.locator("#secret").inner_text().startswith("cst_")
        page.goto(f"{app.base}/console")
        assert "Your role cannot open this page." in page.content()
        reviewer = app.sign_in("rev@example.org")
        reviewer.goto(f"{app.base}/console/admin")
        assert "Your role cannot open this page." in reviewer.content()
