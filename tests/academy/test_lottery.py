"""The lottery as a pure function: reproducible from the published seed and document,
priorities in order, the per-person limit, capacity, and the waitlist's order."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from lifecert.academy import lottery
from lifecert.academy.lottery import Entry, Person, Seat


def _market(seed: int, people: int = 400, classes: int = 8, capacity: int = 10) -> tuple[
        list[Seat], list[Person], list[Entry]]:
    rng = random.Random(seed)  # only builds the test's inputs; the draw never uses random
    seats = [Seat(c, capacity) for c in range(1, classes + 1)]
    persons, entries = [], []
    for i in range(people):
        code = f"p{i:04d}"
        continuing = frozenset({rng.randint(1, classes)}) if i % 7 == 0 else frozenset()
        persons.append(Person(code, rng.randint(60, 90), i % 3 == 0, continuing))
        for pref, c in enumerate(rng.sample(range(1, classes + 1), rng.randint(1, 4)), 1):
            entries.append(Entry(code, c, pref))
    return seats, persons, entries


PRIORITIES = [{"rule": "continuing"}, {"rule": "new_student"}]


def test_same_seed_same_result_and_document_rerun() -> None:
    seats, persons, entries = _market(1)
    first = lottery.draw("seed-abc", seats, persons, entries, PRIORITIES, 2)
    # Inputs in another order give the same lists: nothing depends on input order.
    again = lottery.draw("seed-abc", list(reversed(seats)), list(reversed(persons)),
                         list(reversed(entries)), PRIORITIES, 2)
    assert first == again and first.sha256() == again.sha256()
    doc = lottery.document(seats, persons, entries, PRIORITIES, 2)
    assert lottery.draw_document("seed-abc", doc).sha256() == first.sha256()
    other = lottery.draw("seed-abd", seats, persons, entries, PRIORITIES, 2)
    assert other.sha256() != first.sha256()


def test_ticket_is_documented_hmac_sha256() -> None:
    import hashlib
    import hmac

    expected = hmac.new(b"s", b"7:p1", hashlib.sha256).hexdigest()
    assert lottery.ticket("s", 7, "p1") == expected


def test_capacity_and_per_person_limit_never_exceeded() -> None:
    seats, persons, entries = _market(2)
    result = lottery.draw("x", seats, persons, entries, PRIORITIES, 2)
    assert all(len(result.won[s.class_id]) <= s.capacity for s in seats)
    held = Counter(a for winners in result.won.values() for a in winners)
    assert max(held.values()) <= 2
    assert all(held[a] == 2 for a, _c in result.over_limit)
    # Nobody waits for a class they won, nor twice in one line.
    for c, line in result.waitlist.items():
        assert not set(line) & set(result.won[c]) and len(line) == len(set(line))


def test_priorities_respected_in_order() -> None:
    seats, persons, entries = _market(3)
    result = lottery.draw("y", seats, persons, entries, PRIORITIES, 3)
    people = {p.applicant: p for p in persons}
    for seat in seats:
        winners = result.won[seat.class_id]
        groups = [lottery.group_of(people[a], Entry(a, seat.class_id), PRIORITIES)
                  for a in winners]
        waiting = [lottery.group_of(people[a], Entry(a, seat.class_id), PRIORITIES)
                   for a in result.waitlist[seat.class_id]]
        # A full class never leaves someone of a better group waiting while a worse one won.
        if waiting and winners:
            assert min(waiting) >= max(groups) or len(winners) < seat.capacity
        assert waiting == sorted(waiting)  # the line is in group order
    # Continuing students of an oversubscribed class all got their class (fewer than places).
    for p in persons:
        for c in p.continuing:
            if any(e.applicant == p.applicant and e.class_id == c for e in entries):
                assert p.applicant in result.won[c]


def test_new_students_before_others_when_scarce() -> None:
    seats = [Seat(1, 2)]
    persons = [Person("old1"), Person("old2"), Person("new1", new_student=True),
               Person("new2", new_student=True)]
    entries = [Entry(p.applicant, 1) for p in persons]
    for seed in ("a", "b", "c", "d"):
        result = lottery.draw(seed, seats, persons, entries, PRIORITIES, 1)
        assert sorted(result.won[1]) == ["new1", "new2"]
    # Priorities are data: with an age rule first, the oldest go first.
    aged = [Person("a", age=85), Person("b", age=70, new_student=True), Person("c", age=81)]
    result = lottery.draw("z", seats, aged, [Entry(p.applicant, 1) for p in aged],
                          [{"rule": "min_age", "age": 80}, {"rule": "new_student"}], 1)
    assert sorted(result.won[1]) == ["a", "c"]


def test_promotion_skips_people_at_the_limit() -> None:
    assert lottery.next_in_line(["a", "b", "c"], {"a": 2, "b": 1}, 2) == "b"
    assert lottery.next_in_line(["a"], {"a": 2}, 2) is None
    assert lottery.next_in_line(["a", "b"], {}, 2, skip=["a"]) == "b"


def test_unknown_rule_refused() -> None:
    with pytest.raises(ValueError):
        lottery.draw("s", [], [], [], [{"rule": "richest_first"}], 1)
