"""A report as published: small numbers suppressed (TR-07), then JSON, CSV or HTML.

Counts from 1 to threshold-1 are shown as "<threshold"; a median, percentile or share
computed from fewer than `threshold` cases is withheld, since it would describe one of
a handful of people. Zero stays zero: it singles nobody out."""

from __future__ import annotations

import base64
import csv
import io
import statistics
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from consentry.reports.figures import Figures

Value = int | float | str | None
TEMPLATES = Path(__file__).parent / "templates"
_templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)


def band(count: int, threshold: int) -> int | str:
    return f"<{threshold}" if 0 < count < threshold else count


def _bands(counts: Mapping[str, int], threshold: int) -> dict[str, int | str]:
    return {key: band(value, threshold) for key, value in sorted(counts.items())}


def _share(part: int, whole: int, threshold: int) -> float | None:
    return round(part / whole, 3) if whole >= threshold else None


def publish(figures: Figures, threshold: int) -> dict[str, Any]:
    measured = len(figures.hours_to_action)
    enough = measured >= threshold

    def hours(share: float) -> float | None:
        value = figures.percentile(share) if enough else None
        return None if value is None else round(value, 1)

    return {
        "period": {  # days in UTC, both included
            "from": figures.start.date().isoformat(),
            "to": (figures.end - timedelta(microseconds=1)).date().isoformat(),
        },
        "small_numbers": {"threshold": threshold, "shown_as": f"<{threshold}"},
        "notices": {
            "received_by_request_type": _bands(figures.notices_by_type, threshold),
            "valid": band(figures.notices_valid, threshold),
        },
        "decisions": _bands(figures.decisions, threshold),
        "actions": {
            "requested_by_kind": _bands(figures.actions_by_kind, threshold),
            "automated": band(figures.actions_automated, threshold),
            "automated_share": _share(figures.actions_automated, figures.actions, threshold),
            "removals_confirmed": band(figures.removals, threshold),
            "content_not_found": band(figures.not_found, threshold),
        },
        "time_to_action_hours": {
            "removals_measured": band(measured, threshold),
            "median": hours(0.5),
            "p95": hours(0.95),
            f"within_{figures.removal_hours}h": band(figures.within_deadline, threshold),
            f"within_{figures.removal_hours}h_share": _share(
                figures.within_deadline, measured, threshold
            ),
        },
        "breaches": {"removal_clock": band(figures.breaches, threshold)},
        "appeals": {
            "received_by_appellant": _bands(figures.appeals_by_appellant, threshold),
            "upheld_reversed": band(figures.appeals_upheld, threshold),
            "rejected": band(figures.appeals_rejected, threshold),
            "content_restored": band(figures.restored, threshold),
        },
        "matches": {"by_bank_and_tier": _bands(figures.matches_by_bank_tier, threshold)},
        "transparency_database": {
            "statements_by_status": _bands(figures.tdb_by_status, threshold),
            "median_hours_to_submission": (
                round(statistics.median(figures.hours_to_tdb), 1)
                if len(figures.hours_to_tdb) >= threshold
                else None
            ),
        },
        # Publishing it pins the log: see `consentry audit verify --checkpoint`.
        "audit_checkpoint": figures.audit_checkpoint,
    }


def _rows(report: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Value]]:
    rows: list[tuple[str, Value]] = []
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows.extend(_rows(value, f"{name}."))
        else:
            rows.append((name, value))
    return rows


def to_csv(report: Mapping[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["figure", "value"])
    for name, value in _rows(report):
        writer.writerow([name, "" if value is None else value])
    return buffer.getvalue()


def _chart(title: str, counts: Mapping[str, int | str]) -> str | None:
    """A bar chart as an SVG data URI; suppressed bars are left out (the table says so)."""
    bars = {k: v for k, v in counts.items() if isinstance(v, int)}
    if not bars:
        return None
    import matplotlib  # heavy: loaded only when a report with charts is drawn

    matplotlib.use("svg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6, 0.45 * len(bars) + 1))
    # Labels are bank names and other text from outside: "$" would start matplotlib's
    # math mode, and a malformed formula failed the whole report (F16).
    labels = [label.replace("$", r"\$") for label in bars]
    axes.barh(labels, list(bars.values()), color="#1a5fb4")
    axes.set_title(title.replace("$", r"\$"))
    axes.invert_yaxis()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg")
    pyplot.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def html_context(report: Mapping[str, Any], *, standalone: bool) -> dict[str, Any]:
    """What `report.html` renders: standalone for a file, or inside the admin page."""
    charts = [
        chart
        for chart in (
            _chart("Notices by request type", report["notices"]["received_by_request_type"]),
            _chart("Decisions", report["decisions"]),
            _chart("Matches by bank and tier", report["matches"]["by_bank_and_tier"]),
        )
        if chart
    ]
    return {"report": report, "rows": _rows(report), "charts": charts, "standalone": standalone}


def to_html(report: Mapping[str, Any]) -> str:
    return _templates.get_template("report.html").render(html_context(report, standalone=True))
