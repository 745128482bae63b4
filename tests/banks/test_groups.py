"""Entry groups: an image's values are added, withdrawn, revoked, exported and imported
as one; a withdrawn group leaves no window matching anywhere."""

from __future__ import annotations

import time
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consentry.banks import batches, records, service
from consentry.banks.formats import read_entries, write_lines
from consentry.banks.images import image_entries
from consentry.banks.models import BankEntry, ChangeAction, EntryGroup, EntryStatus
from consentry.banks.service import NewEntry
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.hashing.signals import compute_signals
from consentry.matching.follower import catch_up, load_matcher
from consentry.matching.matcher import Query
from tests.images import blobs, png
from tests.matching.test_follower import PATIENCE_SECONDS, ask_value, start_probe


def _add_image(session: Session, seed: int, label: str = "photo.png") -> list[NewEntry]:
    bank = service.get_bank(session=session, name="ncii")
    entries = image_entries(
        compute_signals(png(blobs(seed)), bank=True), label=label, status=EntryStatus.CONFIRMED
    )
    batches.add_entries(session=session, bank=bank, batch=entries, actor=SYSTEM, groups={})
    return entries


def test_an_image_is_one_group_with_every_kind(session: Session) -> None:
    service.create_bank(actor=SYSTEM, session=session, name="ncii")
    entries = _add_image(session, 1)
    kinds = {e.signal_type for e in entries}
    assert kinds == {"pdq", "pdq_windows", "sha256", "md5"}
    (group,) = session.scalars(select(EntryGroup)).all()
    assert group.label == "photo.png"
    stored = session.scalars(select(BankEntry)).all()
    assert len(stored) == len(entries)
    assert {e.group_id for e in stored} == {group.id}


def test_withdrawing_any_value_of_an_image_withdraws_the_whole_image(session: Session) -> None:
    service.create_bank(actor=SYSTEM, session=session, name="ncii")
    entries = _add_image(session, 1)
    _add_image(session, 2, label="other.png")
    window = next(e for e in entries if e.signal_type == "pdq_windows")
    bank = service.get_bank(session=session, name="ncii")
    _entry, changed = service.change_status(
        session=session,
        bank=bank,
        signal_type="pdq_windows",
        value=window.value,
        action=ChangeAction.WITHDRAWN,
        actor=SYSTEM,
        whole_group=True,
    )
    assert changed
    by_group: dict[str, set[EntryStatus]] = {}
    for entry, label in session.execute(
        select(BankEntry, EntryGroup.label).join(EntryGroup, EntryGroup.id == BankEntry.group_id)
    ):
        by_group.setdefault(label, set()).add(EntryStatus(entry.status))
    assert by_group == {"photo.png": {EntryStatus.WITHDRAWN}, "other.png": {EntryStatus.CONFIRMED}}


def test_exports_carry_the_group_and_imports_keep_it(session: Session) -> None:
    service.create_bank(actor=SYSTEM, session=session, name="ncii")
    _add_image(session, 3, label="beach.jpg")
    bank = service.get_bank(session=session, name="ncii")
    lines = list(write_lines(records.iter_entries(session=session, bank=bank), ".jsonl"))
    assert all('"label": "beach.jpg"' in (line or "") for line in lines)
    service.create_bank(actor=SYSTEM, session=session, name="copy")
    copy = service.get_bank(session=session, name="copy")
    batch = [
        item
        for _, item in read_entries(
            [line or "" for line in lines], kind=".jsonl", default_signal="pdq", status=None
        )
        if isinstance(item, NewEntry)
    ]
    groups: dict[str, int] = {}
    # Two batches, as a long import reads them: still one group.
    for part in (batch[:5], batch[5:]):
        batches.add_entries(session=session, bank=copy, batch=part, actor=SYSTEM, groups=groups)
    imported = session.scalars(select(BankEntry).where(BankEntry.bank_id == copy.id)).all()
    assert len(imported) == len(lines)
    assert len({e.group_id for e in imported}) == 1
    group = session.get_one(EntryGroup, imported[0].group_id)
    assert group.label == "beach.jpg"


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 40), pick=st.integers(0, 1000))
def test_a_withdrawn_group_leaves_no_window_in_a_follower(
    engine: Engine, seed: int, pick: int
) -> None:
    name = f"b-{uuid.uuid4().hex[:12]}"
    with session_scope(engine) as session:
        bank = service.create_bank(actor=SYSTEM, session=session, name=name)
        signals = compute_signals(png(blobs(seed)), bank=True)
        entries = image_entries(signals, label="x", status=EntryStatus.CONFIRMED)
        batches.add_entries(session=session, bank=bank, batch=entries, actor=SYSTEM, groups={})
    matcher = load_matcher(engine)
    windows = [e.value for e in entries if e.signal_type == "pdq_windows"]
    if not windows:
        return
    query = Query.from_values("pdq_windows", windows)
    assert [m.windows for m in matcher.match(query, bank=name)] == [len(windows)]
    with session_scope(engine) as session:
        service.change_status(
            session=session,
            bank=service.get_bank(session=session, name=name),
            signal_type="pdq_windows",
            value=windows[pick % len(windows)],
            action=ChangeAction.WITHDRAWN,
            actor=SYSTEM,
            whole_group=True,
        )
    catch_up(engine, matcher)
    assert matcher.match(query, bank=name) == []
    assert matcher.match(Query.from_signals(signals), bank=name) == []


def test_a_withdrawn_group_stops_matching_in_another_process(engine: Engine, db_url: str) -> None:
    with session_scope(engine) as session:
        service.create_bank(actor=SYSTEM, session=session, name="ncii")
        entries = _add_image(session, 6)
    windows = [e.value for e in entries if e.signal_type == "pdq_windows"]
    probe = start_probe(db_url)
    try:
        assert all(ask_value(probe, "pdq_windows", w) == 1 for w in windows)
        with session_scope(engine) as session:
            service.change_status(
                session=session,
                bank=service.get_bank(session=session, name="ncii"),
                signal_type="md5",
                value=next(e.value for e in entries if e.signal_type == "md5"),
                action=ChangeAction.WITHDRAWN,
                actor=SYSTEM,
                whole_group=True,
            )
        deadline = time.monotonic() + PATIENCE_SECONDS
        while any(ask_value(probe, "pdq_windows", w) for w in windows):
            assert time.monotonic() < deadline, "the other process never saw the withdrawal"
            time.sleep(0.01)
    finally:
        probe.terminate()
        probe.wait(timeout=10)


def test_adding_an_image_twice_adds_nothing_and_no_empty_group(session: Session) -> None:
    service.create_bank(actor=SYSTEM, session=session, name="ncii")
    _add_image(session, 8)
    _add_image(session, 8, label="again.png")
    assert [g.label for g in session.scalars(select(EntryGroup))] == ["photo.png"]
