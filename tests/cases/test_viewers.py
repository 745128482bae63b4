"""The one access layer: who may see a case (`find_case`, `may_see`) and who may list it
(`visible_to`) agree for every kind of viewer, on both databases."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from consentry.accounts.models import Role, Scope
from consentry.cases.access import OPERATOR, Viewer, find_case, may_see, visible_to
from consentry.cases.errors import CaseNotFound, NotPermitted
from consentry.cases.models import Case, CaseStatus, Queue
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.db.session import session_scope

FILER = "apikey:1"
VIEWERS = [
    OPERATOR,
    *(Viewer(Actor.user(n), role=role) for n, role in enumerate(Role, start=1)),
    Viewer(Actor.key(1), scopes=frozenset({Scope.NOTICES_WRITE})),
    Viewer(Actor.key(2), scopes=frozenset({Scope.NOTICES_WRITE})),
    Viewer(Actor.key(3), scopes=frozenset({Scope.CASES_DECIDE})),
]
cases = st.lists(
    st.tuples(st.sampled_from([q.value for q in Queue]), st.sampled_from([FILER, "portal"])),
    min_size=1,
    max_size=6,
)


def _file(engine: Engine, made: list[tuple[str, str]]) -> list[str]:
    with session_scope(engine) as session:
        session.execute(delete(Case))
        for number, (queue, filed_by) in enumerate(made):
            session.add(
                Case(
                    reference=f"CS-TEST-{number:04d}",
                    pin_digest="-",
                    status=CaseStatus.OPEN.value,
                    queue=queue,
                    received_at=utcnow(),
                    filed_by=filed_by,
                )
            )
    return [f"CS-TEST-{n:04d}" for n in range(len(made))]


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(made=cases)
def test_finding_and_listing_agree_with_may_see(
    engine: Engine, made: list[tuple[str, str]]
) -> None:
    references = _file(engine, made)
    with session_scope(engine) as session:
        for viewer in VIEWERS:
            listed = set(session.scalars(select(Case.reference).where(visible_to(viewer))))
            for reference in references:
                case = session.scalars(select(Case).where(Case.reference == reference)).one()
                restricted = case.queue == Queue.RESTRICTED.value
                # Only leads and the operator see a possible minor's case, never a machine.
                assert (reference in listed) == (not restricted or viewer.sees_restricted)
                assert viewer.sees_restricted == (viewer.role is Role.LEAD or viewer == OPERATOR)
                try:
                    found = find_case(session=session, reference=reference.lower(), viewer=viewer)
                except CaseNotFound:
                    # A key that files notices does not learn of others' cases.
                    assert viewer.scopes == frozenset({Scope.NOTICES_WRITE})
                    assert case.filed_by != str(viewer.actor)
                    assert not may_see(viewer, case)
                except NotPermitted:
                    assert restricted
                    assert not viewer.sees_restricted
                    assert not may_see(viewer, case)
                else:
                    assert found.id == case.id
                    assert may_see(viewer, case)


def test_an_unknown_reference_is_not_found(engine: Engine) -> None:
    _file(engine, [(Queue.STANDARD.value, FILER)])
    with session_scope(engine) as session, pytest.raises(CaseNotFound):
        find_case(session=session, reference="CS-NONE-0000", viewer=OPERATOR)
