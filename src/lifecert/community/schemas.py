"""API shapes for community events, notes and home visits."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from lifecert.community.models import (
    Attendance,
    EventKind,
    EventStatus,
    SignupChannel,
    SignupStatus,
    VisitStatus,
)


class EventCreate(BaseModel):
    community_id: int
    title: str = Field(min_length=2, max_length=200)
    kind: EventKind
    description: str = Field(default="", max_length=5000)
    starts_at: datetime
    ends_at: datetime
    place: str = Field(min_length=2, max_length=200)
    capacity: int = Field(ge=1, le=10000)


class EventUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=2, max_length=200)
    kind: EventKind | None = None
    description: str | None = Field(default=None, max_length=5000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = Field(default=None, min_length=2, max_length=200)
    capacity: int | None = Field(default=None, ge=1, le=10000)


class EventSummary(BaseModel):
    """One event as lists and the dashboard show it, with how many have signed up."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    kind: EventKind
    status: EventStatus
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    signed_up: int
    community_id: int
    community_name: str

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.signed_up, 0)


class EventRead(EventSummary):
    description: str
    created_by: int | None
    created_at: datetime


class EventList(BaseModel):
    items: list[EventSummary]
    total: int
    offset: int
    limit: int


class SignupCreate(BaseModel):
    retiree_id: int


class SignupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    retiree_id: int
    status: SignupStatus
    channel: SignupChannel
    signed_up_at: datetime
    signed_up_by: int | None
    cancelled_at: datetime | None
    attendance: Attendance | None
    attendance_recorded_at: datetime | None
    attendance_recorded_by: int | None


class AttendanceMark(BaseModel):
    retiree_id: int
    attendance: Attendance


class NoteCreate(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    retiree_id: int
    author_id: int | None
    author_name: str
    created_at: datetime
    text: str


class VisitCreate(BaseModel):
    scheduled_for: date
    assigned_to: int | None = None  # default: the caller
    purpose: str = Field(default="", max_length=500)


class VisitClose(BaseModel):
    status: VisitStatus
    outcome: str = Field(default="", max_length=5000)


class VisitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    retiree_id: int
    scheduled_for: date
    assigned_to: int
    status: VisitStatus
    purpose: str
    outcome: str
    created_by: int | None
    closed_at: datetime | None
