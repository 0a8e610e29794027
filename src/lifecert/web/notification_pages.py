"""Campaign pages for staff (list, new with a preview step, results) and the retiree's inbox
on the phone pages (large type, one action each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from lifecert.core.errors import InvalidInput
from lifecert.core.i18n import N_, get_locale, gettext
from lifecert.core.roles import Permission
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.notifications import campaigns, labels, service, texts
from lifecert.notifications.models import ChannelName
from lifecert.notifications.results import campaign_results
from lifecert.notifications.schemas import Audience, AudienceGroup, CampaignCreate
from lifecert.organisation.service import list_regions
from lifecert.web.mobile_pages import _retiree
from lifecert.web.pages import page_actor
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False)
RESULTS_PAGE = 100
_INVALID_FIELD = N_("Missing or invalid.")

templates.env.globals.update(
    channel_label=lambda c: labels.CHANNEL_LABELS[ChannelName(c)],
    delivery_label=lambda s: labels.STATUS_LABELS[s],
    message_kind_label=lambda k: labels.KIND_LABELS[k],
    # Known channel errors are msgids; a gateway's own words pass through unchanged.
    delivery_error=lambda text: gettext(text),
)


@dataclass
class CampaignForm:
    name: str = ""
    group: str = AudienceGroup.ALL.value
    due_within_days: str = "30"
    age_min: str = ""
    age_max: str = ""
    region_id: str = ""
    unread_campaign_id: str = ""
    template_zh: str = ""
    template_en: str = ""
    channels: list[str] = field(default_factory=lambda: [ChannelName.INBOX.value])

    def to_create(self) -> CampaignCreate:
        """The form as the service's input; anything malformed is a 422 naming the field."""
        try:
            return CampaignCreate(
                name=self.name.strip(),
                audience=Audience(
                    group=AudienceGroup(self.group),
                    due_within_days=int(self.due_within_days or 30),
                    age_min=_int_or_none(self.age_min),
                    age_max=_int_or_none(self.age_max),
                    region_id=_int_or_none(self.region_id),
                    unread_campaign_id=_int_or_none(self.unread_campaign_id),
                ),
                template_zh=self.template_zh,
                template_en=self.template_en,
                channels=[ChannelName(c) for c in self.channels],
            )
        except (ValueError, ValidationError) as exc:
            fields = _fields_of(exc)
            raise InvalidInput(
                "Check these fields: {fields}.",
                params={"fields": ", ".join(fields)},
                fields=dict.fromkeys(fields, _INVALID_FIELD),
            ) from exc


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip() else None


def _fields_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return sorted({str(e["loc"][-1]) for e in exc.errors() if e["loc"]}) or ["form"]
    return ["form"]


def campaign_form(
    name: Annotated[str, Form(max_length=200)] = "",
    group: Annotated[str, Form(max_length=32)] = AudienceGroup.ALL.value,
    due_within_days: Annotated[str, Form(max_length=8)] = "30",
    age_min: Annotated[str, Form(max_length=8)] = "",
    age_max: Annotated[str, Form(max_length=8)] = "",
    region_id: Annotated[str, Form(max_length=20)] = "",
    unread_campaign_id: Annotated[str, Form(max_length=20)] = "",
    template_zh: Annotated[str, Form(max_length=2000)] = "",
    template_en: Annotated[str, Form(max_length=2000)] = "",
    channels: Annotated[list[str] | None, Form()] = None,
) -> CampaignForm:
    return CampaignForm(
        name,
        group,
        due_within_days,
        age_min,
        age_max,
        region_id,
        unread_campaign_id,
        template_zh,
        template_en,
        channels or [],
    )


FormDep = Annotated[CampaignForm, Depends(campaign_form)]


@router.get("/campaigns", response_class=HTMLResponse)
def campaign_list(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    rows = campaigns.list_campaigns(session, actor=actor)
    return render(
        request, "campaigns.html", rows=rows, can_send=actor.can(Permission.WRITE_RETIREES)
    )


def _form_page(
    request: Request, session: Session, form: CampaignForm, *, status: int = 200, **extra: Any
) -> HTMLResponse:
    actor = page_actor(request, session)
    actor.require(Permission.WRITE_RETIREES)
    return render(
        request,
        "campaign_new.html",
        status_code=status,
        form=form,
        regions=list_regions(session, actor=actor),
        previous=campaigns.list_campaigns(session, actor=actor, limit=50),
        groups=[(g.value, labels.GROUP_LABELS[g]) for g in AudienceGroup],
        channels=[(c.value, labels.CHANNEL_LABELS[c]) for c in ChannelName],
        variables=["{" + v + "}" for v in texts.VARIABLES],
        **extra,
    )


@router.get("/campaigns/new", response_class=HTMLResponse)
def new_campaign(request: Request, session: SessionDep) -> HTMLResponse:
    zh, en = labels.default_templates()
    return _form_page(request, session, CampaignForm(template_zh=zh, template_en=en))


@router.post("/campaigns/preview", response_class=HTMLResponse)
def preview(
    request: Request, session: SessionDep, form: FormDep, csrf: Annotated[str, Form()] = ""
) -> HTMLResponse:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    try:
        result = campaigns.preview_campaign(session, actor=actor, data=form.to_create())
    except InvalidInput as exc:
        return _form_page(request, session, form, status=exc.status_code, error=exc.translated())
    return _form_page(request, session, form, preview=result)


@router.post("/campaigns")
def send(
    request: Request, session: SessionDep, form: FormDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    try:
        campaign = campaigns.send_campaign(session, actor=actor, data=form.to_create())
    except InvalidInput as exc:
        return _form_page(request, session, form, status=exc.status_code, error=exc.translated())
    return RedirectResponse(f"/campaigns/{campaign.id}", status_code=303)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request, session: SessionDep, campaign_id: int, page: int = 1
) -> HTMLResponse:
    actor = page_actor(request, session)
    page = max(page, 1)
    results = campaign_results(
        session,
        actor=actor,
        campaign_id=campaign_id,
        offset=(page - 1) * RESULTS_PAGE,
        limit=RESULTS_PAGE,
    )
    return render(
        request,
        "campaign.html",
        r=results,
        page=page,
        pages=max(1, -(-results.recipients_total // RESULTS_PAGE)),
        group_label=labels.GROUP_LABELS[AudienceGroup(str(results.campaign.audience["group"]))],
    )


# The retiree's inbox on the phone pages.

mobile_router = APIRouter(include_in_schema=False, prefix="/m")


@mobile_router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = _retiree(request, session)
    service.remember_language(session, retiree_id=retiree.id, locale=get_locale())
    return render(
        request, "m/inbox.html", messages=service.inbox_for_retiree(session, retiree_id=retiree.id)
    )


@mobile_router.get("/inbox/{message_id}", response_class=HTMLResponse)
def inbox_message(request: Request, session: SessionDep, message_id: int) -> HTMLResponse:
    retiree = _retiree(request, session)
    message = service.read_inbox_message(session, retiree_id=retiree.id, message_id=message_id)
    return render(request, "m/message.html", message=message)


__all__ = ["mobile_router", "router"]
