"""`consentry case …` and `consentry appeal …`: the lifecycle without the console."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import User
from consentry.cases import access
from consentry.cases.access import OPERATOR
from consentry.cases.appeals import decide_appeal
from consentry.cases.clocks import deadlines_of
from consentry.cases.decisions import decide
from consentry.cases.errors import CaseError, CaseNotFound, NotFound
from consentry.cases.models import Case, CaseStatus, Outcome
from consentry.cases.schemas import Decision, DecisionIn, DeclineReason
from consentry.cases.views import case_view
from consentry.cli.context import open_engine
from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.core.actor import CLI, Actor
from consentry.db.session import session_scope

app = typer.Typer(help="Removal cases: show, list, decide.", no_args_is_help=True)
appeals = typer.Typer(help="Appeals: decide them (role lead).", no_args_is_help=True)


@contextmanager
def case_errors() -> Iterator[None]:
    try:
        yield
    except CaseError as error:
        stderr.print(f"[red]error:[/] {error.message}")
        raise typer.Exit(2 if error.status == 404 else 1) from None


def find_case(session: Session, reference: str) -> Case:
    """The case, as the operator (who sees every case) looks it up."""
    try:
        return access.find_case(session=session, reference=reference, viewer=OPERATOR)
    except CaseNotFound:
        raise NotFound(f"no case {reference}") from None


def _staff(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        stderr.print(f"[red]error:[/] no staff member {email}")
        raise typer.Exit(2)
    return user


@app.command("list")
def list_cases(
    status: Annotated[
        CaseStatus | None, typer.Option(help="Only cases with this status.")
    ] = CaseStatus.OPEN,
) -> None:
    """Cases with their deadline, oldest first (no personal data is shown)."""
    with session_scope(open_engine()) as session:
        query = select(Case).order_by(Case.received_at)
        if status is not None:
            query = query.where(Case.status == status.value)
        table = Table("reference", "status", "queue", "types", "next deadline (UTC)")
        for case in session.scalars(query):
            running = [
                d.due_at
                for d in deadlines_of(session=session, case_id=case.id)
                if d.stopped_at is None
            ]
            due = f"{min(running):%Y-%m-%d %H:%M}" if running else "-"
            table.add_row(
                case.reference, case.status, case.queue, ",".join(case.request_types), due
            )
    Console().print(table)


@app.command()
def show(reference: Annotated[str, typer.Argument(help="The case reference, CS-….")]) -> None:
    """The case as JSON (status, items, hash counts, deadlines, appeals)."""
    with case_errors(), session_scope(open_engine()) as session:
        case = find_case(session, reference)
        typer.echo(
            json.dumps(case_view(session=session, case=case).model_dump(mode="json"), indent=2)
        )


@app.command("decide")
def decide_command(
    reference: Annotated[str, typer.Argument(help="The case reference, CS-….")],
    decision: Annotated[Decision, typer.Option(help="confirm, decline or escalate.")],
    reason: Annotated[
        DeclineReason | None, typer.Option(help="Why a request is declined (IN-34).")
    ] = None,
    by: Annotated[str, typer.Option(help="The e-mail address of the staff member deciding.")] = "",
) -> None:
    """Confirm (hashes confirmed, removal requested), decline with a reason, or escalate."""
    with case_errors(), session_scope(open_engine()) as session:
        case = find_case(session, reference)
        actor = Actor.user(_staff(session, by).id) if by else CLI
        decide(
            session=session,
            case=case,
            decision=DecisionIn(decision=decision, reason_code=reason),
            actor=actor,
            settings=get_settings(),
        )
        typer.echo(f"{case.reference}: {case.status}")


@appeals.command("decide")
def decide_appeal_command(
    appeal_id: Annotated[int, typer.Argument(help="The appeal's id.")],
    outcome: Annotated[Outcome, typer.Option(help="upheld (reverse) or rejected.")],
    by: Annotated[str, typer.Option(help="The e-mail address of the lead deciding.")],
) -> None:
    """Decide an appeal, as a lead who did not take the decision appealed against."""
    with case_errors(), session_scope(open_engine()) as session:
        appeal = decide_appeal(
            session=session,
            appeal_id=appeal_id,
            outcome=outcome,
            user=_staff(session, by),
            settings=get_settings(),
        )
        typer.echo(f"appeal {appeal.id}: {appeal.status}")
