"""Imports every domain's tables so Alembic and the test builders see one complete metadata."""

from lifecert.academy.models import (
    AcademyClass,
    Application,
    Attendance,
    Campus,
    ClassSession,
    Course,
    Enrolment,
    Institution,
    Lesson,
    LessonProgress,
    LotteryDraw,
    Membership,
    Room,
    Term,
    WaitlistEntry,
)
from lifecert.audit.models import AuditEntry, AuditHead
from lifecert.certification.models import (
    Certification,
    ChallengeSession,
    CyclePolicy,
    FamilyHelper,
    FamilyLink,
    Invitation,
    LoginCode,
    PaymentChange,
    ReviewCase,
)
from lifecert.community.models import CommunityEvent, EventSignup, HomeVisit, RetireeNote
from lifecert.core.db import Base
from lifecert.core.limits import RateCounter
from lifecert.dashboards.models import MonthlyCertified, MonthlyRate, RetireeCount
from lifecert.enrollment.models import (
    BiometricConsent,
    EnrollmentReview,
    FaceTemplate,
    StoredPhoto,
)
from lifecert.fraud.models import Alert, AlertLink, DeathRecord
from lifecert.identity.models import ApiToken
from lifecert.life_signals.models import LifeSignal, SignalSource, SilentEvidence, SilentPolicy
from lifecert.live.models import (
    LiveAttendance,
    LiveBlock,
    LiveQuestion,
    LiveSession,
    LiveViewer,
)
from lifecert.notifications.models import Campaign, NotificationPreference, OutboxMessage
from lifecert.organisation.models import Region, Staff, StaffRegion
from lifecert.partners.models import (
    IdempotentAnswer,
    Partner,
    PartnerEvent,
    PartnerKey,
    PartnerVerification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from lifecert.retirees.models import ImportJob, Retiree, RetireeTransfer
from lifecert.services.models import (
    AllowancePayment,
    ApplicationStep,
    PublicService,
    ServiceApplication,
)
from lifecert.system.models import JobRun

__all__ = [
    "AcademyClass",
    "Alert",
    "AlertLink",
    "AllowancePayment",
    "ApiToken",
    "Application",
    "ApplicationStep",
    "Attendance",
    "AuditEntry",
    "AuditHead",
    "Base",
    "BiometricConsent",
    "Campaign",
    "Campus",
    "Certification",
    "ChallengeSession",
    "ClassSession",
    "CommunityEvent",
    "Course",
    "CyclePolicy",
    "DeathRecord",
    "EnrollmentReview",
    "Enrolment",
    "EventSignup",
    "FaceTemplate",
    "FamilyHelper",
    "FamilyLink",
    "HomeVisit",
    "IdempotentAnswer",
    "ImportJob",
    "Institution",
    "Invitation",
    "JobRun",
    "Lesson",
    "LessonProgress",
    "LifeSignal",
    "LiveAttendance",
    "LiveBlock",
    "LiveQuestion",
    "LiveSession",
    "LiveViewer",
    "LoginCode",
    "LotteryDraw",
    "Membership",
    "MonthlyCertified",
    "MonthlyRate",
    "NotificationPreference",
    "OutboxMessage",
    "Partner",
    "PartnerEvent",
    "PartnerKey",
    "PartnerVerification",
    "PaymentChange",
    "PublicService",
    "RateCounter",
    "Region",
    "Retiree",
    "RetireeCount",
    "RetireeNote",
    "RetireeTransfer",
    "ReviewCase",
    "Room",
    "ServiceApplication",
    "SignalSource",
    "SilentEvidence",
    "SilentPolicy",
    "Staff",
    "StaffRegion",
    "StoredPhoto",
    "Term",
    "WaitlistEntry",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
