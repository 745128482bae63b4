"""F1/F2: a stranger who knows the URL or has the image cannot take over a victim's case.

Whoever posted the image can file a notice too, naming the same URL and hash. They get a
case of their own; the victim's case, PIN, items and hashes stay the victim's."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.banks.models import BankChange, BankEntry, ChangeAction
from consentry.cases.access import Viewer
from consentry.cases.models import Case
from consentry.cases.related import related_cases
from consentry.core.actor import Actor
from consentry.db.session import session_scope
from tests.cases.support import PDQ, eventually, notice

OTHER_PDQ = "0f" * 32  # the stranger's unrelated image
VICTIM_URL = "https://example.test/p/1"


def _status_of(app: TestClient, value: str) -> str:
    with session_scope(app.app.state.engine) as session:  # type: ignore[attr-defined]
        return session.scalars(select(BankEntry.status).where(BankEntry.value == value)).one()


def _verdict(app: TestClient, headers: dict[str, str], value: str) -> str:
    answer = app.post("/v1/scan", json={"pdq": value}, headers=headers)
    assert answer.status_code == 200, answer.text
    verdict: str = answer.json()["verdict"]
    return verdict


def _stranger(app: TestClient, filer: dict[str, str], **overrides: object) -> dict[str, str]:
    body = notice(
        signature={"name": "Not The Victim", "signed": True},
        contact={"email": "stranger@example.net"},
        locations=[{"url": VICTIM_URL}, {"url": "https://example.test/unrelated"}],
        hashes=[
            {"signal_type": "pdq", "value": PDQ, "quality": 90},
            {"signal_type": "pdq", "value": OTHER_PDQ, "quality": 90},
        ],
        explanation="please remove",
    )
    body.update(overrides)
    filed = app.post("/v1/notices", json=body, headers=filer)
    assert filed.status_code == 201, filed.text
    receipt: dict[str, str] = filed.json()
    return receipt


def test_a_notice_naming_a_victims_content_gets_its_own_case(
    app: TestClient, filer: dict[str, str]
) -> None:
    victim = app.post("/v1/notices", json=notice(), headers=filer).json()
    incomplete = _stranger(app, filer, signature=None, good_faith=False)
    complete = _stranger(app, filer)
    for stranger in (incomplete, complete):
        assert stranger["reference"] != victim["reference"]
        assert "merged" not in stranger
        # The stranger's PIN opens nothing of the victim's, and the victim's PIN still works.
        taken = app.get(f"/v1/cases/{victim['reference']}", headers={"X-Case-PIN": stranger["pin"]})
        assert taken.status_code == 404
    mine = app.get(f"/v1/cases/{victim['reference']}", headers={"X-Case-PIN": victim["pin"]})
    assert mine.status_code == 200
    view = mine.json()
    assert [i["content_id"] for i in view["items"]] == ["post-1"]
    assert view["hashes"]["pending"] == 1
    # The stranger's case shows only what the stranger sent.
    theirs = app.get(
        f"/v1/cases/{complete['reference']}", headers={"X-Case-PIN": complete["pin"]}
    ).json()
    assert sorted(i["url"] for i in theirs["items"]) == [
        VICTIM_URL,
        "https://example.test/unrelated",
    ]
    assert all(i["content_id"] != "post-1" for i in theirs["items"])
    # The stranger cannot withdraw the victim's case.
    refused = app.post(f"/v1/cases/{victim['reference']}/withdraw", json={"pin": complete["pin"]})
    assert refused.status_code == 404


def test_confirming_one_case_confirms_only_its_own_hashes(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], platform: dict[str, str]
) -> None:
    victim = app.post("/v1/notices", json=notice(), headers=filer).json()
    stranger = _stranger(app, filer)
    confirmed = app.post(
        f"/v1/cases/{victim['reference']}/decisions",
        json={"decision": "confirm"},
        headers=decider,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert _status_of(app, PDQ) == "confirmed"
    assert _status_of(app, OTHER_PDQ) == "pending"  # the stranger's image is not confirmed
    eventually(lambda: _verdict(app, platform, PDQ) == "auto_action")
    assert _verdict(app, platform, OTHER_PDQ) == "review"
    # Staff see the two cases as related, and why.
    with session_scope(app.app.state.engine) as session:  # type: ignore[attr-defined]
        ids = dict(session.execute(select(Case.reference, Case.id)).all())
        related = related_cases(
            session=session, case_ids=[ids[victim["reference"]]], viewer=Viewer(Actor.user(1))
        )
    (link,) = related[ids[victim["reference"]]]
    assert link.reference == stranger["reference"]
    assert link.reasons == ("same URL", "same hash")


def test_a_strangers_withdrawal_leaves_the_victims_hash_blocked(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], platform: dict[str, str]
) -> None:
    victim = app.post("/v1/notices", json=notice(), headers=filer).json()
    app.post(
        f"/v1/cases/{victim['reference']}/decisions",
        json={"decision": "confirm"},
        headers=decider,
    )
    stranger = _stranger(app, filer)
    withdrawn = app.post(
        f"/v1/cases/{stranger['reference']}/withdraw", json={"pin": stranger["pin"]}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert _status_of(app, PDQ) == "confirmed"
    assert _status_of(app, OTHER_PDQ) == "withdrawn"
    eventually(lambda: _verdict(app, platform, PDQ) == "auto_action")


def test_a_hash_is_withdrawn_once_every_case_holding_it_lets_go(
    app: TestClient, filer: dict[str, str], decider: dict[str, str]
) -> None:
    victim = app.post("/v1/notices", json=notice(), headers=filer).json()
    stranger = _stranger(app, filer)
    app.post(f"/v1/cases/{victim['reference']}/withdraw", json={"pin": victim["pin"]})
    assert _status_of(app, PDQ) == "pending"  # the other request still holds it
    declined = app.post(
        f"/v1/cases/{stranger['reference']}/decisions",
        json={"decision": "decline", "reason_code": "not_depicted_person"},
        headers=decider,
    )
    assert declined.status_code == 200, declined.text
    assert _status_of(app, PDQ) == "withdrawn"  # the victim's withdrawal now takes effect


def test_a_withdrawn_hash_is_blocked_again_only_when_a_reviewer_confirms_a_new_request(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], platform: dict[str, str]
) -> None:
    first = app.post("/v1/notices", json=notice(), headers=filer).json()
    app.post(
        f"/v1/cases/{first['reference']}/decisions", json={"decision": "confirm"}, headers=decider
    )
    app.post(f"/v1/cases/{first['reference']}/withdraw", json={"pin": first["pin"]})
    assert _status_of(app, PDQ) == "withdrawn"
    again = app.post("/v1/notices", json=notice(), headers=filer).json()
    assert _status_of(app, PDQ) == "withdrawn"  # nothing reinstates on its own
    eventually(lambda: _verdict(app, platform, PDQ) == "no_match")
    confirmed = app.post(
        f"/v1/cases/{again['reference']}/decisions", json={"decision": "confirm"}, headers=decider
    )
    assert confirmed.status_code == 200, confirmed.text
    assert _status_of(app, PDQ) == "confirmed"
    with session_scope(app.app.state.engine) as session:  # type: ignore[attr-defined]
        actions = session.scalars(select(BankChange.action).order_by(BankChange.seq)).all()
    assert actions[-1] == ChangeAction.REINSTATED.value
    eventually(lambda: _verdict(app, platform, PDQ) == "auto_action")
    timeline = app.get(
        f"/v1/cases/{again['reference']}", headers={"X-Case-PIN": again["pin"]}
    ).json()
    assert timeline["hashes"]["confirmed"] == 1


def test_a_strangers_withdrawal_of_the_same_photo_leaves_the_victims_windows_blocked(
    app: TestClient, filer: dict[str, str], decider: dict[str, str]
) -> None:
    """The stranger files first, so the photo's entry group is theirs; the victim's request
    holds the same values. The stranger's withdrawal takes back only what no one else
    holds (their extra value), never the rest of the group under the victim."""
    windows = [f"{n:02x}" * 32 for n in (0x21, 0x43, 0x65)]
    photo = [{"signal_type": "pdq_windows", "value": w, "quality": 80, "photo": 1} for w in windows]
    extra = {"signal_type": "pdq", "value": OTHER_PDQ, "quality": 90, "photo": 1}
    stranger = _stranger(app, filer, hashes=[*photo, extra])
    victim = app.post("/v1/notices", json=notice(hashes=photo), headers=filer).json()
    app.post(
        f"/v1/cases/{victim['reference']}/decisions", json={"decision": "confirm"}, headers=decider
    )
    withdrawn = app.post(
        f"/v1/cases/{stranger['reference']}/withdraw", json={"pin": stranger["pin"]}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert _status_of(app, OTHER_PDQ) == "withdrawn"
    assert [_status_of(app, w) for w in windows] == ["confirmed"] * 3
