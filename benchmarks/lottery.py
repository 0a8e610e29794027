"""The senior-university lottery end to end, through the service and a real database: A
applicants (default 5,000) apply for 1-4 of C classes (default 40) with P places in all
(default 1,200); ``enrolment.run_draw`` reads the applications, draws, writes the offers, the
waitlists, and commits. Timed: the whole draw (``draw_s``); the winners' notices, a job the
draw queues (``academy.notify_draw``), are timed apart (``notify_s``).

Then the published draw is re-run from its document and seed (``reproducible``), and the
result is checked: no class over capacity, nobody over the per-person limit.

    python benchmarks/lottery.py --json out/lottery.json [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path


def _seed_data(session: object, applicants: int, classes: int, places: int) -> int:
    from sqlalchemy.orm import Session

    from lifecert.academy.models import AcademyClass, Application, Course, Institution, Term
    from lifecert.core.db import bulk_insert, utcnow
    from lifecert.organisation.models import Region
    from lifecert.retirees.models import Retiree

    assert isinstance(session, Session)
    rng = random.Random(20)  # builds the inputs only; the draw itself never uses random
    city = Region(level="city", name="长沙市", code="430100", path="/")
    session.add(city)
    session.flush()
    city.path = f"/{city.id}/"
    inst = Institution(code="bench", name="老年大学", region_id=city.id)
    session.add(inst)
    session.flush()
    term = Term(institution_id=inst.id, name="春季", starts_on=date(2027, 3, 1),
                ends_on=date(2027, 6, 30), apply_from=date(2027, 1, 1),
                apply_until=date(2027, 2, 1), status="applying", max_courses=2,
                priorities=[{"rule": "continuing"}, {"rule": "new_student"}])
    course = Course(institution_id=inst.id, name="书法")
    session.add_all([term, course])
    session.flush()
    each = places // classes
    session.add_all([AcademyClass(institution_id=inst.id, term_id=term.id, course_id=course.id,
                                  name=f"班{c}", capacity=each + (c < places % classes))
                     for c in range(classes)])
    session.flush()
    class_ids = list(session.scalars(__import__("sqlalchemy").select(AcademyClass.id)))
    now = utcnow()
    bulk_insert(session, Retiree, [
        {"id": i + 1, "id_number_hash": hashlib.sha256(str(i).encode()).hexdigest(),
         "id_number_enc": b"x", "id_number_masked": "4301**********0000", "key_id": "",
         "name": f"学员{i}", "gender": "female", "birth_date": date(1950, 1, 1 + i % 28),
         "phone": "", "address": "", "community_id": city.id, "pension_account": "",
         "paying_agency": "", "status": "active", "cert_state": "never", "notes": "",
         "route": "face", "created_at": now, "updated_at": now}
        for i in range(applicants)])
    popular = class_ids[: max(1, len(class_ids) // 4)]  # a quarter of the classes draw most
    rows = []
    for i in range(applicants):
        wanted = rng.sample(popular, 1) + rng.sample(class_ids, rng.randint(0, 3))
        for pref, class_id in enumerate(dict.fromkeys(wanted), 1):
            rows.append({"institution_id": inst.id, "term_id": term.id, "class_id": class_id,
                         "retiree_id": i + 1, "preference": pref, "channel": "phone",
                         "status": "applied", "created_at": now, "updated_at": now})
    bulk_insert(session, Application, rows)
    session.commit()
    return term.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=5000)
    parser.add_argument("--classes", type=int, default=40)
    parser.add_argument("--places", type=int, default=1200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lifecert-lottery-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["LIFECERT_DATABASE_URL"] = url
    os.environ.setdefault("LIFECERT_DATA_DIR", folder)
    os.environ["LIFECERT_LOG_JSON"] = "false"
    os.environ["LIFECERT_QUEUE__INLINE"] = "false"  # jobs are run by hand below, not sent

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from lifecert import all_models  # noqa: F401
    from lifecert.academy import enrolment
    from lifecert.academy.models import AcademyClass, Enrolment
    from lifecert.core import migrate
    from lifecert.core.db import build_engine
    from lifecert.core.roles import Role
    from lifecert.core.scoping import Actor

    migrate.upgrade(url=url)
    engine = build_engine(url)
    admin = Actor(staff_id=0, username="bench", role=Role.PLATFORM_ADMIN, region_paths=())
    with Session(engine) as session:
        term_id = _seed_data(session, args.applicants, args.classes, args.places)
    with Session(engine) as session:
        started = time.perf_counter()
        draw = enrolment.run_draw(session, actor=admin, term_id=term_id, seed="bench-seed-2027")
        session.info.pop("lifecert_pending_tasks", None)  # the notices job is timed below
        session.commit()
        draw_s = time.perf_counter() - started
        started = time.perf_counter()
        told = enrolment.notify_draw(session, draw_id=draw.id)  # the job the draw queues
        session.info.pop("lifecert_pending_tasks", None)  # (delivery is the outbox's job)
        session.commit()
        notify_s = time.perf_counter() - started
        reproducible = enrolment.verify_draw(session, draw_id=draw.id)
        capacity = dict(session.execute(select(AcademyClass.id, AcademyClass.capacity)).all())
        offers = session.execute(select(Enrolment.class_id, Enrolment.retiree_id)).all()
        per_class = Counter(c for c, _r in offers)
        per_person = Counter(r for _c, r in offers)
        max_courses = 2
    engine.dispose()
    entries = len(draw.inputs["entries"])
    result = {
        "applicants": args.applicants, "applications": entries, "classes": args.classes,
        "places": sum(capacity.values()), "offers": len(offers), "draw_s": round(draw_s, 3),
        "notices": told, "notify_s": round(notify_s, 3),
        "reproducible": reproducible,
        "over_capacity": sum(1 for c, n in per_class.items() if n > capacity[c]),
        "over_limit": sum(1 for n in per_person.values() if n > max_courses),
        "waitlisted": sum(len(v) for v in draw.result["waitlist"].values()),
        "database": url.split(":", 1)[0],
    }
    for key, value in result.items():
        print(f"{key:>14}  {value}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    ok = reproducible and not result["over_capacity"] and not result["over_limit"]
    return 0 if ok and draw_s <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
