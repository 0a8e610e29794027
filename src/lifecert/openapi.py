"""What ``/api/docs`` says: a description for every tag and every route of the public API.

Kept in one place (a route's own docstring wins when it has one) so the API reference reads as
one document; ``tests/system/test_api_docs.py`` fails on a route or tag without a description.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

TAGS = [
    {"name": "system", "description": "Liveness and readiness probes for the load balancer."},
    {"name": "auth", "description": "API tokens for scripts and the paying agency's systems."},
    {"name": "organisation", "description": "Regions (province to community) and the caller."},
    {
        "name": "retirees",
        "description": "The registry: scoped to the caller's regions; ID numbers are masked "
        "unless revealed (audited).",
    },
    {"name": "imports", "description": "Bulk roster and death-register imports with reports."},
    {
        "name": "enrollment",
        "description": "Biometric consent, reference faces, reviews and data-subject export.",
    },
    {"name": "fraud", "description": "Alerts: duplicate faces, shared contacts, behaviour."},
    {
        "name": "certification",
        "description": "Face checks (challenge, frames, decision), cycle policy, and the "
        "payment changes the paying agency fetches.",
    },
    {"name": "community", "description": "Community events, sign-ups and attendance."},
    {"name": "dashboards", "description": "Region figures: due, overdue, suspended, trends."},
    {"name": "notifications", "description": "Campaigns and reminders through the outbox."},
    {
        "name": "deaths",
        "description": "Reported deaths: payment on hold until a second officer approves; "
        "a wrong report is reversed with arrears.",
    },
    {
        "name": "services",
        "description": "The public-service directory per region and online applications "
        "(e.g. the elderly allowance) with their payments.",
    },
    {
        "name": "academy",
        "description": "Senior universities as tenants: staff roles, campuses, rooms, terms, "
        "courses, classes, the published enrolment lottery, attendance (face at the door "
        "within the class roster, QR, roll call) and recorded lessons in HLS.",
    },
    {
        "name": "marketplace",
        "description": "Vetted merchants, capped categories, offers and orders with a "
        "cooling-off period, payouts only for proven services, complaints and anti-scam rules.",
    },
    {
        "name": "homecare",
        "description": "Home-care supervision: providers, work orders, visits proven by the "
        "caregiver's and the elder's faces and GPS, anomaly rules, KPIs, monthly settlement.",
    },
    {
        "name": "life signals",
        "description": "Dated evidence of life from trusted sources (partner key), the region "
        "policy, and silent certifications (reversible).",
    },
    {
        "name": "partner",
        "description": "Other systems (pension payer, banks, insurance, provincial apps) with "
        "a partner key (`Authorization: Bearer lcp_<key id>_<secret>`), scoped by action and "
        "region: status reads with cursors, ETags and changed-since; pushes of life signals "
        "and deaths; payment changes; certification as a service; webhooks. Every POST needs "
        "an `Idempotency-Key` header (same key and body: the stored answer again; another "
        "body: 409). Errors are problem details (RFC 9457); 429 carries Retry-After. Webhooks "
        "are signed: `LifeCert-Signature: v1=HMAC-SHA256(secret, timestamp + '.' + body)` "
        "with `LifeCert-Timestamp` and `LifeCert-Key-Id`; the same event keeps its "
        "`LifeCert-Event-Id` on every retry: receivers must ignore ids they have processed.",
    },
    {
        "name": "partner administration",
        "description": "Platform administrators register partners, issue and revoke their "
        "keys, and replay dead-lettered webhooks.",
    },
]

ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/homecare/providers"): "Providers the caller may see (a provider: itself).",
    ("POST", "/api/v1/homecare/providers"): (
        "Register a provider with its licence and regions (bureau)."
    ),
    ("POST", "/api/v1/homecare/providers/{provider_id}/decision"): (
        "Approve, suspend or grade a provider (bureau)."
    ),
    ("GET", "/api/v1/homecare/orders"): "Work orders in the caller's scope.",
    ("POST", "/api/v1/homecare/orders"): (
        "A work order from a care plan; a caregiver in two places at once is refused."
    ),
    ("GET", "/api/v1/homecare/orders/{order_id}"): "One work order (in scope).",
    ("GET", "/api/v1/homecare/elders"): (
        "Elders with a care plan: a provider's clients, or residents of one's regions."
    ),
    ("GET", "/api/v1/homecare/visits/{visit_id}"): "One visit's proof and whether it is billable.",
    ("POST", "/api/v1/homecare/visits/{visit_id}/challenge"): (
        "The liveness actions for the elder's face (one use)."
    ),
    ("POST", "/api/v1/homecare/visits/{visit_id}/worker-face"): (
        "The caregiver's own face check (frames with times)."
    ),
    ("POST", "/api/v1/homecare/visits/{visit_id}/check-in"): (
        "Check in: GPS, and the elder's live face (or the non-face route)."
    ),
    ("POST", "/api/v1/homecare/visits/{visit_id}/check-out"): (
        "Check out: GPS and photos; the anomaly rules decide billability."
    ),
    ("POST", "/api/v1/homecare/visits/{visit_id}/confirm"): (
        "A non-provider confirms a visit without a face-verified elder."
    ),
    ("GET", "/api/v1/homecare/kpis"): (
        "Provider KPIs of a month, in scope, with a region drill-down."
    ),
    ("POST", "/api/v1/homecare/settlements"): (
        "Prepare a month's settlement (rules first) (bureau)."
    ),
    ("POST", "/api/v1/homecare/settlements/{settlement_id}/sign"): (
        "Sign off a settlement (a second, different officer)."
    ),
    ("GET", "/api/v1/homecare/settlements/{settlement_id}.csv"): (
        "Export a signed settlement as CSV."
    ),
    ("GET", "/api/health"): "The process answers (no dependency is checked).",
    ("GET", "/api/ready"): "The database answers and its schema is at the migrations' head.",
    ("POST", "/api/v1/auth/tokens"): "Create an API token for the logged-in staff member; "
    "the secret is shown once.",
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): "Revoke one of your API tokens.",
    ("GET", "/api/v1/me"): "Who the caller is: role and assigned regions.",
    ("GET", "/api/v1/regions"): "The regions in the caller's scope, optionally one level.",
    ("GET", "/api/v1/regions/{region_id}"): "One region in the caller's scope.",
    ("GET", "/api/v1/retirees"): "Retirees in the caller's scope, filtered and paged.",
    ("POST", "/api/v1/retirees"): "Register one retiree (the ID number is encrypted).",
    ("GET", "/api/v1/retirees/{retiree_id}"): "One retiree, with a masked ID number.",
    ("PATCH", "/api/v1/retirees/{retiree_id}"): "Change contact or pension details.",
    ("POST", "/api/v1/retirees/{retiree_id}/transfer"): "Move a retiree to another community "
    "(kept in the transfer history).",
    ("GET", "/api/v1/retirees/{retiree_id}/transfers"): "The retiree's transfer history.",
    ("GET", "/api/v1/retirees/{retiree_id}/id-number"): "The full ID number, for roles allowed "
    "to see it; every reveal is audited.",
    ("POST", "/api/v1/imports/roster"): "Upload a roster (CSV or XLSX): rows are upserted by "
    "ID number; follow the job for progress.",
    ("GET", "/api/v1/imports/{job_id}"): "Progress and counts of an import job.",
    ("GET", "/api/v1/imports/{job_id}/errors.csv"): "The rejected rows of an import, with the "
    "reason for each.",
    ("POST", "/api/v1/retirees/{retiree_id}/consent"): "Record biometric consent (who, when, "
    "text version, channel).",
    ("DELETE", "/api/v1/retirees/{retiree_id}/consent"): "Withdraw consent: face data is "
    "deleted and the person certifies in person.",
    ("POST", "/api/v1/retirees/{retiree_id}/templates"): "Add a reference face photo; it passes "
    "the quality gate and a 1:N duplicate search.",
    ("GET", "/api/v1/retirees/{retiree_id}/templates"): "The person's face templates and their "
    "provenance (never the vectors).",
    ("GET", "/api/v1/retirees/{retiree_id}/export"): "Everything held about the person (access "
    "request under PIPL), audited.",
    ("POST", "/api/v1/enrollment-reviews/{review_id}"): "Approve or reject a reference face "
    "waiting for a check.",
    ("POST", "/api/v1/imports/photos"): "Import ID photos from a ZIP named by ID number.",
    ("GET", "/api/v1/alerts"): "Fraud alerts in the caller's scope, newest first.",
    ("GET", "/api/v1/alerts/export.csv"): "The alerts as CSV (spreadsheet-safe).",
    ("GET", "/api/v1/alerts/{alert_id}"): "One alert with its evidence.",
    ("POST", "/api/v1/alerts/{alert_id}/assign"): "Assign an alert to a staff member.",
    ("POST", "/api/v1/alerts/{alert_id}/resolve"): "Close an alert with a finding.",
    ("POST", "/api/v1/imports/deaths"): "Upload death registrations (CSV or XLSX): payments "
    "stop at the next export.",
    ("POST", "/api/v1/certify/challenge"): "Start a face check: random actions and a "
    "single-use nonce bound to this browser.",
    ("POST", "/api/v1/certify/submit"): "Send the check's frames with their times; the server "
    "decides (certified, try again, review or system fault).",
    ("GET", "/api/v1/payments/changes"): "Suspensions and resumptions (with arrears) for the "
    "paying agency, since a date or id.",
    ("GET", "/api/v1/payments/changes.csv"): "The same payment changes as CSV, headers and "
    "reasons in the reader's language.",
    ("GET", "/api/v1/events"): "Community events in the caller's scope.",
    ("POST", "/api/v1/events"): "Create an event (time, place, capacity).",
    ("GET", "/api/v1/events/upcoming"): "The next events, soonest first.",
    ("GET", "/api/v1/events/{event_id}"): "One event with its sign-up count.",
    ("PATCH", "/api/v1/events/{event_id}"): "Change or cancel an event.",
    ("GET", "/api/v1/events/{event_id}/signups"): "Who signed up for an event.",
    ("POST", "/api/v1/events/{event_id}/signups"): "Sign a retiree up (the capacity is kept).",
    ("DELETE", "/api/v1/events/{event_id}/signups/{retiree_id}"): "Cancel a sign-up.",
    ("POST", "/api/v1/events/{event_id}/attendance"): "Record who attended (a life signal).",
    ("GET", "/api/v1/dashboard"): "The figures of a region in scope: by status, age band, "
    "month, and its child regions.",
    ("GET", "/api/v1/notifications/campaigns"): "Campaigns sent in the caller's regions.",
    ("POST", "/api/v1/notifications/campaigns"): "Send a campaign to a target group.",
    ("POST", "/api/v1/notifications/campaigns/preview"): "Count and sample texts of a campaign "
    "before sending it.",
    ("GET", "/api/v1/notifications/campaigns/{campaign_id}"): "A campaign's results per "
    "person and channel.",
    ("GET", "/api/v1/notifications/retirees/{retiree_id}"): "Messages sent to one retiree.",
    ("POST", "/api/v1/notifications/retirees/{retiree_id}/reminders"): "Send one retiree a "
    "reminder now.",
    ("GET", "/api/v1/deaths"): "Reported deaths in the caller's scope, by status (held, "
    "approved, reversed).",
    ("POST", "/api/v1/life-signals"): "A partner pushes dated life signals (X-Partner-Key).",
    ("POST", "/api/v1/life-signals/sources"): "Register a signal source with its trust level; "
    "its partner key is shown once.",
    ("PUT", "/api/v1/life-signals/policies/{region_id}"): "A region's silent-certification "
    "policy: sources, recency, count, face check at least every N years.",
    ("POST", "/api/v1/life-signals/imports"): "Import a CSV/XLSX file of life signals as a job "
    "with progress and an error report.",
    ("POST", "/api/v1/life-signals/run"): "Apply the policies now (the nightly job does it too).",
    ("POST", "/api/v1/life-signals/certifications/{certification_id}/reverse"): "An officer "
    "reverses a silent certification with a reason; the person is due again.",
    ("GET", "/api/v1/life-signals/report"): "Share of silent certifications by region and "
    "source, and sources that certified people later reported dead.",
    ("GET", "/api/v1/services"): "The service directory that applies to a community.",
    ("PUT", "/api/v1/services/regions/{region_id}/{code}"): "Define or override a service for "
    "a region (inherited by the regions below).",
    ("GET", "/api/v1/services/applications"): "Applications in the caller's scope.",
    ("POST", "/api/v1/services/applications/{application_id}/decision"): "Approve, refuse (with "
    "a reason) or ask for more information.",
    ("GET", "/api/v1/services/allowance-payments"): "Approved allowance payments for the "
    "paying agency, by id cursor.",
    ("GET", "/api/v1/services/allowance-payments.csv"): "The same allowance payments as CSV.",
    ("GET", "/api/v1/academy/institutions"): "The institutions the caller works for.",
    ("POST", "/api/v1/academy/institutions"): "Register an institution (a tenant; platform admin).",
    ("GET", "/api/v1/academy/institutions/{institution_id}"): "One institution of the caller.",
    ("PUT", "/api/v1/academy/institutions/{institution_id}/members"): "Give a staff account a "
    "role (admin, registrar, teacher) in the institution.",
    ("POST", "/api/v1/academy/institutions/{institution_id}/campuses"): "Add a campus.",
    ("POST", "/api/v1/academy/campuses/{campus_id}/rooms"): "Add a room with its capacity.",
    ("GET", "/api/v1/academy/institutions/{institution_id}/terms"): "The institution's terms, "
    "newest first.",
    ("POST", "/api/v1/academy/institutions/{institution_id}/terms"): "Create a term: application "
    "window, course limit per person, days to accept, lottery priorities as data.",
    ("POST", "/api/v1/academy/terms/{term_id}/status"): "Open or close applications, start or "
    "close the term.",
    ("GET", "/api/v1/academy/institutions/{institution_id}/courses"): "The course catalogue.",
    ("POST", "/api/v1/academy/institutions/{institution_id}/courses"): "Add a course (category, "
    "level, fee, prerequisite).",
    ("GET", "/api/v1/academy/terms/{term_id}/classes"): "The classes of a term.",
    ("POST", "/api/v1/academy/terms/{term_id}/classes"): "Add a class (capacity, teacher, room, "
    "weekly time, age limits, the class it continues).",
    ("POST", "/api/v1/academy/terms/{term_id}/draw"): "Run the term's lottery with a seed (given "
    "or random) and publish it.",
    ("GET", "/api/v1/academy/draws/{draw_id}"): "A draw's seed, method, inputs and result, re-run "
    "to show it reproduces.",
    ("POST", "/api/v1/academy/enrolments/{enrolment_id}/fee-paid"): "Record that the fee was paid "
    "(record only).",
    ("POST", "/api/v1/academy/classes/{class_id}/sessions"): "Schedule a session of a class.",
    ("GET", "/api/v1/academy/sessions/{session_id}/attendance"): "The roster of a session and who "
    "is present, by which route.",
    ("POST", "/api/v1/academy/sessions/{session_id}/roll-call"): "The teacher marks students "
    "present.",
    ("GET", "/api/v1/academy/sessions/{session_id}/qr"): "The session's current check-in code "
    "(changes every 30 s).",
    ("POST", "/api/v1/academy/sessions/{session_id}/face"): "A picture from the door tablet: "
    "matched 1:N within the class roster only (consenting students).",
    ("POST", "/api/v1/academy/classes/{class_id}/lessons"): "Upload a recorded lesson (video); a "
    "job converts it to HLS.",
    ("POST", "/api/v1/academy/lessons/{lesson_id}/subtitles"): "Attach a WebVTT subtitles "
    "file to a recorded lesson.",
    ("GET", "/api/v1/academy/lessons/{lesson_id}"): "A recorded lesson and its conversion status.",
    ("GET", "/api/v1/academy/institutions/{institution_id}/dashboard"): "Demand against places, "
    "attendance rates and age bands of the current term.",
    ("GET", "/api/v1/partner/me"): "The calling key: partner, key id, scopes and regions.",
    ("GET", "/api/v1/partner/retirees"): "Certification status of the people in the key's "
    "regions, oldest change first; page with `cursor`, poll with `changed_since`; ETag.",
    ("GET", "/api/v1/partner/retirees/{retiree_id}"): "One person's certification status "
    "(403 outside the key's regions); ETag and If-None-Match.",
    ("POST", "/api/v1/partner/life-signals"): "Push dated life signals (scope push_signals); "
    "people outside the key's regions are refused by position.",
    ("POST", "/api/v1/partner/deaths"): "Push deaths (scope push_deaths): an import job; the "
    "payment is held until a second officer approves.",
    ("GET", "/api/v1/partner/payment-changes"): "Suspensions and resumptions in the key's "
    "regions after `since_id` (scope export_payments).",
    ("POST", "/api/v1/partner/verifications"): "A signed /m/verify link for a person (scope "
    "start_certification); the result comes back signed to the registered return URL.",
    ("GET", "/api/v1/partner/webhooks"): "The partner's webhook subscriptions.",
    ("POST", "/api/v1/partner/webhooks"): "Subscribe a URL to event types (certified, "
    "suspended, resumed, death_recorded, review_decided) in the key's regions.",
    ("DELETE", "/api/v1/partner/webhooks/{subscription_id}"): "Stop a subscription.",
    ("GET", "/api/v1/partner/webhooks/{subscription_id}/deliveries"): "The delivery log of a "
    "subscription: attempts, last answer, status.",
    ("GET", "/api/v1/partners"): "Registered partners (administrators).",
    ("POST", "/api/v1/partners"): "Register a partner; its signing secret is shown once.",
    ("POST", "/api/v1/partners/{partner_id}/keys"): "Issue a key with scopes, regions, expiry "
    "and a rate limit; the token is shown once.",
    ("POST", "/api/v1/partners/keys/{key_id}/revoke"): "Revoke a key: refused from the next "
    "request on.",
    ("GET", "/api/v1/partners/dead-letters"): "Webhook deliveries that failed for 24 hours.",
    ("POST", "/api/v1/partners/dead-letters/{delivery_id}/replay"): "Send a dead letter again "
    "with a fresh retry window.",
    ("GET", "/api/v1/marketplace/categories"): "Marketplace categories with the bureau's price "
    "caps and rules (forbidden, registration number required, paid per proven visit).",
    ("PUT", "/api/v1/marketplace/categories/{code}"): "The bureau sets a category's cap and rules.",
    ("POST", "/api/v1/marketplace/merchants"): "Enter a merchant's application: licence, area, "
    "categories (forbidden ones are refused).",
    ("GET", "/api/v1/marketplace/merchants"): "Merchants in the caller's regions (a merchant: "
    "itself only).",
    ("POST", "/api/v1/marketplace/merchants/{merchant_id}/decision"): "The bureau approves, "
    "refuses, suspends or reinstates a merchant (with a reason).",
    ("GET", "/api/v1/marketplace/offers"): "The calling merchant's own offers.",
    ("POST", "/api/v1/marketplace/offers"): "List an offer: approved category, at most the cap, "
    "total price, plain words.",
    ("POST", "/api/v1/marketplace/offers/{offer_id}/photo"): "Upload the offer's photo (JPEG or "
    "PNG, size-limited); the app serves it.",
    ("DELETE", "/api/v1/marketplace/offers/{offer_id}"): "Withdraw one of the merchant's offers.",
    ("GET", "/api/v1/marketplace/orders"): "The calling merchant's own orders (no ID numbers).",
    ("POST", "/api/v1/marketplace/orders/{order_id}/visit"): "Assign a caregiver to a "
    "home-service order; the home-care visit proof then runs on the caregiver's phone.",
    ("GET", "/api/v1/marketplace/complaints"): "Open complaints in the caller's regions, "
    "soonest deadline first.",
    ("POST", "/api/v1/marketplace/complaints/{complaint_id}/answer"): "Record what the "
    "community did about a complaint.",
    ("POST", "/api/v1/marketplace/call-reports"): "Record a call from a merchant that an elder "
    "or family reported (an anti-scam rule uses it).",
    ("POST", "/api/v1/marketplace/spending-limits"): "Propose a monthly spending limit; in force "
    "once the elder agrees on their own phone.",
}


def describe_routes(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Give each API route its description (unless its docstring gave one) and the app its tag
    descriptions. Call before the routers are included."""
    app.openapi_tags = TAGS
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            if route.description:
                continue
            keys = [(method, route.path) for method in route.methods or ()]
            route.description = next((ROUTES[k] for k in keys if k in ROUTES), "")
