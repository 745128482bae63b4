"""Assembly of the consentry service."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from consentry import __version__
from consentry.api.limits import BodySizeLimit
from consentry.api.problems import install_problem_handlers
from consentry.config import Settings, get_settings
from consentry.db.engine import make_engine
from consentry.hashing.routes import router as hashing_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.resolved_database_url())
    app = FastAPI(
        title="consentry",
        version=__version__,
        summary="Countermeasures against intimate image abuse: hashing, matching, review.",
    )
    app.state.settings = settings
    app.state.engine = engine
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, Any]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    app.include_router(hashing_router)
    return app
