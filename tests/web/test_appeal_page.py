"""The public appeal page linked from statements of reasons: no account, no JavaScript,
the appeal code never in a URL, hostile input escaped."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.cases.support import Receiver, notice


def _statement(
    app: TestClient,
    receiver: Receiver,
    filer: dict[str, str],
    decider: dict[str, str],
    platform: dict[str, str],
) -> dict[str, str]:
    reference = app.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider)
    (action,) = app.get("/v1/actions", headers=platform).json()["actions"]
    app.post(f"/v1/actions/{action['id']}/ack", json={"result": "done"}, headers=platform)
    data = receiver.wait_for("statement.issued")[0]["data"]
    return {"reference": data["statement"]["reference"], "code": data["appeal_code"]}


def test_appeal_page_files_an_appeal_with_the_statement_code(
    app: TestClient,
    receiver: tuple[Receiver, str],
    filer: dict[str, str],
    decider: dict[str, str],
    platform: dict[str, str],
) -> None:
    page = app.get("/appeal")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert '<form method="post" action="/appeal">' in page.text

    statement = _statement(app, receiver[0], filer, decider, platform)
    form = {
        "statement_reference": statement["reference"],
        "appeal_code": "WRONG-CODE",
        "grounds": "consent_to_publication",
        "explanation": "<script>alert(1)</script>",
    }
    wrong = app.post("/appeal", data=form)
    assert wrong.status_code == 404
    assert "no statement of reasons matches" in wrong.text
    assert "<script>alert(1)</script>" not in wrong.text
    assert "&lt;script&gt;" in wrong.text
    assert "WRONG-CODE" not in wrong.text  # the code is never echoed back

    filed = app.post("/appeal", data={**form, "appeal_code": statement["code"]})
    assert filed.status_code == 201
    assert "Your appeal was received" in filed.text
    again = app.post("/appeal", data={**form, "appeal_code": statement["code"]})
    assert again.status_code == 409


def test_appeal_page_asks_for_every_field(app: TestClient) -> None:
    incomplete = app.post("/appeal", data={"statement_reference": "SR-1"})
    assert incomplete.status_code == 422
    assert "Please fill in every field." in incomplete.text
