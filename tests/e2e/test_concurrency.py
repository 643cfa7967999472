"""No double bookings under concurrency: simultaneous overlapping requests at the running app."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import text

from adapters.db.engine import make_engine
from service.domain.bookings import BookingRequest
from service.domain.directory import Room, VatTreatment, Venue
from service.domain.errors import BookingClash
from service.domain.recurrence import Frequency, Recurrence
from service.domain.users import OPERATOR, Role
from service.usecases.accounts import create_user
from service.usecases.booking import book
from service.usecases.directory import create_room, create_venue
from tests.e2e.live import gunicorn

pytestmark = pytest.mark.slow  # gunicorn and racing requests

CONCURRENT = 16
ROUNDS = 4


def _setup(app: Flask) -> tuple[dict[str, str], int]:
    ctx = app.extensions["roomhire"]
    admin, _ = create_user(ctx, ctx.new_uow(), OPERATOR, email="a@example.org", role=Role.ADMIN)
    _, key = create_user(ctx, ctx.new_uow(), OPERATOR, email="f@example.org", role=Role.FACILITATOR)
    venue = create_venue(
        ctx,
        ctx.new_uow(),
        admin,
        Venue("V", "A", "BS1 1AA", "c@example.org", "r@example.org"),
    )
    room = create_room(
        ctx,
        ctx.new_uow(),
        admin,
        Room(venue.id or 0, "R", 10, True, 1000, VatTreatment.EXEMPT, 15, 15),
    )
    return {"Authorization": f"Bearer {key}"}, room.id or 0


def _fire(url: str, bodies: list[dict[str, Any]], headers: list[dict[str, str]]) -> list[Any]:
    barrier = threading.Barrier(len(bodies))
    results: list[Any] = [None] * len(bodies)

    def send(i: int) -> None:
        barrier.wait()
        results[i] = requests.post(url, json=bodies[i], headers=headers[i], timeout=60)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _monday_in(weeks: int) -> date:
    today = date.today()
    return today + timedelta(days=7 * weeks - today.weekday())


def test_simultaneous_overlapping_bookings_give_one_201_and_the_rest_409(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    headers, room_id = _setup(app)
    with gunicorn(database_url, tmp_path) as base:
        for round_ in range(ROUNDS):
            day = _monday_in(3 + 3 * round_).isoformat()  # rounds never share a week
            bodies = [
                {
                    "room_id": room_id,
                    "group_label": f"Group {i}",
                    "first_date": day,
                    "start_time": f"13:{i:02d}",
                    "end_time": "15:00",
                    "frequency": "weekly",
                    "sessions": 2,
                }
                for i in range(CONCURRENT)
            ]
            statuses = Counter(
                r.status_code
                for r in _fire(f"{base}/api/v1/bookings", bodies, [headers] * CONCURRENT)
            )
            log = (tmp_path / "gunicorn.log").read_text()[-4000:]  # a 500's traceback, if any
            assert statuses == {201: 1, 409: CONCURRENT - 1}, (round_, statuses, log)

    engine = make_engine(database_url)
    with engine.connect() as conn:
        overlaps = conn.execute(
            text(
                "SELECT count(*) FROM sessions a JOIN sessions b ON a.room_id = b.room_id "
                "AND a.id < b.id AND a.status = 'booked' AND b.status = 'booked' "
                "AND a.occupied_from < b.occupied_until AND b.occupied_from < a.occupied_until"
            )
        ).scalar_one()
        booked = conn.execute(text("SELECT count(*) FROM sessions")).scalar_one()
    engine.dispose()
    assert overlaps == 0
    assert booked == ROUNDS * 2


def test_simultaneous_replays_of_one_idempotency_key_create_one_booking(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    headers, room_id = _setup(app)
    body = {
        "room_id": room_id,
        "group_label": "Replayed",
        "first_date": _monday_in(3).isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
    }
    with gunicorn(database_url, tmp_path) as base:
        replays = _fire(
            f"{base}/api/v1/bookings",
            [body] * CONCURRENT,
            [{**headers, "Idempotency-Key": "flaky-phone"}] * CONCURRENT,
        )
        assert {r.status_code for r in replays} == {201}
        assert len({r.text for r in replays}) == 1
        assert len(requests.get(f"{base}/api/v1/bookings", headers=headers, timeout=10).json()) == 1


def test_a_booking_in_flight_makes_an_overlapping_one_wait_its_turn_not_deadlock(
    app: Flask,
) -> None:
    """B holds an uncommitted booking on the second Monday; A books the first and second
    Mondays; B then books the first Monday too. Without a per-room lock, on PostgreSQL A
    waits at the exclusion constraint for B's second Monday while B waits for A's first:
    the server aborts one of them with a deadlock, which the API would answer with a 500."""
    ctx = app.extensions["roomhire"]
    _, room_id = _setup(app)
    with ctx.new_uow() as uow:
        facilitator = uow.users.by_email("f@example.org")
    assert facilitator is not None and facilitator.id is not None
    monday = _monday_in(3)

    def request(first: date, sessions: int) -> BookingRequest:
        recurrence = Recurrence(first, Frequency.WEEKLY, sessions)
        return BookingRequest(
            room_id, facilitator.id or 0, "Group", recurrence, clock_time(13), clock_time(15)
        )

    outcome: list[BaseException | None] = []

    def a_books_both_mondays() -> None:
        try:
            book(ctx, ctx.new_uow(), facilitator, request(monday, 2))
            outcome.append(None)
        except BaseException as exc:  # the test reports what A got
            outcome.append(exc)

    b = ctx.new_uow()
    with b:
        book(ctx, b, facilitator, request(monday + timedelta(days=7), 1))  # joins b: no commit
        a = threading.Thread(target=a_books_both_mondays)
        a.start()
        time.sleep(1)  # A is now waiting (for the room, or at the constraint)
        book(ctx, b, facilitator, request(monday, 1))
        b.commit()
    a.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], BookingClash), outcome
