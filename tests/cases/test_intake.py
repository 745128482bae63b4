"""Notices: validity element by element, completion, PIN access, idempotency."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consentry.actions.models import OutboxMessage
from consentry.cases.notify import RECEIPTS_PER_ADDRESS
from consentry.db.session import session_scope
from tests.cases.support import PDQ, notice

# Counts up to limits in fixed windows: on a clock where none ends mid-test.
pytestmark = pytest.mark.usefixtures("fresh_windows")


def test_incomplete_notice_is_stored_and_says_what_is_missing(
    app: TestClient, filer: dict[str, str]
) -> None:
    bare = {"locations": [{"content_id": "post-9"}]}
    filed = app.post("/v1/notices", json=bare, headers=filer)
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    assert not receipt["valid"]
    assert receipt["status"] == "incomplete"
    assert [m["field"] for m in receipt["missing"]] == ["signature", "good_faith", "contact"]
    assert receipt["deadlines"] == []
    assert receipt["valid_at"] is None

    completed = app.post(
        f"/v1/cases/{receipt['reference']}/information",
        json={
            "signature": {"name": "A. Person", "signed": True},
            "good_faith": True,
            "contact": {"email": "person@example.org"},
        },
        headers={"X-Case-PIN": receipt["pin"]},
    )
    assert completed.status_code == 200, completed.text
    view = completed.json()
    assert view["status"] == "open"
    assert view["missing"] == []
    assert view["valid_at"] > receipt["received_at"]  # the clock starts at completion
    (removal,) = view["deadlines"]
    assert removal["started_at"] == view["valid_at"]
    assert view["items"][0]["due_at"] == removal["due_at"]


def test_optional_answers_never_delay_validity(app: TestClient, filer: dict[str, str]) -> None:
    minimal = notice(grounds=[], intimacy=[], standing=None, under_18=None, accurate=False)
    receipt = app.post("/v1/notices", json=minimal, headers=filer).json()
    assert receipt["valid"]
    assert any(w.startswith("under_18 was not given") for w in receipt["warnings"])


def test_unknown_fields_such_as_an_image_are_refused(
    app: TestClient, filer: dict[str, str]
) -> None:
    refused = app.post("/v1/notices", json=notice(image="aGVsbG8="), headers=filer)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.image"
    bad_hash = notice(hashes=[{"signal_type": "pdq", "value": "xyz"}])
    refused = app.post("/v1/notices", json=bad_hash, headers=filer)
    assert refused.status_code == 422
    assert "hashes[0]" in refused.json()["detail"]


def test_low_quality_hashes_are_kept_with_the_case_but_not_banked(
    app: TestClient, filer: dict[str, str]
) -> None:
    weak = notice(locations=[], hashes=[{"signal_type": "pdq", "value": PDQ, "quality": 20}])
    receipt = app.post("/v1/notices", json=weak, headers=filer).json()
    assert not receipt["valid"]
    assert receipt["missing"][0]["field"] == "locations"
    assert "quality below 50" in receipt["warnings"][0]
    headers = {**filer, "X-Case-PIN": receipt["pin"]}
    view = app.get(f"/v1/cases/{receipt['reference']}", headers=headers).json()
    assert view["set_aside_hashes"] == 1
    assert sum(view["hashes"].values()) == 0
    more = {"hashes": [{"signal_type": "pdq", "value": "0" * 64, "quality": 10}]}
    app.post(f"/v1/cases/{receipt['reference']}/information", json=more, headers=headers)
    view = app.get(f"/v1/cases/{receipt['reference']}", headers=headers).json()
    assert view["set_aside_hashes"] == 2
    assert sum(view["hashes"].values()) == 0


def test_hash_only_requests_need_no_name_or_contact(app: TestClient, filer: dict[str, str]) -> None:
    anonymous = {
        "request_types": ["hash_only"],
        "hashes": [{"signal_type": "md5", "value": "0" * 32}],
        "good_faith": True,
    }
    receipt = app.post("/v1/notices", json=anonymous, headers=filer).json()
    assert receipt["valid"]
    assert receipt["deadlines"][0]["regime"] == "removal"


def test_wrong_pin_and_unknown_reference_get_the_same_answer_then_throttle(
    app: TestClient, filer: dict[str, str]
) -> None:
    reference = app.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    wrong_pin = app.get(f"/v1/cases/{reference}", headers={"X-Case-PIN": "WRONG"})
    unknown = app.get("/v1/cases/CS-AAAA-BBBB-CCCC", headers={"X-Case-PIN": "WRONG"})
    assert wrong_pin.status_code == unknown.status_code == 404
    assert wrong_pin.json() == unknown.json()
    for _ in range(4):
        app.get(f"/v1/cases/{reference}", headers={"X-Case-PIN": "WRONG"})
    throttled = app.get(f"/v1/cases/{reference}", headers={"X-Case-PIN": "WRONG"})
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"]


def test_a_repeated_idempotency_key_returns_the_same_case_with_a_new_pin(
    app: TestClient, filer: dict[str, str]
) -> None:
    headers = {**filer, "Idempotency-Key": "helpline-4711"}
    first = app.post("/v1/notices", json=notice(), headers=headers)
    again = app.post("/v1/notices", json=notice(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    reference = first.json()["reference"]
    old = app.get(f"/v1/cases/{reference}", headers={"X-Case-PIN": first.json()["pin"]})
    new = app.get(f"/v1/cases/{reference}", headers={"X-Case-PIN": again.json()["pin"]})
    assert (old.status_code, new.status_code) == (404, 200)


def test_a_repeated_idempotency_key_with_another_body_is_refused(
    app: TestClient, filer: dict[str, str]
) -> None:
    headers = {**filer, "Idempotency-Key": "helpline-4712"}
    assert app.post("/v1/notices", json=notice(), headers=headers).status_code == 201
    other = app.post("/v1/notices", json=notice(explanation="another one"), headers=headers)
    assert other.status_code == 409
    assert other.json()["type"].endswith("idempotency-key-reused")
    empty = app.post("/v1/notices", json=notice(), headers={**filer, "Idempotency-Key": ""})
    assert empty.status_code == 422
    again = app.post("/v1/notices", json=notice(), headers={**filer, "Idempotency-Key": ""})
    assert again.status_code == 422


def test_a_filer_reads_its_own_cases_only(app: TestClient, filer: dict[str, str]) -> None:
    from consentry.accounts.models import Scope
    from tests.conftest import key_headers

    reference = app.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    assert app.get(f"/v1/cases/{reference}", headers=filer).status_code == 200
    stranger = key_headers(app, Scope.NOTICES_WRITE)
    assert app.get(f"/v1/cases/{reference}", headers=stranger).status_code == 404
    assert app.get(f"/v1/cases/{reference}").status_code == 401


def test_a_pdq_hash_of_quality_zero_never_reaches_the_bank(
    app: TestClient, filer: dict[str, str]
) -> None:
    zero = notice(hashes=[{"signal_type": "pdq", "value": PDQ, "quality": 0}])
    receipt = app.post("/v1/notices", json=zero, headers=filer).json()
    view = app.get(f"/v1/cases/{receipt['reference']}", headers={"X-Case-PIN": receipt["pin"]})
    assert sum(view.json()["hashes"].values()) == 0


def test_receipts_to_one_address_are_limited(app: TestClient, filer: dict[str, str]) -> None:
    """F19: eight requests naming a stranger's address send that stranger three receipts;
    every request is still filed and answered."""
    answers = [
        app.post(
            "/v1/notices",
            json=notice(contact={"email": "Stranger@Example.org"}, hashes=[]),
            headers=filer,
        )
        for _ in range(8)
    ]
    assert {a.status_code for a in answers} == {201}
    with session_scope(app.app.state.engine) as session:  # type: ignore[attr-defined]
        queued = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.channel == "email")
        )
    assert queued == RECEIPTS_PER_ADDRESS.limit
