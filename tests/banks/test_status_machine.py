"""The bank status machine, driven at random: the database, a matcher following the
change log, and a matcher loaded afresh always agree with a model of the rules."""

from __future__ import annotations

from typing import ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine, delete

from consentry.banks import service
from consentry.banks.errors import EntryNotFound, StatusConflict
from consentry.banks.models import Bank, BankChange, BankEntry, ChangeAction, EntryStatus
from consentry.banks.service import NewEntry
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.matching.follower import catch_up, load_matcher
from consentry.matching.matcher import Query
from consentry.matching.schemas import Tier

VALUES = ["0" * 64, "f" * 64, "0f" * 32]  # 128 bits or more apart: no near matches
PENDING, CONFIRMED = EntryStatus.PENDING, EntryStatus.CONFIRMED
WITHDRAWN, REVOKED = EntryStatus.WITHDRAWN, EntryStatus.REVOKED
# The rules, written out again here rather than read from the code under test.
RULES = {
    ChangeAction.CONFIRMED: (CONFIRMED, {PENDING}),
    ChangeAction.WITHDRAWN: (WITHDRAWN, {PENDING, CONFIRMED}),
    ChangeAction.REVOKED: (REVOKED, {PENDING, CONFIRMED}),
    ChangeAction.REINSTATED: (CONFIRMED, {WITHDRAWN}),
}


class BankMachine(RuleBasedStateMachine):
    engine: ClassVar[Engine]  # set on a subclass per database

    def __init__(self) -> None:
        super().__init__()
        engine = self.engine
        with session_scope(engine) as session:
            for table in (BankChange, BankEntry, Bank):
                session.execute(delete(table))
            service.create_bank(actor=SYSTEM, session=session, name="ncii", auto_max_distance=0)
        self.model: dict[str, EntryStatus] = {}
        self.follower = load_matcher(engine)

    @rule(value=st.sampled_from(VALUES), status=st.sampled_from([PENDING, CONFIRMED]))
    def add(self, value: str, status: EntryStatus) -> None:
        with session_scope(self.engine) as session:
            bank = service.get_bank(session=session, name="ncii")
            _, added = service.add_entry(
                session=session, bank=bank, new=NewEntry("pdq", value, status)
            )
        assert added == (value not in self.model)
        self.model.setdefault(value, status)  # an existing entry is never changed by adding

    @rule(value=st.sampled_from(VALUES), action=st.sampled_from(list(RULES)))
    def change(self, value: str, action: ChangeAction) -> None:
        target, allowed = RULES[action]
        current = self.model.get(value)
        with session_scope(self.engine) as session:
            bank = service.get_bank(session=session, name="ncii")

            def attempt() -> bool:
                _, changed = service.change_status(
                    session=session,
                    bank=bank,
                    signal_type="pdq",
                    value=value,
                    action=action,
                    actor=SYSTEM,
                )
                return changed

            if current is None:
                with pytest.raises(EntryNotFound):
                    attempt()
                return
            if current is not target and current not in allowed:
                with pytest.raises(StatusConflict):
                    attempt()
                return
            changed = attempt()
        assert changed == (current is not target)
        self.model[value] = target

    @invariant()
    def the_database_holds_the_model(self) -> None:
        with session_scope(self.engine) as session:
            stored = {e.value: EntryStatus(e.status) for e in session.query(BankEntry)}
        assert stored == self.model

    @invariant()
    def matchers_agree_with_the_model(self) -> None:
        catch_up(self.engine, self.follower)
        fresh = load_matcher(self.engine)
        for value in VALUES:
            status = self.model.get(value)
            for matcher in (self.follower, fresh):
                found = matcher.match(Query.from_value("pdq", value))
                if status is None or not status.matchable:
                    assert found == []
                    continue
                (match,) = found
                # Only a human-confirmed entry is acted on without review.
                assert (match.tier is Tier.AUTO) == (status is CONFIRMED)


@pytest.mark.slow
def test_the_bank_status_machine(engine: Engine) -> None:
    machine: type[BankMachine] = type("Machine", (BankMachine,), {"engine": engine})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=60,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        ),
    )
