"""The ASGI application: API, pages, static files, metrics."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import make_asgi_app
from starlette.middleware.sessions import SessionMiddleware

from lifecert import __version__
from lifecert.core.http import RequestContextMiddleware, install_error_handlers
from lifecert.core.logging import configure_logging
from lifecert.core.settings import Settings, get_settings
from lifecert.identity.endpoints import router as identity_router
from lifecert.organisation.endpoints import router as organisation_router
from lifecert.retirees.endpoints import router as retirees_router
from lifecert.system.endpoints import router as system_router
from lifecert.web.pages import render_error_page
from lifecert.web.pages import router as pages_router
from lifecert.web.templating import STATIC_DIR


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.log_json)
    app = FastAPI(
        title="LifeCert",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="lifecert_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=not settings.is_dev,
    )
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app, render_error_page)
    for router in (
        system_router,
        identity_router,
        organisation_router,
        retirees_router,
        pages_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/metrics", make_asgi_app())
    return app
