"""The matched window drawn over a preview: the turned square's corners, in the upload's
pixels; an unusable region draws nothing."""

from __future__ import annotations

import pytest

from consentry.review.casefile import MatchView, Outline


def _points(outline: Outline) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in outline.points.split()]  # type: ignore[misc]


def test_an_upright_window_is_its_square() -> None:
    region = {"x": 100.0, "y": 50.0, "side": 40.0, "degrees": 0.0, "width": 640.0, "height": 480.0}
    outline = Outline.of(region)
    assert outline is not None
    assert (outline.width, outline.height) == (640.0, 480.0)
    assert _points(outline) == [(80.0, 30.0), (120.0, 30.0), (120.0, 70.0), (80.0, 70.0)]


def test_a_turned_window_keeps_its_centre_and_side() -> None:
    region = {"x": 0.0, "y": 0.0, "side": 20.0, "degrees": 45.0, "width": 10.0, "height": 10.0}
    outline = Outline.of(region)
    assert outline is not None
    corners = _points(outline)
    assert sum(x for x, _ in corners) == pytest.approx(0, abs=0.5)
    assert {round(abs(x) + abs(y), 1) for x, y in corners} == {14.1}


@pytest.mark.parametrize("region", [{}, {"x": "a"}, {"x": 1, "y": 2, "side": None}])
def test_an_unusable_region_draws_nothing(region: dict[str, object]) -> None:
    assert Outline.of(region) is None  # type: ignore[arg-type]


def test_an_item_outlines_its_first_window_match() -> None:
    from consentry.review.casefile import ItemView

    region = {"x": 5.0, "y": 5.0, "side": 4.0, "degrees": 0.0, "width": 10.0, "height": 10.0}
    plain = MatchView("ncii", "pdq", 3, 31, "review", "original", 0, None)
    window = MatchView("ncii", "pdq_windows", 9, 31, "review", "window", 2, region)
    item = ItemView(item=None, matches=[plain, window], preview_url=None, signals=[])  # type: ignore[arg-type]
    assert item.outline == Outline.of(region)
    assert ItemView(item=None, matches=[plain], preview_url=None, signals=[]).outline is None  # type: ignore[arg-type]
