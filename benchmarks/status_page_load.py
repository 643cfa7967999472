"""Load on a venue's status page with a real HTTP load generator (wrk) against gunicorn on
127.0.0.1 (2 workers), beside /healthz in the same run: the two in turn, in short windows,
the share taken window by window (the machine's speed may swing between windows). The venue
has 200 invoices in a SQLite database holding 50,000.

    apt-get install wrk
    .venv/bin/python -m benchmarks.status_page_load [SECONDS] [CONNECTIONS]

Target (issue 20): p99 <= 15 ms and at least 70% of /healthz's requests/s.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, insert

from adapters.db.tables import Base
from benchmarks import http_load
from benchmarks.bookable import sqlite_context, venues
from benchmarks.figures import Figure
from benchmarks.http_load import alternated, figures, gunicorn, require_wrk, summary
from service.config import Config
from service.domain.users import Role, User
from service.usecases.status_links import create_link

NAME = "status page load"
VENUES, PER_VENUE = 250, 200  # 50,000 invoices; the first venue is the one we look at
STATUSES = ["received", "approved", "on_hold", "paid", "part_paid"]


def database(folder: Path) -> tuple[Config, str]:
    config, ctx = sqlite_context(folder, "load.db")
    now = datetime.now(UTC)
    with ctx.new_uow() as uow:
        _, _, made = venues(uow, VENUES, Role.FACILITATOR)
        uow.commit()
    venue_ids = [m.venue.id or 0 for m in made]
    series_ids = [m.series.id or 0 for m in made]
    po_ids = [m.po.id or 0 for m in made]
    engine = create_engine(config.database_url)
    tables = Base.metadata.tables
    invoices, lines, states, events = [], [], [], []
    party = {"name": "V", "address": "1 Row", "email": "v@example.org", "vat_number": None}
    invoice_id = 0
    for v, venue_id in enumerate(venue_ids):
        for n in range(1, PER_VENUE + 1):
            invoice_id += 1
            day = date(2026, 1 + n % 12, 1 + n % 28)
            invoices.append(
                {
                    "id": invoice_id,
                    "kind": "invoice",
                    "number": f"V{v:03d}{n:05d}",
                    "venue_id": venue_id,
                    "trust_id": 1,
                    "purchase_order_id": po_ids[v],
                    "po_number": f"RZZPO{v:07d}",
                    "booking_id": series_ids[v],
                    "issue_date": day,
                    "tax_point": day,
                    "due_date": day,
                    "supplier": party,
                    "customer": party,
                    "credits_invoice": None,
                    "gross_pence": 7500,
                    "created_at": now,
                }
            )
            lines.append(
                {
                    "invoice_id": invoice_id,
                    "position": 0,
                    "description": "Room hire",
                    "day": day,
                    "start": datetime(2026, 1, 1, 13).time(),
                    "end": datetime(2026, 1, 1, 16).time(),
                    "room": "Hall",
                    "minutes": 180,
                    "net_pence": 7500,
                    "vat_rate_bp": 0,
                    "vat_pence": 0,
                }
            )
            events.append({"invoice_id": invoice_id, "status": "sent", "at": now, "paid_pence": 0})
            status = STATUSES[n % len(STATUSES)]
            states.append(
                {
                    "invoice_id": invoice_id,
                    "status": status,
                    "holds": ["QTY REC"] if status == "on_hold" else [],
                    "export_amount_pence": 7500,
                    "export_po_number": f"RZZPO{v:07d}",
                    "paid_pence": {"paid": 7500, "part_paid": 2500}.get(status, 0),
                    "payments": 1 if status in ("paid", "part_paid") else 0,
                    "payment_date": day if status in ("paid", "part_paid") else None,
                    "payment_number": f"77{invoice_id:05d}" if status == "paid" else None,
                    "fallback": False,
                    "confirmed": False,
                    "received_on": day,
                    "last_import_id": None,
                }
            )
    with engine.begin() as conn:
        conn.execute(insert(tables["invoices"]), invoices)
        conn.execute(insert(tables["invoice_lines"]), lines)
        conn.execute(insert(tables["invoice_status_events"]), events)
        conn.execute(insert(tables["invoice_states"]), states)
    engine.dispose()
    admin = User("cli", Role.ADMIN, "")
    new = create_link(ctx, ctx.new_uow(), admin, venue_ids[0])
    return config, new.token


def measure(seconds: int = 10, connections: int = 4) -> list[Figure]:
    require_wrk()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        config, token = database(folder)
        with gunicorn(config, folder) as base:
            page = requests.get(f"{base}/status/{token}", timeout=10)
            assert page.status_code == 200 and page.text.count('class="invoice"') == PER_VENUE
            data = json.loads(requests.get(f"{base}/status/{token}.json", timeout=10).text)
            assert len(data["invoices"]) == PER_VENUE
            urls = (f"{base}/healthz", f"{base}/status/{token}")
            health, status, shares = alternated(urls, seconds, connections)
    share = statistics.median(shares)
    print(
        f"gunicorn 2 workers on 127.0.0.1, SQLite with {VENUES * PER_VENUE:,} invoices; "
        f"wrk -t2 -c{connections}, /healthz and the page in turn, {len(shares)} windows of "
        f"{seconds // len(shares) or 1}s each (median and p99: the median window's)"
    )
    print(summary("/healthz", health))
    print(summary("/status/<token>", status))
    each = ", ".join(f"{s:.0%}" for s in shares)
    print(f"share of /healthz's requests/s, window by window: {each}")
    return [
        *figures(NAME, "/healthz", health),
        *figures(NAME, "/status/<token>", status, p99_limit=15),
        Figure(
            NAME,
            "/status/<token> requests/s vs /healthz (median window)",
            f"{share:.0%}",
            ">= 70%",
            share >= 0.7,
        ),
    ]


if __name__ == "__main__":
    http_load.main(measure)
