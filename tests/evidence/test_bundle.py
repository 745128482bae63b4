"""Evidence bundles: a real case history, signed, verified offline, and every kind of
tampering named (on SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.audit.models import AuditEvent
from consentry.audit.service import canonical_json
from consentry.config import Settings
from consentry.core.actor import CLI
from consentry.db.base import utcnow
from consentry.evidence.bundle import export_bundle, verify_bundle
from consentry.evidence.keys import fingerprint, load_or_create
from tests.cases.support import removed_case


@pytest.fixture
def bundle(session: Session, tmp_path: Path) -> tuple[dict[str, Any], Ed25519PrivateKey]:
    case = removed_case(session=session, settings=Settings(data_dir=tmp_path))
    key = load_or_create(tmp_path / "key.pem")
    exported = export_bundle(session=session, case=case, key=key, actor=CLI, now=utcnow())
    exported_event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.evidence_exported")
    ).one()
    assert exported_event.details["key"] == fingerprint(key.public_key())
    return exported, key


def test_a_fresh_bundle_verifies_and_holds_no_contact_details(
    bundle: tuple[dict[str, Any], Ed25519PrivateKey],
) -> None:
    data, key = bundle
    result = verify_bundle(data, trusted=fingerprint(key.public_key()))
    assert result.ok, result.problems
    content = data["content"]
    actions = [e["action"] for e in content["events"]]
    assert {"case.received", "case.decided", "case.action_confirmed", "case.statement_sent"} <= set(
        actions
    )
    assert content["decisions"][0]["decision"] == "confirm"
    assert content["hashes"][0]["status"] == "confirmed"
    assert len(content["statements"]) == 1
    text = json.dumps(data)
    assert "person@example.org" not in text
    assert "A. Person" not in text


def test_an_edited_event_is_named_even_when_the_bundle_is_re_signed(
    bundle: tuple[dict[str, Any], Ed25519PrivateKey],
) -> None:
    data, key = bundle
    forged = copy.deepcopy(data)
    decided = next(e for e in forged["content"]["events"] if e["action"] == "case.decided")
    decided["details"]["decision"] = "decline"
    plain = verify_bundle(forged, trusted=fingerprint(key.public_key()))
    assert "the signature does not match the content: it was altered" in plain.problems
    assert (
        f"event seq {decided['seq']} (case.decided): its fields do not match its hash (edited)"
        in plain.problems
    )

    other = Ed25519PrivateKey.generate()
    forged["signature"] = base64.b64encode(
        other.sign(canonical_json(forged["content"]).encode())
    ).decode()
    forged["public_key"] = base64.b64encode(other.public_key().public_bytes_raw()).decode()
    resigned = verify_bundle(forged, trusted=fingerprint(key.public_key()))
    assert any("not by the trusted key" in p for p in resigned.problems)
    assert any("(edited)" in p for p in resigned.problems)


def test_reordered_or_foreign_events_are_named(
    bundle: tuple[dict[str, Any], Ed25519PrivateKey],
) -> None:
    data, _ = bundle
    swapped = copy.deepcopy(data)
    events = swapped["content"]["events"]
    events[1], events[2] = events[2], events[1]
    assert any("out of order" in p for p in verify_bundle(swapped).problems)
    foreign = copy.deepcopy(data)
    foreign["content"]["events"][-1]["subject_id"] = "999"
    problems = verify_bundle(foreign).problems
    assert any("belongs to another case" in p for p in problems)
    assert verify_bundle({"content": {"format": "other"}}).problems == [
        "not a consentry-evidence/1 bundle"
    ]
