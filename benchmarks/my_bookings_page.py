"""Load on a facilitator's "My bookings" page (GET /bookings) with a real HTTP load generator
(wrk) against gunicorn on 127.0.0.1 (2 workers), beside /healthz in the same run. The
facilitator has 1,000 sessions (20 weekly series of 50, about half held and half to come, in
20 venues) in a SQLite database of 100,000 sessions; 99 other facilitators booked the rest.

    apt-get install wrk
    .venv/bin/python -m benchmarks.my_bookings_page [SECONDS] [CONNECTIONS]

Target: p99 <= 50 ms.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from statistics import median
from typing import Any

import requests
from sqlalchemy import create_engine, delete, insert

from adapters.db.tables import Base
from benchmarks import http_load
from benchmarks.bookable import sqlite_context, venues
from benchmarks.figures import Figure
from benchmarks.http_load import figures, gunicorn, require_wrk, summary, wrk
from service.config import Config
from service.domain.bookings import SessionStatus
from service.domain.recurrence import Frequency
from service.domain.timeslots import LONDON, london_slot
from service.domain.users import Role
from service.usecases.sign_in import sign_in_link, sign_in_with_link

NAME = "my bookings page"
VENUES, SLOTS, WEEKS = 200, 10, 50  # a room per venue, 10 weekly series a room: 100,000 sessions
MINE = 20  # the facilitator's series: the first slot of the first 20 rooms, 1,000 sessions
OTHERS = 99  # facilitators sharing the other 1,980 series, 20 each
TIMES = ((clock(9), clock(12)), (clock(13), clock(16)))  # slot k: weekday k // 2, TIMES[k % 2]
SESSIONS = VENUES * SLOTS * WEEKS
PAGE = 50  # sessions a page of "My bookings" lists


def database(folder: Path) -> tuple[Config, str, list[datetime]]:
    """The database, the facilitator's session secret (for the `roomhire_session` cookie) and
    when each of their booked or cancelled sessions starts."""
    config, ctx = sqlite_context(folder, "bookings.db")
    now = datetime.now(UTC)
    with ctx.new_uow() as uow:
        trust, me, made = venues(uow, VENUES, Role.FACILITATOR)
        uow.commit()
    assert me.id is not None
    others = [me.id + n for n in range(1, OTHERS + 1)]  # the only user so far is `me`
    users = [
        {
            "id": user_id,
            "email": f"facilitator{user_id}@example.org",
            "role": Role.FACILITATOR.value,
            "key_hash": f"{user_id:064d}",
            "active": True,
            "trust_id": trust.id,
        }
        for user_id in others
    ]
    today = now.astimezone(LONDON).date()
    monday = today - timedelta(days=today.weekday(), weeks=WEEKS // 2)
    series: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    mine: list[datetime] = []
    for r, bookable in enumerate(made):
        for k in range(SLOTS):
            series_id = len(series) + 1
            owner = me.id if k == 0 and r < MINE else others[len(series) % OTHERS]
            first, (start, end) = monday + timedelta(days=k // 2), TIMES[k % 2]
            series.append(
                {
                    "id": series_id,
                    "room_id": bookable.series.room_id,
                    "facilitator_id": owner,
                    "group_label": f"Group {series_id}",
                    "invoice_description": None,
                    "frequency": Frequency.WEEKLY.value,
                    "first_date": first,
                    "count": WEEKS,
                    "until": None,
                    "keep_count": True,
                    "start_time": start,
                    "end_time": end,
                    "created_at": now - timedelta(weeks=WEEKS),
                    "purchase_order_id": bookable.po.id,
                    "invoice_cadence": "monthly",
                    "trust_id": trust.id,
                    "skipped": [],
                }
            )
            for w in range(WEEKS):
                slot = london_slot(first + timedelta(weeks=w), start, end)
                status = SessionStatus.BOOKED  # one in ten cancelled, two in 50 cancelled late
                if w % 10 == 3:
                    status = SessionStatus.CANCELLED
                elif w % 25 == 7:
                    status = SessionStatus.LATE_CANCELLED
                booked = status is SessionStatus.BOOKED
                sessions.append(
                    {
                        "series_id": series_id,
                        "room_id": bookable.series.room_id,
                        "starts_at": slot.start,
                        "ends_at": slot.end,
                        "occupied_from": slot.start,
                        "occupied_until": slot.end,
                        "status": status.value,
                        "cancelled_at": None if booked else slot.start - timedelta(days=1),
                        "net_pence": 7500,
                        "vat_rate_bp": 0,
                        "vat_pence": 0,
                    }
                )
                if owner == me.id:
                    mine.append(slot.start)
    # Latest first: SQLite's overlap trigger looks for the room's sessions that begin before
    # the new one ends (an index range on occupied_from), and then finds none to check.
    # Earliest first it would check every earlier one: 23 s rather than 3 s.
    sessions.sort(key=lambda s: s["starts_at"], reverse=True)
    engine = create_engine(config.database_url)
    tables = Base.metadata.tables
    with engine.begin() as conn:
        conn.execute(delete(tables["booking_series"]))  # the helper's empty series, one a venue
        conn.execute(insert(tables["users"]), users)
        conn.execute(insert(tables["booking_series"]), series)
        conn.execute(insert(tables["sessions"]), sessions)
    engine.dispose()
    token = sign_in_link(ctx, me.email).rsplit("/", 1)[1]
    return config, sign_in_with_link(ctx, token, "127.0.0.1"), mine


def check_page(base: str, cookie: str, mine: list[datetime]) -> tuple[float, int]:
    """One signed-in GET /bookings (not a redirect to sign in) with a row for each of the first
    page of sessions to come (50); its time in ms and its size in bytes."""
    started = time.perf_counter()
    page = requests.get(
        f"{base}/bookings", headers={"Cookie": cookie}, timeout=60, allow_redirects=False
    )
    elapsed = (time.perf_counter() - started) * 1000
    assert page.status_code == 200, page.status_code
    rows = page.text.count(">When </span>")  # each row's heading for narrow screens
    to_come = sum(start > datetime.now(UTC) for start in mine)
    assert rows == min(PAGE, to_come), (rows, to_come)
    return elapsed, len(page.content)


def measure(seconds: int = 10, connections: int = 4) -> list[Figure]:
    require_wrk()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        config, secret, mine = database(folder)
        built = time.perf_counter() - started
        cookie = f"roomhire_session={secret}"
        with gunicorn(config, folder) as base:
            alone = [check_page(base, cookie, mine) for _ in range(10)]
            health = wrk(f"{base}/healthz", seconds, connections)
            bookings = wrk(f"{base}/bookings", seconds, connections, cookie)
            check_page(base, cookie, mine)  # still signed in: wrk counts a redirect as success
    to_come = sum(start > datetime.now(UTC) for start in mine)
    alone_ms = median(ms for ms, _ in alone)
    print(
        f"gunicorn 2 workers on 127.0.0.1, SQLite with {SESSIONS:,} sessions (built in "
        f"{built:.0f} s); the facilitator has {len(mine):,}, {to_come} to come; "
        f"wrk -t2 -c{connections} -d{seconds}s"
    )
    print(f"/bookings alone: median {alone_ms:.0f} ms, {alone[0][1] / 1000:,.0f} kB")
    print(summary("/healthz", health))
    print(summary("/bookings", bookings))
    return [
        Figure(NAME, "/bookings alone, median of 10", f"{alone_ms:.0f} ms"),
        *figures(NAME, "/healthz", health),
        *figures(NAME, "/bookings", bookings, p99_limit=50),
    ]


if __name__ == "__main__":
    http_load.main(measure)
