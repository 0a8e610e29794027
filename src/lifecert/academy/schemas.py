"""API shapes of the senior university."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifecert.academy.models import InstitutionRole, TermStatus


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InstitutionIn(BaseModel):
    code: str = Field(min_length=2, max_length=32)
    name: str = Field(min_length=2, max_length=200)
    region_id: int


class InstitutionRead(Read):
    id: int
    code: str
    name: str
    region_id: int


class MemberIn(BaseModel):
    staff_id: int
    role: InstitutionRole


class NamedIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    address: str = ""


class RoomIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    capacity: int = Field(ge=1, le=10000)


class IdRead(Read):
    id: int
    institution_id: int


class TermIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    starts_on: date
    ends_on: date
    apply_from: date
    apply_until: date
    max_courses: int = Field(default=2, ge=1, le=20)
    accept_days: int = Field(default=3, ge=1, le=30)
    priorities: list[dict[str, Any]] | None = None


class TermRead(Read):
    id: int
    institution_id: int
    name: str
    starts_on: date
    ends_on: date
    status: TermStatus
    max_courses: int
    priorities: list[dict[str, Any]]


class TermStatusIn(BaseModel):
    status: TermStatus


class CourseIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    category: str = ""
    level: int = 1
    fee_yuan: int = Field(default=0, ge=0)
    description: str = ""
    prerequisite_id: int | None = None


class CourseRead(Read):
    id: int
    institution_id: int
    name: str
    category: str
    fee_yuan: int


class ClassIn(BaseModel):
    course_id: int
    name: str = Field(min_length=1, max_length=100)
    capacity: int = Field(ge=1, le=10000)
    teacher_id: int | None = None
    room_id: int | None = None
    weekday: int = Field(default=1, ge=1, le=7)
    start_time: str = Field(default="09:00", pattern=r"^\d{2}:\d{2}$")
    minutes: int = Field(default=90, ge=10, le=600)
    min_age: int | None = None
    max_age: int | None = None
    continues_id: int | None = None


class ClassRead(Read):
    id: int
    institution_id: int
    term_id: int
    course_id: int
    name: str
    capacity: int
    teacher_id: int | None


class DrawIn(BaseModel):
    seed: str | None = Field(default=None, min_length=8, max_length=128)


class DrawRead(Read):
    id: int
    term_id: int
    seed: str
    method: str
    inputs_sha256: str
    result_sha256: str
    drawn_at: datetime
    result: dict[str, Any]


class SessionIn(BaseModel):
    starts_at: datetime
    minutes: int | None = Field(default=None, ge=10, le=600)


class SessionRead(Read):
    id: int
    institution_id: int
    class_id: int
    starts_at: datetime
    ends_at: datetime


class RollCallIn(BaseModel):
    present: list[int]


class LessonRead(Read):
    id: int
    institution_id: int
    class_id: int
    title: str
    status: str
    duration_s: float | None
    error: str
