"""`consentry inspect`: detection signals of image files, explained; nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.detection.service import default_detectors, inspect


def inspect_command(
    images: Annotated[list[Path], typer.Argument(help="Image files to inspect.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    anchors: Annotated[
        Path | None,
        typer.Option(help="A PEM file of C2PA trust anchors (default: the shipped list)."),
    ] = None,
) -> None:
    """Content Credentials (C2PA, verified offline), generator metadata and copy-move
    traces of each image.

    A positive is strong evidence; an absence proves nothing (uploads strip both). These
    signals inform a review: they never decide a removal, which turns on consent."""
    settings = get_settings()
    detectors = default_detectors(anchors or settings.c2pa_trust_anchors)
    failed = False
    for path in images:
        try:
            data = path.read_bytes()
        except OSError as error:
            stderr.print(f"[red]error:[/] {path}: {error.strerror}")
            failed = True
            continue
        findings = inspect(data, detectors=detectors, max_pixels=settings.max_image_pixels)
        if as_json:
            typer.echo(json.dumps({"file": str(path), "findings": [f.to_json() for f in findings]}))
            continue
        typer.echo(str(path))
        for finding in findings:
            verdict = f" {finding.verdict}" if finding.verdict else ""
            typer.echo(f"  {finding.detector}: {finding.applicability.value}{verdict}")
            typer.echo(f"    {finding.explanation}")
    if failed:
        raise typer.Exit(1)
