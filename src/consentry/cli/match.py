"""`consentry match` and `consentry scan`: look images or values up in the banks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from consentry.banks import service
from consentry.cli.context import bank_errors, open_engine
from consentry.cli.hash import hashed, result_record
from consentry.cli.output import emit_json, progress_bar, stderr
from consentry.config import get_settings
from consentry.db.session import session_scope
from consentry.hashing.files import FileResult, walk
from consentry.hashing.pdq import InvalidHash
from consentry.matching.follower import load_matcher
from consentry.matching.labels import labelled
from consentry.matching.matcher import Matcher, Query
from consentry.matching.schemas import Match, Tier
from consentry.signals.registry import PDQ, SIGNAL_METAVAR, normalise_value, signal_option

JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per query per line.")]
WorkersOption = Annotated[int, typer.Option("--workers", "-w", min=1, help="Hashing processes.")]


def _matcher(engine: Engine, bank: str | None) -> Matcher:
    if bank is not None:
        with bank_errors(), session_scope(engine) as session:
            service.get_bank(session=session, name=bank)
    return load_matcher(engine, snapshot=get_settings().data_dir / "index")


def _record(query: str, matches: list[Match], signals_query: Query | None) -> dict[str, Any]:
    record: dict[str, Any] = {"query": query}
    if signals_query is not None and signals_query.quality is not None:
        record["query_quality"] = signals_query.quality
        record["low_quality"] = signals_query.low_quality
    record["matches"] = [m.to_json() for m in matches]
    return record


class _Report:
    """Prints each query's outcome as JSON lines or table rows, and counts outcomes."""

    def __init__(self, json_lines: bool, engine: Engine) -> None:
        self.json_lines = json_lines
        self.engine = engine
        self.counts: Counter[str] = Counter()
        self.table = Table(
            "query",
            "bank",
            "kind",
            "distance",
            "variant",
            "windows / frames",
            "tier",
            "entry",
            "label",
        )

    def result(self, matcher: Matcher, result: FileResult, bank: str | None) -> None:
        if result.video is not None:
            query = Query.from_video(result.video)
            self.add(result.path, matcher.match(query, bank=bank), query)
            return
        if result.signals is None:
            self.counts["queries"] += 1
            self.counts["failed"] += 1
            record = result_record(result)
            record["query"] = record.pop("path")
            self._emit(record, result.path, [], failed=True)
            return
        query = Query.from_signals(result.signals)
        self.add(result.path, matcher.match(query, bank=bank), query)

    def add(self, label: str, matches: list[Match], query: Query | None) -> None:
        self.counts["queries"] += 1
        if matches:
            with session_scope(self.engine) as session:
                matches = labelled(session=session, matches=matches)
            self.counts["matched"] += 1
            self.counts["auto" if any(m.tier is Tier.AUTO for m in matches) else "review"] += 1
        self._emit(_record(label, matches, query), label, matches, failed=False)

    def _emit(self, record: dict[str, Any], label: str, matches: list[Match], failed: bool) -> None:
        if self.json_lines:
            emit_json(record)
        elif failed:
            self.table.add_row(label, *[""] * 5, f"error: {record['error']['type']}", "", "")
        elif not matches:
            self.table.add_row(label, *[""] * 5, "no match", "", "")
        for m in matches if not self.json_lines else []:
            self.table.add_row(
                label,
                m.bank,
                m.signal_type,
                str(m.distance),
                m.variant,
                _shown_count(m),
                m.tier.value,
                str(m.entry_id),
                m.label or "",
            )

    def finish(self) -> None:
        if not self.json_lines:
            Console().print(self.table)
        c = self.counts
        stderr.print(
            f"{c['queries']} queried, {c['matched']} matched "
            f"({c['auto']} auto, {c['review']} review), {c['failed']} failed"
        )


def _shown_count(match: Match) -> str:
    """Windows of a bank image matched, or a video's shares of frames matched."""
    if match.query_share is not None:
        return f"{match.query_share:g}% / {match.bank_share:g}%"
    return str(match.windows or "")


def _run_paths(
    paths: list[str], engine: Engine, bank: str | None, json_lines: bool, workers: int
) -> int:
    files = list(walk(paths))
    matcher = _matcher(engine, bank)
    report = _Report(json_lines, engine)
    with progress_bar(len(files), "matching") as progress:
        for result in hashed(files, workers=workers, bank=False):
            report.result(matcher, result, bank)
            if progress is not None:
                progress.advance(progress.task_ids[0])
    report.finish()
    return 1 if report.counts["failed"] else 0


def match_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(exists=True, help="Images and videos, or directories walked recursively."),
    ] = None,
    value: Annotated[
        str | None, typer.Option("--hash", help="Look up a bare value instead of images.")
    ] = None,
    signal: Annotated[
        str,
        typer.Option(
            "--signal",
            help="Signal type of --hash.",
            parser=signal_option,
            metavar=SIGNAL_METAVAR,
        ),
    ] = PDQ.name,
    bank: Annotated[str | None, typer.Option("--bank", help="Only this bank.")] = None,
    json_lines: JsonOption = False,
    workers: WorkersOption = 1,
) -> None:
    """Match images and videos, or one value, against the banks.

    Images are looked up by every signal: PDQ variants, trimmed and content-area PDQ,
    anchored windows and digests. A window match is one per bank image, with the number
    of its windows matched; it is never automatic unless the bank allows it. A video is
    looked up by all its frames at once: a bank video matches by the share of frames in
    common (both ways, or as a clip of it), shown with the matched time ranges.

    Exit status: 0 when every query ran (matched or not), 1 if any failed, 2 for usage errors.
    """
    if (value is None) == (not paths):
        stderr.print("[red]error:[/] give either --hash VALUE or one or more paths")
        raise typer.Exit(2)
    if value is not None:
        try:
            normalised = normalise_value(signal, value)
        except InvalidHash as error:
            stderr.print(f"[red]error:[/] {error}")
            raise typer.Exit(2) from None
        engine = open_engine()
        matcher = _matcher(engine, bank)
        report = _Report(json_lines, engine)
        report.add(normalised, matcher.match(Query.from_value(signal, normalised), bank=bank), None)
        report.finish()
        raise typer.Exit(0)
    paths_given = [str(p) for p in paths or []]
    raise typer.Exit(_run_paths(paths_given, open_engine(), bank, json_lines, workers))


def scan_command(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="Directory to scan.")
    ],
    bank: Annotated[str, typer.Option("--bank", help="The bank to match against.")],
    json_lines: JsonOption = False,
    workers: WorkersOption = 1,
) -> None:
    """Hash and match every file below DIR against one bank, with a progress bar and a summary."""
    raise typer.Exit(_run_paths([str(directory)], open_engine(), bank, json_lines, workers))
