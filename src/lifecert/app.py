"""The ASGI application: API, pages, static files, metrics."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from lifecert import __version__
from lifecert.academy.endpoints import router as academy_router
from lifecert.certification.endpoints import router as certification_router
from lifecert.community.endpoints import router as community_router
from lifecert.core.bodylimit import BodyLimitMiddleware
from lifecert.core.faces import get_face_engine
from lifecert.core.http import RequestContextMiddleware, error_responder, install_error_handlers
from lifecert.core.logging import configure_logging
from lifecert.core.metrics_access import metrics_app
from lifecert.core.queue import get_celery
from lifecert.core.settings import Settings, get_settings
from lifecert.core.web_security import SecurityHeadersMiddleware
from lifecert.dashboards.endpoints import router as dashboards_router
from lifecert.enrollment.endpoints import router as enrollment_router
from lifecert.fraud.endpoints import death_records_router, deaths_router
from lifecert.fraud.endpoints import router as fraud_router
from lifecert.homecare.endpoints import router as homecare_router
from lifecert.identity.endpoints import router as identity_router
from lifecert.life_signals.endpoints import router as life_signals_router
from lifecert.live.endpoints import router as live_callbacks_router
from lifecert.live.engine import start_embedded as start_live_engine
from lifecert.marketplace.endpoints import router as marketplace_router
from lifecert.notifications.endpoints import router as notifications_router
from lifecert.openapi import describe_routes
from lifecert.organisation.endpoints import router as organisation_router
from lifecert.partners import events as partner_events
from lifecert.partners.admin_endpoints import router as partner_admin_router
from lifecert.partners.endpoints import router as partner_router
from lifecert.retirees.endpoints import imports_router
from lifecert.retirees.endpoints import router as retirees_router
from lifecert.services.endpoints import router as services_router
from lifecert.system.endpoints import router as system_router
from lifecert.system.scheduler import EmbeddedScheduler
from lifecert.web.academy_mobile_pages import router as academy_mobile_router
from lifecert.web.academy_pages import router as academy_pages_router
from lifecert.web.api_docs_pages import router as api_docs_router
from lifecert.web.certification_pages import router as certification_pages_router
from lifecert.web.community_pages import router as community_pages_router
from lifecert.web.dashboard_pages import router as dashboard_pages_router
from lifecert.web.demo_pages import router as demo_pages_router
from lifecert.web.enrollment_pages import router as enrollment_pages_router
from lifecert.web.fraud_pages import router as fraud_pages_router
from lifecert.web.home_pages import router as home_pages_router
from lifecert.web.homecare_pages import router as homecare_pages_router
from lifecert.web.import_pages import router as import_pages_router
from lifecert.web.life_signal_pages import router as life_signal_pages_router
from lifecert.web.live_pages import router as live_pages_router
from lifecert.web.live_question_pages import router as live_questions_router
from lifecert.web.market_pages import router as market_pages_router
from lifecert.web.mobile_care_pages import router as mobile_care_router
from lifecert.web.mobile_event_pages import router as mobile_events_router
from lifecert.web.mobile_market_pages import router as mobile_market_router
from lifecert.web.mobile_pages import router as mobile_router
from lifecert.web.mobile_pages import service_worker_router
from lifecert.web.mobile_service_pages import router as mobile_services_router
from lifecert.web.notification_pages import mobile_router as inbox_router
from lifecert.web.notification_pages import router as notification_pages_router
from lifecert.web.pages import render_error_page
from lifecert.web.pages import router as pages_router
from lifecert.web.partner_pages import router as partner_pages_router
from lifecert.web.partner_verify_pages import router as partner_verify_router
from lifecert.web.retiree_pages import router as retiree_pages_router
from lifecert.web.service_pages import router as service_pages_router
from lifecert.web.templating import STATIC_DIR


def _refuse_demo_passwords() -> None:
    from lifecert.core.db import session_scope
    from lifecert.identity.service import refuse_demo_passwords

    with session_scope() as session:
        refuse_demo_passwords(session)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Face models load once, at start-up, off the event loop: the first retiree does not wait.
    await anyio.to_thread.run_sync(get_face_engine().warm_up)
    if not get_settings().is_dev:
        await anyio.to_thread.run_sync(_refuse_demo_passwords)
    # What start-up loaded lives as long as the app: keep it out of the cyclic garbage
    # collector, whose full passes over it otherwise pause a request for 100+ ms now and then.
    gc.freeze()
    scheduler = _start_embedded_scheduler()
    # The streaming engine (nginx-rtmp) in the embedded mode; None when off or not installed.
    live_engine = await anyio.to_thread.run_sync(start_live_engine, get_settings())
    try:
        yield
    finally:
        if live_engine is not None:
            await anyio.to_thread.run_sync(live_engine.stop)
        if scheduler is not None:
            scheduler.stop()
        gc.unfreeze()  # collectable again once the app stops (tests start many apps)


def _start_embedded_scheduler() -> EmbeddedScheduler | None:
    """``lifecert serve --demo``: the periodic jobs run in this process (beat + inline worker)."""
    settings = get_settings()
    if not (settings.demo.scheduler and settings.queue.inline and settings.is_dev):
        return None
    scheduler = EmbeddedScheduler(get_celery())
    scheduler.start()
    return scheduler


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.log_json)
    partner_events.install()  # status changes write the partners' event outbox
    app = FastAPI(
        title="LifeCert",
        version=__version__,
        docs_url=None,  # served below from local assets: deployments have no internet
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
    )
    # Innermost: its error page reads the session (CSRF token), so the session is set up first.
    app.add_middleware(
        SecurityHeadersMiddleware,
        respond_error=error_responder(render_error_page),
        hsts=not settings.is_dev,
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
    routers = (
        system_router,
        api_docs_router,
        identity_router,
        organisation_router,
        retirees_router,
        imports_router,
        enrollment_router,
        pages_router,
        home_pages_router,
        demo_pages_router,
        import_pages_router,
        enrollment_pages_router,
        fraud_router,
        deaths_router,
        death_records_router,
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
        life_signals_router,
        services_router,
        service_pages_router,
        homecare_router,
        homecare_pages_router,
        mobile_care_router,
        mobile_services_router,
        academy_router,
        academy_pages_router,
        academy_mobile_router,
        marketplace_router,
        market_pages_router,
        mobile_market_router,
        life_signal_pages_router,
        live_callbacks_router,
        live_pages_router,
        live_questions_router,
        partner_router,
        partner_admin_router,
        partner_pages_router,
        partner_verify_router,
        mobile_router,
        service_worker_router,
    )
    describe_routes(app, routers)  # every route and tag described in /api/docs
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/metrics", metrics_app(settings))
    return app
