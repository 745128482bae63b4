"""Pages, and the security headers every page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from consentry.accounts.users import MIN_PASSWORD_LENGTH
from consentry.api.pages import content_policy, render_page
from consentry.cases.appeals import file_uploader_appeal
from consentry.cases.errors import CaseError
from consentry.cases.models import AppealGround
from consentry.core.actor import UPLOADER
from consentry.db.session import session_scope

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes .html
static = StaticFiles(directory=HERE / "static")
router = APIRouter(include_in_schema=False)

CSP = content_policy()


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request) -> HTMLResponse:
    """Set a password from a one-time link (its token is in the URL fragment)."""
    return render_page(
        templates,
        request,
        "setup.html",
        {"title": "Set your password", "min_length": MIN_PASSWORD_LENGTH},
        policy=CSP,
    )


_GROUNDS = [
    (AppealGround.CONSENT.value, "The person depicted consented to publication"),
    (AppealGround.NOT_DEPICTED.value, "It does not show the person who asked for removal"),
    (AppealGround.NOT_INTIMATE.value, "The content is not intimate"),
    (AppealGround.LAWFUL_PURPOSE.value, "It was published for a lawful purpose"),
    (AppealGround.OTHER.value, "Another reason"),
]


def _appeal_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    form = context.pop("form", {"statement_reference": "", "grounds": "", "explanation": ""})
    return render_page(
        templates,
        request,
        "appeal.html",
        {"title": "Appeal a removal", "grounds": _GROUNDS, "form": form, **context},
        policy=CSP,
        status=status,
    )


@router.get("/appeal", response_class=HTMLResponse)
def appeal_page(request: Request) -> HTMLResponse:
    """The public appeal page linked from every statement of reasons (DSA Art. 20)."""
    return _appeal_page(request)


@router.post("/appeal", response_class=HTMLResponse)
async def appeal_submit(request: Request) -> HTMLResponse:
    """A plain form post: works without JavaScript; the code never travels in a URL."""
    form = await request.form(max_files=0, max_fields=8)
    fields = {
        name: str(form.get(name, ""))[:5000]
        for name in ("statement_reference", "appeal_code", "grounds", "explanation")
    }
    shown = {k: v for k, v in fields.items() if k != "appeal_code"}
    if fields["grounds"] not in {value for value, _ in _GROUNDS} or not all(fields.values()):
        return _appeal_page(request, 422, form=shown, error="Please fill in every field.")
    try:
        with session_scope(request.app.state.engine) as session:
            appeal = file_uploader_appeal(
                session=session,
                statement_reference=fields["statement_reference"][:32],
                appeal_code=fields["appeal_code"][:64],
                grounds=AppealGround(fields["grounds"]),
                explanation=fields["explanation"],
                actor=UPLOADER,
            )
            filed = appeal.id
    except CaseError as error:
        return _appeal_page(request, error.status, form=shown, error=error.message)
    return _appeal_page(request, 201, filed=filed)


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon: answered, so that browsers do not log a missing file on every page."""
    return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})
