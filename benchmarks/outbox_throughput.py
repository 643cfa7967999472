"""Messages per second through the outbox worker to a local SMTP server (aiosmtpd).

    .venv/bin/python -m benchmarks.outbox_throughput [INVOICES]

Each invoice is two emails (accounts payable and the venue's copy) carrying a real PDF.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

from adapters.email.smtp import SmtpMailer, SmtpSettings
from benchmarks.bookable import free_port, room_hire, sqlite_context, venues
from benchmarks.figures import Figure, table
from service.domain.users import Role
from service.usecases.delivery import queue_messages
from service.usecases.outbox_worker import deliver_due

NAME = "outbox throughput"


class Sink:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def measure(count: int = 500) -> list[Figure]:
    _, ctx = sqlite_context(Path(tempfile.mkdtemp()))
    now = datetime.now(UTC)
    with ctx.new_uow() as uow:
        trust, _, [made] = venues(uow, 1, Role.FACILITATOR)
        lines = tuple(room_hire(date(2026, 12, d)) for d in (1, 8, 15, 22))
        template = made.invoice(trust, "X", lines)
        pdf = ctx.renderer.render(template)  # one PDF for them all: delivery is measured
        for n in range(1, count + 1):
            invoice = uow.invoices.add(made.invoice(trust, f"CHAP{n:04d}", lines), [pdf], now)
            queue_messages(ctx, uow, invoice, "benchmark")
        uow.commit()

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    mailer = SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False))
    worker = dataclasses.replace(ctx, mailer=mailer)
    start = time.perf_counter()
    sent = 0
    while (run := deliver_due(worker, batch=100)).handled:
        sent += run.sent
    elapsed = time.perf_counter() - start
    controller.stop()
    size = f"PDF {len(pdf.content):,} bytes each"
    print(f"{sent} messages ({count} invoices, {size}) in {elapsed:.2f} s")
    rate = f"{sent / elapsed:.0f} messages/s"
    print(f"throughput: {rate} (one worker, SQLite, SMTP on 127.0.0.1)")
    return [Figure(NAME, "one worker, SQLite, SMTP on 127.0.0.1", rate)]


def main() -> None:
    print(table(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 500)))


if __name__ == "__main__":
    main()
