"""What every database-backed command needs: the configured engine, migrated."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from consentry.banks.errors import BankError, BankNotFound
from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade


def open_engine() -> Engine:
    url = get_settings().resolved_database_url()
    engine = make_engine(url)
    try:
        upgrade(engine)
    except OperationalError as error:
        # The URL may hold a password: name the driver's complaint, not the URL.
        stderr.print(f"[red]error:[/] cannot open the database: {error.orig}")
        raise typer.Exit(2) from None
    return engine


@contextmanager
def bank_errors() -> Iterator[None]:
    """Bank errors become a one-line message and exit status 1 (2 for an unknown bank)."""
    try:
        yield
    except BankError as error:
        stderr.print(f"[red]error:[/] {error.message}")
        code = 2 if isinstance(error, BankNotFound) else 1
        raise typer.Exit(code) from None
