"""Jinja2 environment for server-rendered pages, with gettext bound to the request's locale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from lifecert.certification.labels import cert_label
from lifecert.core.i18n import get_locale, gettext, ngettext
from lifecert.core.roles import Permission
from lifecert.core.web_security import CAMERA_POLICY
from lifecert.enrollment.labels import review_reason_label
from lifecert.identity.deps import csrf_token
from lifecert.retirees.models import CertState
from lifecert.system.clock import demo_clock_enabled
from lifecert.web import community_labels, formats, labels

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
# Pages that open the camera (the face check, the staff enrolment page).
CAMERA_PAGES = frozenset({"m/check.html", "enroll.html", "homecare/visit.html"})

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=jinja2.select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
)
templates = Jinja2Templates(env=_env)
# newstyle gettext: {{ _("Hello {name}", name=x) }} with autoescaping of the parameters.
_env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda message: gettext(message), lambda s, p, n: ngettext(s, p, n), newstyle=True
)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("actor", getattr(request.state, "actor", None))
    locale = get_locale()
    base = {
        "request": request,
        "csrf_token": csrf_token(request),
        "locale": locale,
        "html_lang": "zh-CN" if locale == "zh_CN" else "en",
    }
    response = templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )
    if name in CAMERA_PAGES:  # every other page gets camera=() from the security headers
        response.headers["Permissions-Policy"] = CAMERA_POLICY
    return response


templates.env.globals.update(
    role_label=labels.role_label,
    state_label=labels.state_label,
    age=labels.age,
    CertState=CertState,
    Permission=Permission,
)
templates.env.globals.update(community_labels.GLOBALS)
templates.env.globals.update(formats.GLOBALS)  # the region's time zone, from the settings
templates.env.filters.update(formats.FILTERS)
templates.env.globals["demo_clock_enabled"] = demo_clock_enabled
templates.env.globals["cert_label"] = cert_label
templates.env.globals["review_reason_label"] = review_reason_label
templates.env.globals["engine_message"] = formats.engine_message
