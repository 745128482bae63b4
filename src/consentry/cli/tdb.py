"""`consentry tdb …`: statements of reasons for the DSA Transparency Database."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func, select

from consentry.cases.models import Statement
from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.cli.report import day
from consentry.config import get_settings
from consentry.db.session import session_scope
from consentry.reports.figures import day_bounds
from consentry.transparency.models import SubmissionStatus, TdbSubmission
from consentry.transparency.tdb import tdb_statement, validate

app = typer.Typer(help="The DSA Transparency Database: export, queue status.", no_args_is_help=True)


@app.command()
def export(
    start: Annotated[str, typer.Option("--from", help="First day of issue, YYYY-MM-DD (UTC).")],
    end: Annotated[str, typer.Option("--to", help="Last day of issue, included.")],
    out: Annotated[Path, typer.Argument(help='The JSON file to write: {"statements": [...]}.')],
) -> None:
    """Every statement of reasons issued in the period, in the Database's shape, each
    checked against the schema kept in the repository; no personal data."""
    settings = get_settings()
    begin, until = day_bounds(day(start), day(end))
    engine = open_engine()
    with session_scope(engine) as session:
        statements = session.scalars(
            select(Statement)
            .where(
                Statement.issued_at >= begin,
                Statement.issued_at < until,
            )
            .order_by(Statement.id)
        ).all()
        bodies = [
            tdb_statement(session=session, statement=s, settings=settings) for s in statements
        ]
    for body in bodies:
        validate(body)
    out.write_text(json.dumps({"statements": bodies}, indent=2) + "\n")
    stderr.print(f"wrote {len(bodies)} statement(s) to {out}")


@app.command()
def status() -> None:
    """How many statements are pending, submitted and failed (with the last error)."""
    engine = open_engine()
    with session_scope(engine) as session:
        counts = Counter(
            dict(
                session.execute(
                    select(TdbSubmission.status, func.count()).group_by(TdbSubmission.status)
                ).all()
            )
        )
        failed = session.scalars(
            select(TdbSubmission).where(TdbSubmission.status == SubmissionStatus.FAILED).limit(20)
        ).all()
        typer.echo(" ".join(f"{s}={counts.get(s, 0)}" for s in SubmissionStatus))
        for row in failed:
            typer.echo(f"failed {row.puid}: {row.last_error}")
