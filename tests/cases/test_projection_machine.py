"""The case workflow driven at random through its services: after every step, each
case's stored columns equal the projection of its events in the audit chain, and
its status follows the workflow's rules."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine

from consentry.cases.decisions import decide, withdraw
from consentry.cases.errors import CaseConflict
from consentry.cases.events import history, project, state_of
from consentry.cases.intake import add_information, file_notice
from consentry.cases.models import Case, CaseStatus
from consentry.cases.schemas import DecisionIn, NoticeIn, NoticeUpdate
from consentry.config import Settings
from consentry.core.actor import REQUESTER, Actor
from consentry.db.session import session_scope
from tests.cases.support import notice
from tests.databases import empty_tables

OPEN, INCOMPLETE, CONFIRMED = CaseStatus.OPEN, CaseStatus.INCOMPLETE, CaseStatus.CONFIRMED
DECLINED, WITHDRAWN = CaseStatus.DECLINED, CaseStatus.WITHDRAWN
SIGNATURE = {"name": "A. Person", "signed": True}


class CaseMachine(RuleBasedStateMachine):
    engine: ClassVar[Engine]
    settings: ClassVar[Settings]
    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        empty_tables(self.engine)
        self.model: dict[int, CaseStatus] = {}

    def _attempt(self, case_id: int, allowed: set[CaseStatus], act: str) -> None:
        """Run `act` on the case; it must be refused exactly where the model says."""
        with session_scope(self.engine) as session:
            case = session.get_one(Case, case_id)
            try:
                if act == "withdraw":
                    withdraw(
                        session=session, case=case, actor=Actor.user(1), settings=self.settings
                    )
                elif act == "complete":
                    add_information(
                        session=session,
                        case=case,
                        update=NoticeUpdate.model_validate({"signature": SIGNATURE}),
                        actor=REQUESTER,
                        settings=self.settings,
                    )
                else:
                    decision = DecisionIn.model_validate(
                        {"decision": act, "reason_code": "not_intimate"}
                    )
                    decide(
                        session=session,
                        case=case,
                        decision=decision,
                        actor=Actor.user(2),
                        settings=self.settings,
                    )
            except CaseConflict:
                assert self.model[case_id] not in allowed, f"{act} was refused"
                return
        assert self.model[case_id] in allowed, f"{act} was allowed"

    @rule(target=cases, complete=st.booleans())
    def file(self, complete: bool) -> int:
        body = notice() if complete else notice(signature=None)
        with session_scope(self.engine) as session:
            case = file_notice(
                session=session,
                notice=NoticeIn.model_validate(body),
                filed_by=Actor.key(1),
                settings=self.settings,
            ).case
            self.model[case.id] = OPEN if complete else INCOMPLETE
            return case.id

    @rule(case_id=cases)
    def complete(self, case_id: int) -> None:
        self._attempt(case_id, {INCOMPLETE, OPEN, CONFIRMED, DECLINED}, "complete")
        if self.model[case_id] is INCOMPLETE:
            self.model[case_id] = OPEN

    @rule(case_id=cases, act=st.sampled_from(["confirm", "decline", "escalate"]))
    def decide(self, case_id: int, act: str) -> None:
        allowed = {OPEN} if act == "decline" else {OPEN, CONFIRMED}
        self._attempt(case_id, allowed, act)
        if self.model[case_id] in allowed and act != "escalate":
            self.model[case_id] = CONFIRMED if act == "confirm" else DECLINED

    @rule(case_id=cases)
    def withdraw(self, case_id: int) -> None:
        self._attempt(case_id, {INCOMPLETE, OPEN, CONFIRMED, DECLINED}, "withdraw")
        self.model[case_id] = WITHDRAWN

    @invariant()
    def columns_are_the_projection_of_events(self) -> None:
        with session_scope(self.engine) as session:
            for case_id, status in self.model.items():
                case = session.get_one(Case, case_id)
                assert project(history(session=session, case_id=case_id)) == state_of(case)
                assert CaseStatus(case.status) is status


@pytest.mark.slow
def test_the_case_projection_machine(engine: Engine, tmp_path: Path) -> None:
    machine: type[CaseMachine] = type(
        "Machine",
        (CaseMachine,),
        {"engine": engine, "settings": Settings(data_dir=tmp_path, database_url="sqlite://")},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=12,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        ),
    )
