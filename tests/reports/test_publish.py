"""Publishing reports: charts draw whatever text the data holds."""

from consentry.reports.publish import _chart


def test_a_name_in_matplotlib_math_syntax_is_drawn_as_text() -> None:
    """F16: a bank named `$\\frac{1$` failed the whole report page with a 500."""
    chart = _chart("Matches by bank", {"$\\frac{1$:review": 3, "ncii:auto": 7})
    assert chart is not None
    assert chart.startswith("data:image/svg+xml;base64,")
