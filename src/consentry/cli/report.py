"""`consentry report`: the transparency report for a period, as JSON, CSV or HTML."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.db.session import session_scope
from consentry.reports.figures import compute, day_bounds
from consentry.reports.publish import publish, to_csv, to_html


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-01-31") from None


def report_command(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD, included.")],
    fmt: Annotated[Format, typer.Option("--format", help="json, csv or html.")] = Format.JSON,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    threshold: Annotated[
        int | None,
        typer.Option(
            min=1, help="Small-number threshold (default CONSENTRY_REPORT_SMALL_NUMBERS)."
        ),
    ] = None,
) -> None:
    """Notices, decisions, actions, time to act, breaches, appeals and matches in a period,
    computed from the event log, with small numbers suppressed for publication."""
    settings = get_settings()
    first, last = day(start), day(end)
    if last < first:
        raise typer.BadParameter("--to is before --from")
    engine = open_engine()
    with session_scope(engine) as session:
        begin, until = day_bounds(first, last)
        figures = compute(
            session=session, start=begin, end=until, removal_hours=settings.removal_hours
        )
    report = publish(figures, threshold or settings.report_small_numbers)
    text = {
        Format.JSON: lambda: json.dumps(report, indent=2) + "\n",
        Format.CSV: lambda: to_csv(report),
        Format.HTML: lambda: to_html(report),
    }[fmt]()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        stderr.print(f"wrote {out}")
