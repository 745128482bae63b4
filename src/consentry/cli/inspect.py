"""`consentry inspect`: detection signals of image files, explained; nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consentry.cli.output import stderr
from consentry.config import get_settings
from consentry.detection.base import Finding
from consentry.detection.service import default_detectors, inspect


def inspect_command(
    images: Annotated[list[Path], typer.Argument(help="Image files to inspect.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    anchors: Annotated[
        Path | None,
        typer.Option(help="A PEM file of C2PA trust anchors (default: the shipped list)."),
    ] = None,
    heatmaps: Annotated[
        Path | None,
        typer.Option(
            help="Write each forensic heatmap here as IMAGE-STEM.DETECTOR.png.",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Content Credentials (C2PA, verified offline), generator metadata and forensic
    traces (error level, noise level, JPEG ghosts, copy-move) of each image.

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
        if heatmaps is not None:
            write_heatmaps(heatmaps, path, findings)
        if as_json:
            typer.echo(json.dumps({"file": str(path), "findings": [f.to_json() for f in findings]}))
            continue
        typer.echo(str(path))
        for finding in findings:
            verdict = f" {finding.verdict}" if finding.verdict else ""
            score = "" if finding.score is None else f" score {finding.score:.2f}"
            typer.echo(f"  {finding.detector}: {finding.applicability.value}{verdict}{score}")
            typer.echo(f"    {finding.explanation}")
    if failed:
        raise typer.Exit(1)


def write_heatmaps(folder: Path, image: Path, findings: list[Finding]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for finding in findings:
        if finding.heatmap_png is not None:
            (folder / f"{image.stem}.{finding.detector}.png").write_bytes(finding.heatmap_png)
