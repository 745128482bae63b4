"""`consentry bank …`: create, inspect, import, export and change entries of hash banks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from consentry.banks import batches, records, service
from consentry.banks.batches import BatchSummary
from consentry.banks.formats import (
    LineError,
    UnknownFileFormat,
    file_kind,
    read_entries,
    write_lines,
)
from consentry.banks.images import image_entries, video_entries
from consentry.banks.models import DEFAULT_PDQ_THRESHOLD, ChangeAction, EntryStatus
from consentry.banks.service import NewEntry
from consentry.cli.context import bank_errors, open_engine
from consentry.cli.hash import hashed
from consentry.cli.output import progress_bar, stderr
from consentry.core.actor import CLI
from consentry.db.session import session_scope
from consentry.hashing.files import walk
from consentry.hashing.pdq import InvalidHash
from consentry.signals.registry import PDQ, SIGNAL_METAVAR, signal_option

app = typer.Typer(
    help="Hash banks: named lists of hashes with statuses and provenance.", no_args_is_help=True
)

SignalOption = Annotated[
    str,
    typer.Option(
        "--signal",
        help="Signal type of a bare value.",
        parser=signal_option,
        metavar=SIGNAL_METAVAR,
    ),
]
_IMPORT_BATCH = 1000


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="Bank name (1-100 characters).")],
    threshold: Annotated[
        int, typer.Option(help="PDQ match threshold (bits).")
    ] = DEFAULT_PDQ_THRESHOLD,
    auto_max_distance: Annotated[
        int, typer.Option(help="Highest PDQ distance actioned without a human; -1: never.")
    ] = 0,
    description: Annotated[str, typer.Option(help="What the bank holds.")] = "",
) -> None:
    """Create a bank."""
    with bank_errors(), session_scope(open_engine()) as session:
        bank = service.create_bank(
            session=session,
            name=name,
            description=description,
            pdq_threshold=threshold,
            auto_max_distance=auto_max_distance,
            actor=CLI,
        )
        typer.echo(
            f"created bank {bank.name!r} "
            f"(threshold {bank.pdq_threshold}, auto <= {bank.auto_max_distance})"
        )


@app.command("set")
def set_bank(
    name: Annotated[str, typer.Argument(help="Bank name.")],
    threshold: Annotated[int | None, typer.Option(help="PDQ match threshold (bits).")] = None,
    auto_max_distance: Annotated[
        int | None, typer.Option(help="Highest PDQ distance actioned without a human; -1: never.")
    ] = None,
    windows_auto: Annotated[
        bool | None,
        typer.Option(
            "--windows-auto/--no-windows-auto",
            help="May a window match be automatic (two or more windows of one image, each"
            " within --auto-max-distance)? Off unless turned on.",
        ),
    ] = None,
    enabled: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Match against this bank?")
    ] = None,
    video_shares: Annotated[
        tuple[int, int] | None,
        typer.Option(
            "--video-shares",
            metavar="QUERY BANK",
            help="Percent of a queried video's frames, and of the bank video's, that must"
            " match (default 80 80, vPDQ's); a clip or a video inside a longer one still"
            " matches by one share with 5 or more frames.",
        ),
    ] = None,
) -> None:
    """Change a bank's settings; what is not given stays as it is."""
    with bank_errors(), session_scope(open_engine()) as session:
        bank = service.update_bank(
            session=session,
            bank=service.get_bank(session=session, name=name),
            pdq_threshold=threshold,
            auto_max_distance=auto_max_distance,
            enabled=enabled,
            windows_auto=windows_auto,
            video_shares=video_shares,
            actor=CLI,
        )
        typer.echo(
            f"bank {bank.name!r}: threshold {bank.pdq_threshold}, auto <= "
            f"{bank.auto_max_distance}, windows auto {'on' if bank.windows_auto else 'off'}, "
            f"video shares {bank.video_query_share}% / {bank.video_bank_share}%, "
            f"{'enabled' if bank.enabled else 'disabled'}"
        )


@app.command("list")
def list_banks() -> None:
    """List banks with their settings and entry counts."""
    table = Table(
        "name", "threshold", "auto <=", "enabled", "pending", "confirmed", "withdrawn", "revoked"
    )
    with session_scope(open_engine()) as session:
        for bank in service.list_banks(session=session):
            counts = service.count_entries(session=session, bank=bank)
            table.add_row(
                bank.name,
                str(bank.pdq_threshold),
                str(bank.auto_max_distance),
                "yes" if bank.enabled else "no",
                *(str(counts[s.value]) for s in EntryStatus),
            )
    Console().print(table)


