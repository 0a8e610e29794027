"""Display labels (msgids, translated at render time) and the default message texts."""

from __future__ import annotations

from lifecert.core.i18n import N_, translations_for
from lifecert.notifications.models import ChannelName, DeliveryStatus, MessageKind
from lifecert.notifications.schemas import AudienceGroup

CHANNEL_LABELS = {
    ChannelName.INBOX: N_("Phone inbox"),
    ChannelName.SMS: N_("Text message"),
    ChannelName.VOICE: N_("Voice call"),
}

STATUS_LABELS = {
    DeliveryStatus.QUEUED: N_("Queued"),
    DeliveryStatus.SENDING: N_("Sending"),
    DeliveryStatus.RETRYING: N_("Will retry"),
    DeliveryStatus.SENT: N_("Sent"),
    DeliveryStatus.DELIVERED: N_("Delivered"),
    DeliveryStatus.FAILED: N_("Failed"),
    DeliveryStatus.NOT_CONFIGURED: N_("Not configured"),
}

KIND_LABELS = {
    MessageKind.CAMPAIGN: N_("Campaign"),
    MessageKind.REMINDER: N_("Certification reminder"),
    MessageKind.ADHOC: N_("Reminder from staff"),
    MessageKind.FAMILY: N_("Message to family"),
}

GROUP_LABELS = {
    AudienceGroup.ALL: N_("Everyone"),
    AudienceGroup.DUE_WITHIN: N_("Certification due within N days"),
    AudienceGroup.OVERDUE: N_("Overdue"),
    AudienceGroup.SUSPENDED: N_("Suspended"),
    AudienceGroup.UNDER_REVIEW: N_("Under review"),
    AudienceGroup.NEVER_CERTIFIED: N_("Never certified"),
}

DEFAULT_TEMPLATE = N_(
    "Dear {name}, your pension certification is valid until {valid_until}. Certify free on "
    "your phone, or call {community} at {phone_of_community}. Staff never ask for money."
)


def default_templates() -> tuple[str, str]:
    """(Chinese, English) starting texts for a new campaign, whatever the page language."""
    return translations_for("zh_CN").gettext(DEFAULT_TEMPLATE), DEFAULT_TEMPLATE
