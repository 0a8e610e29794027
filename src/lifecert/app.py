"""The ASGI application: API, pages, static files, metrics."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import make_asgi_app
from starlette.middleware.sessions import SessionMiddleware
from swagger_ui_bundle import swagger_ui_path

from lifecert import __version__
from lifecert.certification.endpoints import router as certification_router
from lifecert.community.endpoints import router as community_router
from lifecert.core.bodylimit import BodyLimitMiddleware
from lifecert.core.faces import get_face_engine
from lifecert.core.http import RequestContextMiddleware, install_error_handlers
from lifecert.core.logging import configure_logging
from lifecert.core.settings import Settings, get_settings
from lifecert.dashboards.endpoints import router as dashboards_router
from lifecert.enrollment.endpoints import router as enrollment_router
from lifecert.fraud.endpoints import deaths_router
from lifecert.fraud.endpoints import router as fraud_router
from lifecert.identity.endpoints import router as identity_router
from lifecert.notifications.endpoints import router as notifications_router
from lifecert.organisation.endpoints import router as organisation_router
from lifecert.retirees.endpoints import imports_router
from lifecert.retirees.endpoints import router as retirees_router
from lifecert.system.endpoints import router as system_router
from lifecert.web.certification_pages import router as certification_pages_router
from lifecert.web.community_pages import router as community_pages_router
from lifecert.web.dashboard_pages import router as dashboard_pages_router
from lifecert.web.enrollment_pages import router as enrollment_pages_router
from lifecert.web.fraud_pages import router as fraud_pages_router
from lifecert.web.import_pages import router as import_pages_router
from lifecert.web.mobile_event_pages import router as mobile_events_router
from lifecert.web.mobile_pages import router as mobile_router
from lifecert.web.mobile_pages import service_worker_router
from lifecert.web.notification_pages import mobile_router as inbox_router
from lifecert.web.notification_pages import router as notification_pages_router
from lifecert.web.pages import render_error_page
from lifecert.web.pages import router as pages_router
from lifecert.web.retiree_pages import router as retiree_pages_router
from lifecert.web.templating import STATIC_DIR


def _swagger_page() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="LifeCert API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon-32x32.png",
    )


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Face models load once, at start-up, off the event loop: the first retiree does not wait.
    await anyio.to_thread.run_sync(get_face_engine().warm_up)
    # What start-up loaded lives as long as the app: keep it out of the cyclic garbage
    # collector, whose full passes over it otherwise pause a request for 100+ ms now and then.
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # collectable again once the app stops (tests start many apps)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.log_json)
    app = FastAPI(
        title="LifeCert",
        version=__version__,
        docs_url=None,  # served below from local assets: deployments have no internet
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
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
    app.add_middleware(BodyLimitMiddleware)  # outermost: oversized bodies never get parsed
    install_error_handlers(app, render_error_page)
    for router in (
        system_router,
        identity_router,
        organisation_router,
        retirees_router,
        imports_router,
        enrollment_router,
        pages_router,
        import_pages_router,
        enrollment_pages_router,
        fraud_router,
        deaths_router,
        fraud_pages_router,
        certification_router,
        certification_pages_router,
        community_router,
        community_pages_router,
        retiree_pages_router,
        mobile_events_router,
        dashboards_router,
        dashboard_pages_router,
        notifications_router,
        notification_pages_router,
        inbox_router,
        mobile_router,
        service_worker_router,
    ):
        app.include_router(router)
    # The more specific mount first: "/static" would otherwise swallow "/static/swagger".
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_api_route("/api/docs", _swagger_page, include_in_schema=False)
    app.mount("/metrics", make_asgi_app())
    return app
