"""SMS gateways: a pluggable sender. In dev, messages go to the log and the /dev/sms page."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol

import httpx

from lifecert.core.db import utcnow
from lifecert.core.errors import ServiceUnavailable
from lifecert.core.logging import get_logger
from lifecert.core.settings import get_settings

log = get_logger("lifecert.sms")


@dataclass(frozen=True)
class SentMessage:
    phone: str
    text: str
    at: datetime


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class DevGateway:
    """Keeps the last messages in memory for the dev page; never sends anything."""

    def __init__(self, keep: int = 100) -> None:
        self.sent: deque[SentMessage] = deque(maxlen=keep)

    def send(self, phone: str, text: str) -> None:
        self.sent.appendleft(SentMessage(phone, text, utcnow()))
        log.info("sms_dev", phone=phone[-4:], text=text)


class HttpGateway:
    """Posts {"phone", "text", "sender"} as JSON to the operator's SMS service."""

    def __init__(self, url: str, token: str, sender: str) -> None:
        self.url, self.token, self.sender = url, token, sender

    def send(self, phone: str, text: str) -> None:
        try:
            response = httpx.post(self.url, json={"phone": phone, "text": text,
                                                  "sender": self.sender},
                                  headers={"Authorization": f"Bearer {self.token}"}, timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("sms_failed", error=type(exc).__name__)
            raise ServiceUnavailable("The text message could not be sent. Please try again "
                                     "in a few minutes.") from exc


@lru_cache
def get_sms_gateway() -> SmsGateway:
    settings = get_settings().sms
    if settings.gateway == "http":
        return HttpGateway(settings.http_url, settings.http_token.get_secret_value(),
                           settings.sender_name)
    return DevGateway()