@app.command()
def show(name: Annotated[str, typer.Argument(help="Bank name.")]) -> None:
    """Show one bank's settings and entry counts."""
    with bank_errors(), session_scope(open_engine()) as session:
        bank = service.get_bank(session=session, name=name)
        counts = service.count_entries(session=session, bank=bank)
        typer.echo(f"name:              {bank.name}")
        typer.echo(f"description:       {bank.description}")
        typer.echo(f"pdq threshold:     {bank.pdq_threshold}")
        typer.echo(f"auto max distance: {bank.auto_max_distance}")
        typer.echo(f"enabled:           {'yes' if bank.enabled else 'no'}")
        typer.echo(f"created:           {bank.created_at.isoformat()}")
        for status, count in counts.items():
            typer.echo(f"{status + ':':<19}{count}")


@app.command("import")
def import_file(
    name: Annotated[str, typer.Argument(help="Bank name.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".jsonl or .txt file.")],
    status: Annotated[
        EntryStatus | None,
        typer.Option(
            help="Status of new entries: pending or confirmed (text files default to pending)."
        ),
    ] = None,
    signal: SignalOption = PDQ.name,
) -> None:
    """Import entries. New values are added; a value held here that the file marks withdrawn
    or revoked becomes so (a newer export carries its withdrawals); a withdrawn or revoked
    value is never revived.

    Bad lines are reported with their line numbers and skipped. Exit status 1 if any was rejected.
    """
    if status not in (None, EntryStatus.PENDING, EntryStatus.CONFIRMED):
        stderr.print("[red]error:[/] --status is pending or confirmed")
        raise typer.Exit(2)
    try:
        kind = file_kind(file)
    except UnknownFileFormat as error:
        stderr.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None
    engine = open_engine()
    summary = BatchSummary()
    rejected: list[LineError] = []
    with file.open(encoding="utf-8", errors="replace") as lines, bank_errors():
        total = sum(1 for _ in file.open(encoding="utf-8", errors="replace"))
        records = read_entries(
            lines, kind=kind, default_signal=signal, status=status, source_ref=file.name
        )
        with progress_bar(total, f"importing {file.name}") as progress:
            batch: list[NewEntry] = []
            groups: dict[str, int] = {}  # an exported group stays one across batches
            for number, item in records:
                if isinstance(item, LineError):
                    rejected.append(item)
                else:
                    batch.append(item)
                if len(batch) >= _IMPORT_BATCH:
                    summary += _flush(engine, name, batch, groups)
                    batch = []
                if progress is not None:
                    progress.update(progress.task_ids[0], completed=number)
            summary += _flush(engine, name, batch, groups)
    for line_error in rejected[:50]:
        stderr.print(f"line {line_error.line}: {line_error.reason}")
    if len(rejected) > 50:
        stderr.print(f"… and {len(rejected) - 50} more rejected lines")
    typer.echo(f"{summary.words()}, {len(rejected)} rejected")
    raise typer.Exit(1 if rejected else 0)


def _flush(
    engine: Engine, name: str, batch: list[NewEntry], groups: dict[str, int] | None = None
) -> BatchSummary:
    if not batch:
        return BatchSummary()
    with session_scope(engine) as session:
        bank = service.get_bank(session=session, name=name)
        return batches.add_entries(
            session=session, bank=bank, batch=batch, actor=CLI, groups=groups
        )


@app.command("add")
def add_images(
    name: Annotated[str, typer.Argument(help="Bank name.")],
    files: Annotated[
        list[Path],
        typer.Argument(exists=True, help="Images and videos, or directories walked recursively."),
    ],
    status: Annotated[
        EntryStatus, typer.Option("--status", help="Status of the new entries.")
    ] = EntryStatus.PENDING,
    label: Annotated[
        str | None, typer.Option("--label", help="Label of each file (default: its name).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Hashing processes.")] = 1,
) -> None:
    """Add images and videos to a bank: each image's PDQ (plain, trimmed, content area),
    anchored window hashes and digests, or each video's frame hashes (vPDQ) and digests,
    as one entry group, withdrawn or revoked together.

    Only hashes are stored, never the file. Exit status: 0 when every file was added,
    1 when any could not be hashed, 2 for a usage error.
    """
    engine = open_engine()
    with bank_errors(), session_scope(engine) as session:
        service.get_bank(session=session, name=name)
    paths = list(walk(str(f) for f in files))
    added = unchanged = failed = 0
    with progress_bar(len(paths), "adding") as progress:
        for result in hashed(paths, workers=workers, bank=True):
            ref = Path(result.path).name
            if result.video is not None:
                entries = video_entries(
                    result.video, label=label or ref, status=status, source_ref=ref
                )
                what = f"{len(result.video.frames)} frames"
            elif result.signals is not None:
                entries = image_entries(
                    result.signals, label=label or ref, status=status, source_ref=ref
                )
                what = f"{len(result.signals.windows)} windows"
            else:
                assert result.error is not None
                failed += 1
                stderr.print(f"{result.path}: {result.error.kind}: {result.error.message}")
                entries = []
            if entries:
                one = _flush(engine, name, entries, {})
                added, unchanged = added + one.added, unchanged + one.unchanged
                stderr.print(f"{result.path}: {one.added} values added ({what})")
            if progress is not None:
                progress.advance(progress.task_ids[0])
    done = len(paths) - failed
    files_word = "file" if done == 1 else "files"
    typer.echo(f"{done} {files_word}, {added} values added, {unchanged} unchanged")
    raise typer.Exit(1 if failed else 0)


@app.command("export")
def export_file(
    name: Annotated[str, typer.Argument(help="Bank name.")],
    file: Annotated[
        Path, typer.Argument(dir_okay=False, help=".jsonl (every entry) or .txt (matchable only).")
    ],
) -> None:
    """Export a bank. JSON lines keep every kind and status (withdrawals travel); text is
    python-threatexchange's: active values of the kinds it names (what it cannot name is
    reported, not written)."""
    try:
        kind = file_kind(file)
    except UnknownFileFormat as error:
        stderr.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None
    written = 0
    left_out: Counter[str] = Counter()
    partial = file.with_name(file.name + ".partial")
    with (
        bank_errors(),
        session_scope(open_engine()) as session,
        partial.open("w", encoding="utf-8") as out,
    ):
        bank = service.get_bank(session=session, name=name)
        entries = records.iter_entries(session=session, bank=bank)
        videos = records.video_groups(session=session, bank=bank)
        for line in write_lines(entries, kind, video_groups=videos, left_out=left_out):
            out.write(line + "\n")
            written += 1
    partial.replace(file)  # a reader never sees half a file
    typer.echo(f"{written} lines written to {file}")
    if left_out:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(left_out.items()))
        stderr.print(
            f"not written: {kinds} (python-threatexchange has no name for a photo's digests"
            " or window hashes; a .jsonl export keeps every kind)"
        )


def _change(action: ChangeAction, name: str, value: str, signal: str) -> None:
    with bank_errors(), session_scope(open_engine()) as session:
        bank = service.get_bank(session=session, name=name)
        try:
            _entry, changed = service.change_status(
                session=session,
                bank=bank,
                signal_type=signal,
                value=value,
                action=action,
                actor=CLI,
                whole_group=True,
            )
        except InvalidHash as error:
            stderr.print(f"[red]error:[/] {error}")
            raise typer.Exit(2) from None
    typer.echo(f"{action.value}" if changed else f"unchanged (already {action.value})")


ValueArgument = Annotated[str, typer.Argument(help="The hash, in hex.")]
NameArgument = Annotated[str, typer.Argument(help="Bank name.")]


@app.command()
def confirm(name: NameArgument, value: ValueArgument, signal: SignalOption = PDQ.name) -> None:
    """Confirm a pending entry (a human checked it)."""
    _change(ChangeAction.CONFIRMED, name, value, signal)


@app.command()
def withdraw(name: NameArgument, value: ValueArgument, signal: SignalOption = PDQ.name) -> None:
    """Withdraw an entry at the person's request: it never matches again, nor comes back."""
    _change(ChangeAction.WITHDRAWN, name, value, signal)


@app.command()
def revoke(name: NameArgument, value: ValueArgument, signal: SignalOption = PDQ.name) -> None:
    """Revoke an entry (operator or exchange decision): it never matches again."""
    _change(ChangeAction.REVOKED, name, value, signal)
