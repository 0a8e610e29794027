"""Imports every domain's tables so Alembic and the test builders see one complete metadata."""

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
from lifecert.homecare.models import (
    Absence,
    Anomaly,
    AnomalyRule,
    Caregiver,
    CarePlan,
    ElderHome,
    KpiRollup,
    Provider,
    ProviderRegion,
    ServiceItem,
    Settlement,
    Visit,
    VisitPhoto,
    WorkOrder,
)
from lifecert.identity.models import ApiToken
from lifecert.life_signals.models import LifeSignal, SignalSource, SilentEvidence, SilentPolicy
from lifecert.marketplace.models import (
    CallReport,
    Complaint,
    MarketAlert,
    MarketCategory,
    Merchant,
    MerchantStaff,
    Offer,
    Order,
    Payment,
    SpendingLimit,
)
from lifecert.notifications.models import Campaign, NotificationPreference, OutboxMessage
from lifecert.organisation.models import Region, Staff, StaffRegion
from lifecert.retirees.models import ImportJob, Retiree, RetireeTransfer
from lifecert.services.models import (
    AllowancePayment,
    ApplicationStep,
    PublicService,
    ServiceApplication,
)
from lifecert.system.models import JobRun

__all__ = [
    "Absence",
    "Alert",
    "AlertLink",
    "AllowancePayment",
    "Anomaly",
    "AnomalyRule",
    "ApiToken",
    "ApplicationStep",
    "AuditEntry",
    "AuditHead",
    "Base",
    "BiometricConsent",
    "CallReport",
    "Campaign",
    "CarePlan",
    "Caregiver",
    "Certification",
    "ChallengeSession",
    "CommunityEvent",
    "Complaint",
    "CyclePolicy",
    "DeathRecord",
    "ElderHome",
    "EnrollmentReview",
    "EventSignup",
    "FaceTemplate",
    "FamilyHelper",
    "FamilyLink",
    "HomeVisit",
    "ImportJob",
    "Invitation",
    "JobRun",
    "KpiRollup",
    "LifeSignal",
    "LoginCode",
    "MarketAlert",
    "MarketCategory",
    "Merchant",
    "MerchantStaff",
    "MonthlyCertified",
    "MonthlyRate",
    "NotificationPreference",
    "Offer",
    "Order",
    "OutboxMessage",
    "Payment",
    "PaymentChange",
    "Provider",
    "ProviderRegion",
    "PublicService",
    "RateCounter",
    "Region",
    "Retiree",
    "RetireeCount",
    "RetireeNote",
    "RetireeTransfer",
    "ReviewCase",
    "ServiceApplication",
    "ServiceItem",
    "Settlement",
    "SignalSource",
    "SilentEvidence",
    "SilentPolicy",
    "SpendingLimit",
    "Staff",
    "StaffRegion",
    "StoredPhoto",
    "Visit",
    "VisitPhoto",
    "WorkOrder",
]
