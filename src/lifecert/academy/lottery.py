"""The enrolment lottery: a pure function anyone can re-run from the published document.

Method ``hmac-sha256-priority-v1`` (published with every draw):

1. Every application gets a ticket: ``HMAC-SHA256(key=seed, msg="<class_id>:<applicant>")`` as
   hex. The seed is published with the result; nothing depends on Python's ``random`` or on
   dict/set ordering, so any language with HMAC-SHA256 reproduces the draw.
2. Every application falls in a priority group: the index of the first priority rule (data,
   in the term's order) it satisfies; applications matching none come after all groups.
3. Applications are served in the order (group, preference, ticket, applicant, class): a place
   is won while the class has room and the person has fewer than ``max_per_person`` places.
4. Applications not served form each class's waitlist in the same order; people who already
   hold ``max_per_person`` places are not waitlisted ("over the limit").

Priority rules (``{"rule": ...}``): ``continuing`` (the class continues one the person attended),
``new_student`` (never enrolled at the institution), ``min_age`` (``{"rule": "min_age",
"age": 80}``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

METHOD = "hmac-sha256-priority-v1"


@dataclass(frozen=True)
class Seat:
    class_id: int
    capacity: int


@dataclass(frozen=True)
class Person:
    applicant: str  # pseudonymous id, published (never a name or ID number)
    age: int = 0
    new_student: bool = False
    continuing: frozenset[int] = field(default_factory=frozenset)  # classes this one continues


@dataclass(frozen=True)
class Entry:
    applicant: str
    class_id: int
    preference: int = 1


@dataclass(frozen=True)
class DrawResult:
    won: dict[int, list[str]]
    waitlist: dict[int, list[str]]
    over_limit: list[tuple[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": METHOD,
            "won": {str(k): v for k, v in sorted(self.won.items())},
            "waitlist": {str(k): v for k, v in sorted(self.waitlist.items())},
            "over_limit": [[a, c] for a, c in self.over_limit],
        }

    def sha256(self) -> str:
        return canonical_sha256(self.as_dict())


Rule = Callable[[Person, Entry, Mapping[str, Any]], bool]

PRIORITY_RULES: dict[str, Rule] = {
    "continuing": lambda person, entry, _r: entry.class_id in person.continuing,
    "new_student": lambda person, _e, _r: person.new_student,
    "min_age": lambda person, _e, rule: person.age >= int(rule.get("age", 0)),
}


def check_priorities(priorities: Sequence[Mapping[str, Any]]) -> None:
    for rule in priorities:
        if rule.get("rule") not in PRIORITY_RULES:
            raise ValueError(f"Unknown priority rule: {rule.get('rule')!r}")


def ticket(seed: str, class_id: int, applicant: str) -> str:
    return hmac.new(seed.encode(), f"{class_id}:{applicant}".encode(), hashlib.sha256).hexdigest()


def group_of(person: Person, entry: Entry, priorities: Sequence[Mapping[str, Any]]) -> int:
    for index, rule in enumerate(priorities):
        if PRIORITY_RULES[str(rule["rule"])](person, entry, rule):
            return index
    return len(priorities)


def draw(
    seed: str,
    seats: Iterable[Seat],
    persons: Iterable[Person],
    entries: Iterable[Entry],
    priorities: Sequence[Mapping[str, Any]],
    max_per_person: int,
) -> DrawResult:
    """Run the lottery (see the module's method). Pure: same inputs, same result."""
    check_priorities(priorities)
    if max_per_person < 1:
        raise ValueError("max_per_person must be at least 1")
    room = {s.class_id: s.capacity for s in seats}
    people = {p.applicant: p for p in persons}
    keyed = sorted(

            (group_of(people[e.applicant], e, priorities), e.preference,
             ticket(seed, e.class_id, e.applicant), e.applicant, e.class_id)
            for e in entries if e.class_id in room and e.applicant in people

    )
    won: dict[int, list[str]] = {c: [] for c in sorted(room)}
    held: dict[str, int] = {}
    unserved: list[tuple[str, int]] = []
    seen: set[tuple[str, int]] = set()
    for _g, _p, _t, applicant, class_id in keyed:
        if (applicant, class_id) in seen:  # a duplicate application counts once
            continue
        seen.add((applicant, class_id))
        if held.get(applicant, 0) < max_per_person and len(won[class_id]) < room[class_id]:
            won[class_id].append(applicant)
            held[applicant] = held.get(applicant, 0) + 1
        else:
            unserved.append((applicant, class_id))
    waitlist: dict[int, list[str]] = {c: [] for c in sorted(room)}
    over: list[tuple[str, int]] = []
    for applicant, class_id in unserved:
        if held.get(applicant, 0) >= max_per_person:
            over.append((applicant, class_id))
        else:
            waitlist[class_id].append(applicant)
    return DrawResult(won=won, waitlist=waitlist, over_limit=over)


def next_in_line(
    waitlist: Sequence[str], held: Mapping[str, int], max_per_person: int,
    skip: Iterable[str] = (),
) -> str | None:
    """Who is offered a freed place: the first on the waitlist still under the limit."""
    excluded = set(skip)
    for applicant in waitlist:
        if applicant not in excluded and held.get(applicant, 0) < max_per_person:
            return applicant
    return None


# The published document: everything the draw read, in a canonical form.


def document(
    seats: Iterable[Seat], persons: Iterable[Person], entries: Iterable[Entry],
    priorities: Sequence[Mapping[str, Any]], max_per_person: int,
) -> dict[str, Any]:
    return {
        "method": METHOD,
        "max_per_person": max_per_person,
        "priorities": [dict(p) for p in priorities],
        "seats": [[s.class_id, s.capacity] for s in sorted(seats, key=lambda s: s.class_id)],
        "persons": [
            [p.applicant, p.age, p.new_student, sorted(p.continuing)]
            for p in sorted(persons, key=lambda p: p.applicant)
        ],
        "entries": sorted([e.applicant, e.class_id, e.preference] for e in entries),
    }


def draw_document(seed: str, doc: Mapping[str, Any]) -> DrawResult:
    """Re-run a published draw from its document and seed."""
    if doc.get("method") != METHOD:
        raise ValueError(f"This code runs method {METHOD}, not {doc.get('method')!r}")
    return draw(
        seed,
        [Seat(int(c), int(n)) for c, n in doc["seats"]],
        [Person(str(a), int(age), bool(new), frozenset(int(c) for c in cont))
         for a, age, new, cont in doc["persons"]],
        [Entry(str(a), int(c), int(p)) for a, c, p in doc["entries"]],
        doc["priorities"],
        int(doc["max_per_person"]),
    )


def canonical_sha256(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
