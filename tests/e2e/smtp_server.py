"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the delivery tests, with injectable faults."""

from __future__ import annotations

import asyncio
import email
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default
from typing import Any, TypeVar

from aiosmtpd.controller import Controller

from tests.e2e.live import free_port


class Inbox:
    """An SMTP server's handler: keeps what it accepts (and on which connection), answers the
    faults it is given; offers PIPELINING if asked, and can drop a connection once it has
    carried `drop_after` messages (as servers that limit messages per connection do)."""

    def __init__(self, *, pipelining: bool = False, drop_after: int | None = None) -> None:
        self.received: list[EmailMessage] = []
        self.data_faults: list[str] = []
        self.unknown: set[str] = set()
        self.pipelining, self.drop_after = pipelining, drop_after
        self.connections: Counter[Any] = Counter()  # messages accepted, by client address

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]] if self.pipelining else responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if self.drop_after is not None and self.connections[session.peer] >= self.drop_after:
            server.transport.close()  # no answer: the line just goes
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_faults:
            return self.data_faults.pop(0)
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        self.connections[session.peer] += 1
        return f"250 2.0.0 queued as Q{len(self.received)}"

    @property
    def message_ids(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]).strip() for m in self.received)


class FaultyInbox(Inbox):
    """Seeded faults on DATA: a 4xx refusal, or the message kept and then the line dropped
    (or the reply sent too late) so the client cannot know it was accepted."""

    def __init__(self, seed: int, *, refuse: float, drop: float, slow: float, delay: float) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.refuse, self.drop, self.slow, self.delay = refuse, drop, slow, delay
        self.faults: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        roll = self.rng.random()
        if roll < self.refuse:
            self.faults["refused"] += 1
            return self.rng.choice(["451 4.3.0 try again later", "421 4.7.0 too busy"])
        reply = await super().handle_DATA(server, session, envelope)
        if roll < self.refuse + self.drop:
            self.faults["dropped after accepting"] += 1
            server.transport.close()
        elif roll < self.refuse + self.drop + self.slow:
            self.faults["replied too late"] += 1
            await asyncio.sleep(self.delay)
        return reply


H = TypeVar("H", bound=Inbox)


@contextmanager
def smtp_server(handler: H) -> Iterator[tuple[H, int]]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
