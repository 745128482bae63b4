"""`consentry user …`: staff accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Engine

from consentry.accounts import users
from consentry.accounts.errors import AccountError
from consentry.accounts.models import Role
from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.core.actor import CLI, SYSTEM
from consentry.db.session import session_scope

app = typer.Typer(help="Staff accounts with roles.", no_args_is_help=True)


def setup_link(token: str) -> str:
    return users.setup_link(public_url=get_settings().public_url, token=token)


@app.command()
def create(
    email: Annotated[str, typer.Argument(help="The person's e-mail address.")],
    role: Annotated[Role, typer.Option(help="admin, reviewer, lead, auditor or intake.")],
) -> None:
    """Create a user; prints a one-time link (valid 24 h) to set the password."""
    try:
        with session_scope(open_engine()) as session:
            user, token = users.create_user(session=session, email=email, role=role, actor=CLI)
            stderr.print(f"created {user.email} ({user.role}); send them this one-time link:")
    except AccountError as error:
        stderr.print(f"[red]error:[/] {error.message}")
        raise typer.Exit(2) from None
    typer.echo(setup_link(token))


def bootstrap(engine: Engine) -> None:
    """On the very first start: an administrator and a one-time link to set its password."""
    with session_scope(engine) as session:
        if users.count_users(session=session):
            return
        admin, token = users.create_user(
            session=session, email=get_settings().admin_email, role=Role.ADMIN, actor=SYSTEM
        )
    stderr.print(f"First start: set the password of the administrator {admin.email} at")
    stderr.print(f"  {setup_link(token)}")
    stderr.print("(the setup token can also be sent to POST /auth/setup; it works once, 24 h)")
