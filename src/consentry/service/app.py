"""Assembly of the consentry service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import text

from consentry import __version__
from consentry.accounts.routes import router as accounts_router
from consentry.actions.routes import router as actions_router
from consentry.admin.reports import router as admin_reports_router
from consentry.admin.routes import router as admin_router
from consentry.api.limits import BodySizeLimit
from consentry.api.metrics import INDEX_ENTRIES, LOG_POSITION, Measure, metrics_allowed, render
from consentry.api.openapi import install_openapi
from consentry.api.parts import part
from consentry.api.problems import Problem, install_problem_handlers
from consentry.banks.routes import router as banks_router
from consentry.cases.appeal_routes import router as appeals_router
from consentry.cases.removal_routes import router as removal_router
from consentry.cases.routes import router as cases_router
from consentry.compat.hma import router as hma_router
from consentry.config import Settings, get_settings
from consentry.content.routes import router as content_router
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.sealed import use_settings
from consentry.detection.routes import router as detection_router
from consentry.evidence.routes import router as evidence_router
from consentry.exchanges.routes import router as exchanges_router
from consentry.hashing.routes import router as hashing_router
from consentry.matching.live import LiveIndex
from consentry.portal.routes import router as portal_router
from consentry.portal.routes import static as portal_static
from consentry.review.appeal_pages import router as appeal_pages_router
from consentry.review.batch import router as batch_router
from consentry.review.decision_routes import router as decision_router
from consentry.review.pages import router as review_router
from consentry.review.web import router as console_router
from consentry.review.web import static as console_static
from consentry.scans.outcomes import router as outcomes_router
from consentry.scans.routes import router as scans_router
from consentry.service.runtime import Runtime
from consentry.web.docs import assets as docs_assets
from consentry.web.docs import router as docs_router
from consentry.web.routes import router as web_router
from consentry.web.routes import static

# Where a domain adds endpoints or pages: its router, named here (order is the OpenAPI order).
ROUTERS = (
    accounts_router,
    hashing_router,
    detection_router,
    scans_router,
    content_router,
    outcomes_router,
    banks_router,
    cases_router,
    decision_router,
    appeals_router,
    removal_router,
    actions_router,
    evidence_router,
    exchanges_router,
    hma_router,
    web_router,
    portal_router,
    console_router,
    review_router,
    batch_router,
    appeal_pages_router,
    admin_router,
    admin_reports_router,
    docs_router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    use_settings(settings)  # the key that seals TOTP seeds and webhook secrets
    engine = make_engine(settings.resolved_database_url())
    if settings.migrate_on_start:
        upgrade(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(settings, engine)
        runtime.install(app.state)
        runtime.start()
        yield
        await runtime.scan_intake.close()  # what is queued is written first
        runtime.stop()
        engine.dispose()

    app = FastAPI(
        title="consentry",
        version=__version__,
        summary="Countermeasures against intimate image abuse: hashing, matching, review.",
        lifespan=lifespan,
        docs_url=None,  # served by consentry.web.docs, from local assets
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    install_problem_handlers(app)
    install_openapi(app)
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes)
    app.add_middleware(Measure)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, Any]:
        """The process answers and reaches its database."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "Still loading."}})
    def readyz(request: Request) -> dict[str, Any]:
        """Ready once the hash index is loaded and following the bank change log."""
        index = part(request, LiveIndex)
        if index.matcher is None:
            detail = "the hash index is still loading"
            if index.load_error:
                detail = f"loading the hash index failed ({index.load_error})"
            raise Problem(HTTPStatus.SERVICE_UNAVAILABLE, "not-ready", detail)
        return {"status": "ready", "indexed": len(index.matcher)}

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus metrics, for a scraper holding `CONSENTRY_METRICS_TOKEN` (F21): key
        ids and scan volumes are nobody else's business. Without a token set, only a
        scraper on this machine (loopback) is answered."""
        if not metrics_allowed(request, settings):
            raise Problem(HTTPStatus.NOT_FOUND, "not-found", "Not Found")
        matcher = part(request, LiveIndex).matcher
        if matcher is not None:
            INDEX_ENTRIES.set(len(matcher))
            LOG_POSITION.set(matcher.seq)
        return render()

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/docs/assets", docs_assets, name="docs_assets")
    app.mount("/static", static, name="static")
    app.mount("/portal/static", portal_static, name="portal_static")
    app.mount("/console/static", console_static, name="console_static")
    return app
