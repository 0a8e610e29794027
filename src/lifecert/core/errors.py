"""One error hierarchy for the whole platform.

Services raise these; a single handler maps them to RFC 9457 problem responses (API) or friendly
pages (web). ``message`` is a translatable msgid; ``params`` fill its placeholders.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar, TypeVar

from lifecert.core.i18n import gettext


class LifeCertError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        params: dict[str, Any] | None = None,
        fields: dict[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.params = params or {}
        # Field name -> what to fix, for forms and CSV rows.
        self.fields = fields or {}
        # Seconds for a ``Retry-After`` header (429 and 503 answers).
        self.retry_after = retry_after

    def translated(self) -> str:
        """The message in the request's language, with its parameters filled in."""
        return gettext(self.message, **self.params)


class InvalidInput(LifeCertError):
    status_code = 422
    code = "invalid_input"


_Choice = TypeVar("_Choice", bound=Enum)


def parse_choice(choices: type[_Choice], value: str, message: str) -> _Choice:
    """A form's choice as its enum member, or InvalidInput with ``message`` (a msgid that
    names the valid choices in words, marked with ``N_`` where it is written)."""
    try:
        return choices(value)
    except ValueError as exc:
        raise InvalidInput(message) from exc


class PayloadTooLarge(LifeCertError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMedia(LifeCertError):
    status_code = 415
    code = "unsupported_media"


class AuthenticationRequired(LifeCertError):
    status_code = 401
    code = "authentication_required"


class PermissionDenied(LifeCertError):
    status_code = 403
    code = "permission_denied"


class NotFound(LifeCertError):
    # Also used for records outside the caller's scope: their existence is not revealed.
    status_code = 404
    code = "not_found"


class Conflict(LifeCertError):
    status_code = 409
    code = "conflict"


class ReplayDetected(LifeCertError):
    status_code = 409
    code = "replay_detected"


class TooManyRequests(LifeCertError):
    status_code = 429
    code = "too_many_requests"


class DataIntegrityError(LifeCertError):
    """Stored data failed a check (e.g. decryption). Not the user's fault: a 500-class event."""

    status_code = 500
    code = "data_integrity"


class ServiceUnavailable(LifeCertError):
    status_code = 503
    code = "service_unavailable"
