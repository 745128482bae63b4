"""F16, F17, F22: hostile names and numbers get a clear 4xx, never a 500, and no bound
parameter (an e-mail, a reference, a content ID) reaches a log."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from consentry.accounts.models import Role, Scope
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from tests.cases.support import notice, staff_headers
from tests.helpers import key_headers


def test_bank_names_are_slugs(client: TestClient) -> None:
    writer = key_headers(client, Scope.BANKS_WRITE, Scope.BANKS_READ)
    for name in ("$\\frac{1$", "a/b", "Ncii", "ncii\u200b", "", "-x"):
        answer = client.post("/v1/banks", json={"name": name}, headers=writer)
        assert answer.status_code == 422, name
    assert client.post("/v1/banks", json={"name": "ncii-2.uk_a"}, headers=writer).status_code == 201


def test_numbers_past_64_bits_are_refused_not_crashed(client: TestClient) -> None:
    headers = key_headers(client, Scope.BANKS_WRITE, Scope.BANKS_READ)
    client.post("/v1/banks", json={"name": "ncii"}, headers=headers)
    for since in (2**63, 2**70):
        answer = client.get(f"/v1/banks/ncii/changes?since={since}", headers=headers)
        assert answer.status_code == 422
    staff_headers(client, "root@example.org", Role.ADMIN)
    for path in (f"/console/admin/users/{2**70}/disable", f"/console/admin/keys/{2**70}/revoke"):
        assert client.post(path, data={"csrf_token": "x"}).status_code in (403, 422)


def test_nul_bytes_and_hidden_characters_get_a_clear_answer(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    filer = key_headers(client, Scope.NOTICES_WRITE)
    scanner = key_headers(client, Scope.SCAN)
    caplog.set_level(logging.DEBUG)
    answers = [
        client.post("/auth/login", json={"email": "a\x00@example.org", "password": "x" * 12}),
        client.get("/v1/cases/CS-%00", headers={"X-Case-PIN": "x"}),
        client.post(
            "/v1/notices",
            json=notice(locations=[{"content_id": "post\x00-1"}], contact={"email": "p@x.org"}),
            headers=filer,
        ),
        client.post(
            "/v1/scan", json={"pdq": "f" * 64, "content_id": "up\x00load"}, headers=scanner
        ),
    ]
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert "up\x00load" not in caplog.text
    assert "a\x00@example.org" not in caplog.text


def test_staff_addresses_with_zero_width_or_bidi_characters_are_refused(client: TestClient) -> None:
    from consentry.accounts.errors import AccountError
    from consentry.accounts.users import create_user

    engine = client.app.state.engine  # type: ignore[attr-defined]
    for email in ("lead\u200b@example.org", "lead@exa\u202emple.org", "le\u0000ad@example.org"):
        with pytest.raises(AccountError), session_scope(engine) as session:
            create_user(actor=SYSTEM, session=session, email=email, role=Role.LEAD)
    with session_scope(engine) as session:
        # NFC: a composed and a decomposed "é" are one address.
        create_user(actor=SYSTEM, session=session, email="ren\u00e9@example.org", role=Role.LEAD)
    with pytest.raises(AccountError), session_scope(engine) as session:
        create_user(actor=SYSTEM, session=session, email="rene\u0301@example.org", role=Role.LEAD)
    with session_scope(engine) as session:
        assert session.execute(text("SELECT count(*) FROM users")).scalar() == 1
