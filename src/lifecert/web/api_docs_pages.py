"""API documentation served by the app itself: Swagger UI 5 (renders OpenAPI 3.1, with "try it
out") at ``/api/docs`` and ReDoc at ``/api/redoc``, both vendored under ``static/vendor``; no
CDN, no request leaves the app (Swagger UI's online validator is switched off)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    return render(request, "api_docs.html", viewer="swagger")


@router.get("/api/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    return render(request, "api_docs.html", viewer="redoc")
