"""create_app(): middleware, routers, error handlers. The one module that sees every domain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app import (
    i18n,
    mail,  # noqa: F401 - registers the mail job handler
    serving,
)
from app.accounts import api as accounts_api
from app.accounts import oidc
from app.accounts import routes as accounts_routes
from app.comments import api as comments_api
from app.comments import routes as comments_routes
from app.config import Settings, get_settings
from app.consultations import api as consultations_api
from app.consultations import routes as consultations_routes
from app.db import Database
from app.dossiers import api as dossiers_api
from app.dossiers import routes as dossiers_routes
from app.errors import install_error_handlers
from app.evaluations import api as evaluations_api
from app.evaluations import routes as evaluations_routes
from app.evaluations import routes_build as evaluations_build_routes
from app.impact import api as impact_api
from app.impact import routes as impact_routes
from app.impact import routes_manage as impact_manage_routes
from app.impact.analysis import api as impact_analysis_api
from app.impact.analysis import routes as impact_analysis_routes
from app.jobs.worker import WorkerThread
from app.moderation import api as moderation_api
from app.moderation import routes as moderation_routes
from app.moderation import routes_audit as moderation_audit_routes
from app.moderation import routes_comments as moderation_comment_routes
from app.organisations import api as organisations_api
from app.organisations import routes as organisations_routes
from app.security import SecurityHeadersMiddleware
from app.submissions import api as submissions_api
from app.submissions import routes as submissions_routes

STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "plenary_session"


class LocaleMiddleware:
    """Sets the interface language for this request: the user's choice, then Accept-Language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        preferred = scope.get("session", {}).get("locale")
        accept = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
        token = i18n.current_locale.set(i18n.negotiate_locale(preferred, accept))
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_locale.reset(token)


def create_app(
    settings: Settings | None = None, database: Database | None = None, *, settle: bool = False
) -> FastAPI:
    """The portal. `settle`: manage memory as a serving process does (app/serving.py): preload
    and freeze before the first request, collect young garbage after each response. Not for
    tests, which create many apps in one process."""
    settings = settings or get_settings()
    settings.check_safe_to_run()
    owns_database = database is None
    db = database or Database(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if settings.embedded_worker:
            worker = WorkerThread(app.state.session_factory, settings)
            worker.start()
            app.state.worker = worker
        if settle:
            serving.settle()
        yield
        if worker is not None:
            worker.stop()
        if owns_database:
            db.dispose()

    app = FastAPI(
        title="Plenary",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.database = db
    app.state.session_factory = db.sessionmaker
    app.state.oauth = oidc.build_oauth(settings)

    # Middleware added last runs first: security headers wrap the session, which wraps locale.
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    if settle:
        app.add_middleware(serving.CollectAfterResponse)  # outermost: after all the rest
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    for router in (
        accounts_routes.router,
        accounts_api.router,
        organisations_routes.router,
        organisations_api.router,
        consultations_routes.router,
        consultations_api.router,
        submissions_routes.router,
        submissions_api.router,
        comments_routes.router,
        comments_api.router,
        moderation_routes.router,
        moderation_comment_routes.router,
        moderation_api.router,
        moderation_audit_routes.router,
        dossiers_routes.router,
        dossiers_api.router,
        impact_routes.router,
        impact_manage_routes.router,
        impact_api.router,
        impact_analysis_routes.router,
        impact_analysis_api.router,
        evaluations_routes.router,
        evaluations_build_routes.router,
        evaluations_api.router,
    ):
        app.include_router(router)

    @app.get("/healthz", tags=["operations"])
    def healthz(request: Request) -> JSONResponse:
        try:
            with request.app.state.session_factory() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return app


def create_serving_app() -> FastAPI:
    """What `plenary serve` runs (uvicorn's factory): the portal, settled before it serves."""
    return create_app(settle=True)
