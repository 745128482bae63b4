from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentry.core.actor import SYSTEM, Actor, ActorKind

NUMBERED = [ActorKind.USER, ActorKind.APIKEY]
actors = st.one_of(
    st.builds(Actor, st.sampled_from(NUMBERED), st.integers(1, 2**63 - 1)),
    st.builds(Actor, st.sampled_from([k for k in ActorKind if k not in NUMBERED])),
)


@given(actors, actors)
def test_different_actors_have_different_labels(first: Actor, second: Actor) -> None:
    assert (str(first) == str(second)) == (first == second)


def test_labels_are_those_the_audit_log_has_always_held() -> None:
    assert str(Actor.user(3)) == "user:3"
    assert str(Actor.key(7)) == "apikey:7"
    assert str(SYSTEM) == "system"


@pytest.mark.parametrize(
    "make",
    [lambda: Actor(ActorKind.USER), lambda: Actor(ActorKind.SYSTEM, 1)],
)
def test_an_actor_without_its_id_or_with_one_it_has_no_use_for_is_refused(make: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        make()  # type: ignore[operator]
