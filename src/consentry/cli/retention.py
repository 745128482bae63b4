"""`consentry retention purge`: run the retention job now (the service runs it hourly)."""

from __future__ import annotations

import typer

from consentry.cli.context import open_engine
from consentry.config import get_settings
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.retention.purge import purge_due

app = typer.Typer(help="Retention of personal data: purge what is due.", no_args_is_help=True)


@app.command()
def purge() -> None:
    """Delete each class of personal data whose retention period has passed (legal holds
    first); prints how many records per class. The audit log is never touched."""
    settings = get_settings()
    engine = open_engine()
    with session_scope(engine) as session:
        done = purge_due(session=session, settings=settings, now=utcnow())
    if not done:
        typer.echo("nothing was due")
    for data_class, count in sorted(done.items()):
        typer.echo(f"{data_class}: {count}")
