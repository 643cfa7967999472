"""Messages per second through the outbox worker to a local SMTP server (aiosmtpd).

    .venv/bin/python -m benchmarks.outbox_throughput [INVOICES]

Each invoice is two emails (accounts payable and the venue's copy) carrying a real PDF. The
workers run as `roomhire outbox run --once` does, each in its own process on the same SQLite
database: first one, then two at once. The server is in this process (aiosmtpd, offering
PIPELINING); its side-by-side is plain smtplib handing it the same message over and over on
one connection, about the most one worker could reach. The workers' CPU per message is
printed too: on a busy machine it is steadier than messages/s.
Targets (issue 20): >= 250 messages/s with one worker, >= 400 with two.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import smtplib
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from adapters.email.smtp import SmtpMailer, SmtpSettings
from benchmarks.bookable import TEMPLATES, free_port, room_hire, sqlite_context, venues
from benchmarks.figures import Figure, table
from service.app import context_for
from service.config import Config
from service.domain.users import Role
from service.usecases.delivery import queue_messages
from service.usecases.outbox_worker import run_worker

NAME = "outbox throughput"
TARGETS = {1: 250, 2: 400}  # messages/s, by workers
BATCH = 100


class Sink:
    """Takes every message; offers PIPELINING, as relays such as Postfix and Exchange do."""

    async def handle_EHLO(
        self, server: object, session: Any, envelope: object, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def _queue(folder: Path, count: int) -> tuple[str, bytes]:
    """A database with `count` invoices queued (two messages each); its URL and the PDF."""
    config, ctx = sqlite_context(folder)
    now = datetime.now(UTC)
    with ctx.new_uow() as uow:
        trust, _, [made] = venues(uow, 1, Role.FACILITATOR)
        lines = tuple(room_hire(date(2026, 12, d)) for d in (1, 8, 15, 22))
        pdf = ctx.renderer.render(made.invoice(trust, "X", lines))  # one PDF for them all
        for n in range(1, count + 1):
            invoice = uow.invoices.add(made.invoice(trust, f"CHAP{n:04d}", lines), [pdf], now)
            queue_messages(ctx, uow, invoice, "benchmark")
        uow.commit()
    ctx.close()
    return config.database_url, pdf.content


def _worker(url: str, folder: str, port: int, start: Any, done: Any) -> None:
    """One `roomhire outbox run --once`: ready, wait for the others, deliver until none is due."""
    ctx = context_for(Config(url, "bench", Path(folder), TEMPLATES))
    ctx = dataclasses.replace(
        ctx, mailer=SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False))
    )
    start.wait()
    cpu = time.process_time()
    run = run_worker(ctx, once=True, batch=BATCH)
    done.put((run.sent, run.handled, time.monotonic(), time.process_time() - cpu))
    ctx.close()


def _workers(url: str, folder: Path, port: int, workers: int) -> tuple[int, float, float]:
    """Messages sent, seconds taken and the workers' CPU seconds, `workers` worker processes
    started together."""
    spawn = multiprocessing.get_context("spawn")
    start, done = spawn.Barrier(workers + 1), spawn.Queue()
    processes = [
        spawn.Process(target=_worker, args=(url, str(folder), port, start, done))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    start.wait()
    began = time.monotonic()
    results = [done.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    assert all(sent == handled for sent, handled, *_ in results), results
    return (
        sum(r[0] for r in results),
        max(r[2] for r in results) - began,
        sum(r[3] for r in results),
    )


def _bare(port: int, message: bytes, count: int) -> float:
    """Messages/s of plain smtplib sending one prepared message on one connection."""
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        began = time.perf_counter()
        for _ in range(count):
            smtp.sendmail("invoices@roomhire.invalid", ["ap@example.nhs.uk"], message)
        return count / (time.perf_counter() - began)


def _message(pdf: bytes) -> bytes:
    message = EmailMessage()
    message["Subject"] = "Invoice CHAP0001"
    message.set_content("Please find attached invoice CHAP0001.")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="CHAP0001.pdf")
    return message.as_bytes(policy=SMTP)


def measure(count: int = 500) -> list[Figure]:
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    figures = []
    try:
        for workers in (1, 2):
            folder = Path(tempfile.mkdtemp())
            url, pdf = _queue(folder, count)
            server_cpu = time.process_time()  # this process: the server's thread
            sent, elapsed, cpu = _workers(url, folder, port, workers)
            server_cpu = time.process_time() - server_cpu
            rate = sent / elapsed
            measure = f"{workers} worker{'s' * (workers > 1)}, SQLite, SMTP on 127.0.0.1"
            print(f"{measure}: {sent} messages ({count} invoices, PDF {len(pdf):,} bytes each)")
            print(f"  in {elapsed:.2f} s: {rate:.0f} messages/s", end="; ")
            print(f"CPU a message: the workers' {cpu / sent * 1000:.2f} ms", end=", ")
            print(f"the server's {server_cpu / sent * 1000:.2f} ms")
            figures.append(
                Figure(
                    NAME,
                    measure,
                    f"{rate:.0f} messages/s",
                    f">= {TARGETS[workers]} messages/s",
                    rate >= TARGETS[workers],
                )
            )
        bare = _bare(port, _message(pdf), 2 * count)
        print(f"bare smtplib, one connection, the same message each time: {bare:.0f} messages/s")
        figures.append(Figure(NAME, "side by side: bare smtplib", f"{bare:.0f} messages/s"))
    finally:
        controller.stop()
    return figures


def main() -> None:
    print(table(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 500)))


if __name__ == "__main__":
    main()
