"""Health (the process answers) and readiness (the database answers and is migrated)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from lifecert.core.migrate import current_revision, head_revision
from lifecert.identity.deps import SessionDep
from lifecert.system.service import database_ready

router = APIRouter(prefix="/api", tags=["system"])


@router.get("/health")
async def health() -> dict[str, str]:
    """On the event loop itself (pure, no I/O): it answers only while the loop is free."""
    return {"status": "ok"}


@router.get("/ready")
def ready(session: SessionDep) -> JSONResponse:
    checks = {"database": database_ready(session)}
    checks["migrations"] = current_revision(session.connection()) == head_revision()
    status = 200 if all(checks.values()) else 503
    return JSONResponse({"ready": status == 200, "checks": checks}, status_code=status)
