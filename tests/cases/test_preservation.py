"""Preserve, then remove: a record before every removal request; a copy only when the
operator allows it, encrypted at rest, read back by a lead with the access logged."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from consentry.accounts.models import Role, Scope
from consentry.actions.models import ActionRequest
from consentry.audit.models import AuditEvent
from consentry.cases.models import Preservation, PreservedCopy
from consentry.config import Settings
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from tests.cases.support import notice, staff_headers
from tests.helpers import key_headers, running
from tests.images import jpeg, pattern

PHOTO = jpeg(pattern(3))  # a benign generated pattern stands in for removed content


@pytest.fixture
def copies(settings: Settings) -> Iterator[TestClient]:
    with running(settings.model_copy(update={"evidence_copies": True})) as client:
        yield client


def _removal_requested(client: TestClient) -> int:
    filer = key_headers(client, Scope.NOTICES_WRITE)
    decider = key_headers(client, Scope.CASES_DECIDE)
    reference = client.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    client.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider)
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return session.scalars(select(ActionRequest.id)).one()


def test_a_record_is_made_before_removal_is_requested(client: TestClient) -> None:
    action_id = _removal_requested(client)
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        record = session.scalars(select(Preservation)).one()
        assert record.action_id == action_id
        assert record.record["content_id"] == "post-1"
        assert record.record["hashes"][0]["signal_type"] == "pdq"
        assert record.hold_until > utcnow() + timedelta(days=364)
        order = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.in_(["case.preserved", "case.action_requested"]))
            .order_by(AuditEvent.seq)
        ).all()
    assert order == ["case.preserved", "case.action_requested"]


def test_copies_are_refused_unless_the_operator_enables_them(client: TestClient) -> None:
    action_id = _removal_requested(client)
    platform = key_headers(client, Scope.ACTIONS_ACK)
    refused = client.put(
        f"/v1/actions/{action_id}/preserved-copy",
        content=PHOTO,
        headers={**platform, "Content-Type": "image/jpeg"},
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_copy_is_encrypted_digested_and_read_back_only_by_a_lead(copies: TestClient) -> None:
    client = copies
    action_id = _removal_requested(client)
    platform = key_headers(client, Scope.ACTIONS_ACK)
    stored = client.put(
        f"/v1/actions/{action_id}/preserved-copy",
        content=PHOTO,
        headers={**platform, "Content-Type": "image/jpeg"},
    )
    assert stored.status_code == 201, stored.text
    assert stored.json()["sha256"] == hashlib.sha256(PHOTO).hexdigest()
    again = client.put(f"/v1/actions/{action_id}/preserved-copy", content=b"x", headers=platform)
    assert again.status_code == 409
    preservation_id = stored.json()["preservation_id"]
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        ciphertext = session.get_one(PreservedCopy, preservation_id).ciphertext
        assert ciphertext is not None
        assert PHOTO[:64] not in ciphertext
    path = f"/v1/preservations/{preservation_id}/copy?purpose=police+request+123"
    reviewer = TestClient(client.app)
    with reviewer:
        staff_headers(reviewer, "rev@example.org", Role.REVIEWER)
        assert reviewer.get(path).status_code == 403
    staff_headers(client, "lead@example.org", Role.LEAD)
    opened = client.get(path)
    assert opened.status_code == 200
    assert opened.content == PHOTO
    assert opened.headers["cache-control"] == "no-store"
    with session_scope(engine) as session:
        access = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.evidence_accessed")
        ).one()
        assert access.details["digest_verified"] is True
        assert access.details["purpose"] == "police request 123"
        session.execute(
            update(PreservedCopy).values(ciphertext=bytes(len(ciphertext)))  # altered at rest
        )
    assert client.get(path).status_code == 409
