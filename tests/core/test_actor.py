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


@given(actors)
def test_a_label_names_its_actor_again(actor: Actor) -> None:
    assert Actor.parse(str(actor)) == actor


def test_labels_are_those_the_audit_log_has_always_held() -> None:
    assert str(Actor.user(3)) == "user:3"
    assert str(Actor.key(7)) == "apikey:7"
    assert str(SYSTEM) == "system"


@pytest.mark.parametrize(
    "make",
    [lambda: Actor(ActorKind.USER), lambda: Actor(ActorKind.SYSTEM, 1), lambda: Actor.parse("x")],
)
def test_an_actor_without_its_id_or_of_no_kind_is_refused(make: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        make()  # type: ignore[operator]
