"""The contract every signal kind keeps: a new kind is added to KINDS and passes these,
or it is not a kind. Values are random, images generated."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.hashing.pdq import InvalidHash
from consentry.hashing.signals import compute_signals
from consentry.signals.base import SignalKind
from consentry.signals.registry import KINDS, kind_of
from tests.images import pattern, png

ALL = pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))


def values_of(kind: SignalKind) -> st.SearchStrategy[str]:
    return st.binary(min_size=kind.hex_digits // 2, max_size=kind.hex_digits // 2).map(bytes.hex)


@ALL
def test_names_are_lowercase_wire_names_and_resolve_in_any_case(kind: SignalKind) -> None:
    assert kind.name == kind.name.lower().strip()
    assert kind_of(f" {kind.name.upper()} ") is kind


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidHash, match="known: " + ", ".join(KINDS)):
        kind_of("phash")


@ALL
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_normalise_is_idempotent_and_refuses_what_is_not_a_value(
    kind: SignalKind, data: st.DataObject
) -> None:
    value = data.draw(values_of(kind))
    assert kind.normalise(value.upper()) == value
    assert kind.normalise(kind.normalise(value)) == kind.normalise(value)
    for bad in (value[:-1], value + "0", "g" + value[1:], ""):
        with pytest.raises(InvalidHash):
            kind.normalise(bad)


@ALL
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_distance_is_a_metric_on_values(kind: SignalKind, data: st.DataObject) -> None:
    a, b, c = (data.draw(values_of(kind)) for _ in range(3))
    assert kind.distance(a, a) == 0
    assert kind.distance(a, b) == kind.distance(b, a) >= 0
    assert kind.distance(a, c) <= kind.distance(a, b) + kind.distance(b, c)


@ALL
def test_thresholds_are_within_what_a_bank_allows(kind: SignalKind) -> None:
    assert 0 <= kind.default_threshold <= 64
    assert 0 <= kind.threshold(kind.default_threshold) <= kind.default_threshold


@ALL
def test_an_image_yields_normalised_values_with_distinct_variants(kind: SignalKind) -> None:
    signals = compute_signals(png(pattern(3)))
    pairs = kind.of_image(signals)
    assert pairs or kind.timed  # a video's frames come from a video, never an image
    # A grouped kind's values are one variant (a window) many times over, each distinct.
    keys = {value if kind.grouped else variant for variant, value in pairs}
    assert len(keys) == len(pairs)
    for _, value in pairs:
        assert kind.normalise(value) == value


@ALL
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_the_index_returns_exactly_what_brute_force_returns(
    kind: SignalKind, data: st.DataObject
) -> None:
    stored = data.draw(st.lists(values_of(kind), min_size=1, max_size=40))
    queries = data.draw(st.lists(st.sampled_from(stored) | values_of(kind), max_size=5))
    radius = data.draw(st.integers(0, kind.default_threshold))
    removed = set(data.draw(st.sets(st.integers(0, len(stored) - 1))))
    index = kind.new_index()
    half = len(stored) // 2
    index.stage(list(range(half)), stored[:half])  # staged then committed, and added
    index.commit()
    index.add(list(range(half, len(stored))), stored[half:])
    index.remove(sorted(removed))
    live = {i: v for i, v in enumerate(stored) if i not in removed}
    assert len(index) == len(live)
    found = {(h.query, h.entry_id, h.distance, h.value) for h in index.search(queries, radius)}
    expected = {
        (q, i, kind.distance(query, value), value)
        for q, query in enumerate(queries)
        for i, value in live.items()
        if kind.distance(query, value) <= radius
    }
    assert found == expected


@ALL
def test_a_saved_index_loads_with_the_same_answers(kind: SignalKind, tmp_path: Path) -> None:
    values = [bytes([n]).hex() * (kind.hex_digits // 2) for n in range(20)]
    index = kind.new_index()
    index.add(list(range(1, 21)), values)
    index.remove([5])
    index.save(tmp_path / kind.name)
    loaded = kind.load_index(tmp_path / kind.name)
    assert len(loaded) == len(index) == 19
    radius = kind.default_threshold
    assert set(loaded.search(values, radius)) == set(index.search(values, radius))
