"""The transparency report as an admin page, with its CSV and JSON downloads."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from consentry.accounts.models import Role
from consentry.config import Settings
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.reports.figures import compute, day_bounds
from consentry.reports.publish import html_context, publish, to_csv
from consentry.review.web import Staff, console_staff, render

router = APIRouter(prefix="/console/admin", include_in_schema=False)
# The report holds no case content: auditors may read it too.
READERS = (Role.ADMIN, Role.AUDITOR)


def _period(request: Request) -> tuple[date, date]:
    """From ?from=&to= (days, UTC, `to` included); the last 30 days when absent or wrong."""
    today = utcnow().date()
    try:
        first = date.fromisoformat(request.query_params.get("from", ""))
        last = date.fromisoformat(request.query_params.get("to", ""))
    except ValueError:
        return today - timedelta(days=29), today
    return (first, last) if first <= last else (last, first)


def _report(request: Request, first: date, last: date) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    with session_scope(request.app.state.engine) as session:
        start, end = day_bounds(first, last)
        figures = compute(
            session=session, start=start, end=end, removal_hours=settings.removal_hours
        )
    return publish(figures, settings.report_small_numbers)


Reader = Annotated[Staff, Depends(console_staff(*READERS))]


@router.get("/report", response_class=HTMLResponse)
async def report_page(request: Request, staff: Reader) -> Response:
    first, last = _period(request)
    report = await run_in_threadpool(_report, request, first, last)
    context = html_context(report, standalone=False)
    return render(
        request,
        "admin_report.html",
        staff.context(title="Transparency report", first=first, last=last, **context),
        images_from="data:",
    )


@router.get("/report.{fmt}")
async def report_download(request: Request, fmt: str, staff: Reader) -> Response:
    if fmt not in {"csv", "json"}:
        return Response(status_code=404)
    first, last = _period(request)
    report = await run_in_threadpool(_report, request, first, last)
    body = to_csv(report) if fmt == "csv" else json.dumps(report, indent=2)
    name = f"consentry-report-{first}-{last}.{fmt}"
    return Response(
        body,
        media_type="text/csv" if fmt == "csv" else "application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
