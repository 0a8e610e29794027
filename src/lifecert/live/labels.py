"""Words for live statuses (zh-CN in the catalogue), one registry like certification.labels."""

from __future__ import annotations

from lifecert.core.i18n import N_
from lifecert.live.models import LiveStatus, RecordingStatus

STATUS_LABELS: dict[LiveStatus, str] = {
    LiveStatus.SCHEDULED: N_("Scheduled"),
    LiveStatus.LIVE: N_("Live now"),
    LiveStatus.ENDED: N_("Ended"),
    LiveStatus.CANCELLED: N_("Cancelled"),
}

RECORDING_LABELS: dict[RecordingStatus, str] = {
    RecordingStatus.NONE: N_("Not recorded yet"),
    RecordingStatus.RECORDED: N_("Recorded; converting"),
    RecordingStatus.CONVERTED: N_("Ready: waiting for the host's approval"),
    RecordingStatus.PUBLISHED: N_("Published as an on-demand lesson"),
    RecordingStatus.FAILED: N_("Conversion failed"),
}


def status_label(status: LiveStatus) -> str:
    return STATUS_LABELS[status]


def recording_label(status: RecordingStatus) -> str:
    return RECORDING_LABELS[status]
