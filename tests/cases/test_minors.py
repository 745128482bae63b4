"""A possible minor (IN-16, AC-06): restricted queue, hashes only, Take It Down signpost,
a CyberTipline report record and a year's preservation."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.accounts.models import Role
from consentry.cases.models import Case, CyberTiplineReport
from consentry.db.session import session_scope
from tests.cases.support import PDQ, notice, staff_headers


def test_possible_minor_routes_to_the_restricted_queue(
    app: TestClient, filer: dict[str, str]
) -> None:
    hashes_only = {
        "request_types": ["depicted_person"],
        "hashes": [{"signal_type": "pdq", "value": PDQ, "quality": 90}],
        "good_faith": True,
        "under_18": "not_sure",
    }
    filed = app.post("/v1/notices", json=hashes_only, headers=filer)
    receipt = filed.json()
    # No name or e-mail is needed on this branch, and removal proceeds as for any case.
    assert receipt["valid"]
    assert receipt["queue"] == "restricted"
    assert "takeitdown.ncmec.org" in receipt["signposts"][0]
    assert (
        app.post("/v1/notices", json={**hashes_only, "image": "x"}, headers=filer).status_code
        == 422
    )
    with session_scope(app.app.state.engine) as session:  # type: ignore[attr-defined]
        case = session.scalars(select(Case)).one()
        report = session.scalars(select(CyberTiplineReport)).one()
        assert report.status == "to_file"
        assert report.preserve_until - case.received_at >= timedelta(days=365)
        assert case.preserve_until == report.preserve_until

    staff_headers(app, "reviewer@example.org", Role.REVIEWER)
    refused = app.get(f"/v1/cases/{receipt['reference']}")
    assert refused.status_code == 403
    assert "restricted" in refused.json()["detail"]
    staff_headers(app, "lead@example.org", Role.LEAD)
    assert app.get(f"/v1/cases/{receipt['reference']}").status_code == 200


def test_no_api_key_reaches_a_restricted_case(
    app: TestClient, filer: dict[str, str], decider: dict[str, str]
) -> None:
    """F7: a key with cases:decide (minted by an administrator) cannot read or decide a
    possible minor's case; nor can the key that filed it."""
    receipt = app.post("/v1/notices", json=notice(under_18="yes"), headers=filer).json()
    reference = receipt["reference"]
    for headers in (decider, filer):
        assert app.get(f"/v1/cases/{reference}", headers=headers).status_code == 403
    decided = app.post(
        f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider
    )
    assert decided.status_code == 403
    # The requester, with the PIN, still follows their case.
    assert (
        app.get(f"/v1/cases/{reference}", headers={"X-Case-PIN": receipt["pin"]}).status_code == 200
    )
