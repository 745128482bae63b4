"""Partners' feedback reaches the hub's case page and the requester's status page as an
aggregate, never naming a platform or content; a partner speaks only of what it was sent."""

from __future__ import annotations

from fastapi.testclient import TestClient

from consentry.accounts.models import Role, Scope
from consentry.core.actor import CLI
from consentry.db.session import session_scope
from consentry.exchanges import service
from tests.cases.support import PDQ, notice, staff_headers
from tests.helpers import key_headers


def _partner(client: TestClient, name: str, pending: bool) -> dict[str, str]:
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        _, secret = service.add_partner(
            session=session, name=name, banks=["cases"], share_pending=pending, actor=CLI
        )
    return {"Authorization": f"Bearer {secret}"}


def test_feedback_shows_as_the_cases_reach(client: TestClient) -> None:
    filed = client.post(
        "/v1/notices", json=notice(), headers=key_headers(client, Scope.NOTICES_WRITE)
    )
    reference, pin = filed.json()["reference"], filed.json()["pin"]
    sharing = _partner(client, "platform-a", pending=True)
    confirmed_only = _partner(client, "platform-b", pending=False)

    def tell(headers: dict[str, str], word: str) -> dict[str, int]:
        item = {"signal_type": "pdq", "value": PDQ, "feedback": word}
        answer = client.post("/v1/feed/feedback", json={"feedback": [item]}, headers=headers)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    assert tell(sharing, "Blocked") == {"accepted": 1, "unknown": 0}
    # The pending hash was never sent to a partner that takes confirmed values only.
    assert tell(confirmed_only, "NotBlocked") == {"accepted": 0, "unknown": 1}
    bad = client.post(
        "/v1/feed/feedback",
        json={"feedback": [{"signal_type": "pdq", "value": PDQ, "feedback": "Maybe"}]},
        headers=sharing,
    )
    assert bad.status_code == 422

    status = client.post("/status", data={"reference": reference, "pin": pin})
    assert "Partner platforms your request was sent to: 1. Removed on 1 of them so far." in (
        status.text
    )
    assert "platform-a" not in status.text

    staff_headers(client, "reviewer@example.org", Role.REVIEWER)
    page = client.get(f"/console/cases/{reference}")
    assert page.status_code == 200
    assert "sent to 1 platform; blocked on 1" in page.text
    assert "platform-a" not in page.text
