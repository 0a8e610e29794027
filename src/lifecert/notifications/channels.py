"""Delivery channels behind one small interface, looked up by name in a registry.

A channel either returns the final status of one message or raises: ``TransientChannelError``
(try again later, with backoff), ``PermanentChannelError`` (give up now) or
``ChannelNotConfigured`` (no provider: recorded as such, nothing pretends to be sent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from lifecert.core.errors import LifeCertError
from lifecert.core.i18n import N_
from lifecert.core.sms import get_sms_gateway
from lifecert.notifications.models import ChannelName, DeliveryStatus


@dataclass(frozen=True)
class Recipient:
    retiree_id: int
    phone: str


class ChannelError(Exception):
    """Base of what a channel may raise; the message is stored as the row's last error."""


class TransientChannelError(ChannelError):
    pass


class PermanentChannelError(ChannelError):
    pass


class ChannelNotConfigured(ChannelError):
    pass


class Channel(Protocol):
    def send(self, recipient: Recipient, text: str) -> DeliveryStatus: ...


class InboxChannel:
    """The outbox row itself is the inbox message: storing it is delivering it."""

    # Nothing leaves the database, so a job may deliver many in one transaction: a crash
    # rolls them all back and a rerun repeats them with no duplicate anyone could see.
    external = False

    def send(self, recipient: Recipient, text: str) -> DeliveryStatus:
        return DeliveryStatus.DELIVERED


class SmsChannel:
    """Hands the text to the configured SMS gateway (dev: logged and shown at /m/sms)."""

    def send(self, recipient: Recipient, text: str) -> DeliveryStatus:
        if not recipient.phone:
            raise PermanentChannelError(N_("No phone number on record."))
        try:
            get_sms_gateway().send(recipient.phone, text)
        except LifeCertError as exc:  # the HTTP gateway's ServiceUnavailable
            raise TransientChannelError(f"sms gateway: {exc.message}") from exc
        # The gateway accepted it; without delivery receipts "sent" is all we know.
        return DeliveryStatus.SENT


class VoiceChannel:
    """Placeholder for automated voice calls: no provider is integrated yet, so every message
    is recorded as not configured instead of being reported as sent."""

    def send(self, recipient: Recipient, text: str) -> DeliveryStatus:
        raise ChannelNotConfigured(N_("No voice-call provider is configured."))


_REGISTRY: dict[ChannelName, Callable[[], Channel]] = {
    ChannelName.INBOX: InboxChannel,
    ChannelName.SMS: SmsChannel,
    ChannelName.VOICE: VoiceChannel,
}


def register_channel(name: ChannelName, factory: Callable[[], Channel]) -> Callable[[], Channel]:
    """Install a channel (a real voice provider, a test double); returns the previous one."""
    previous = _REGISTRY[name]
    _REGISTRY[name] = factory
    return previous


def get_channel(name: ChannelName) -> Channel:
    return _REGISTRY[name]()


def is_external(name: ChannelName) -> bool:
    """Whether sending reaches the outside world (then each send is committed at once).
    Channels say so with an ``external`` attribute; unknown ones count as external."""
    return bool(getattr(get_channel(name), "external", True))
