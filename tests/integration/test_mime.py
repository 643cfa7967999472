"""The bytes the SMTP mailer sends are the email package's own: `wire(mime(…))` against
`as_bytes` of the same email built and written by the standard library alone (its stock
policy, no header shared or folded once), for ASCII and non-ASCII names, subjects and text,
long headers that fold, an HTML alternative, PDF and calendar attachments. Only the random
boundaries may differ, so they are numbered in order of appearance before comparing. Dots
are doubled as smtplib doubles them."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from email.policy import default

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.email import mime as mime_module
from adapters.email.mime import mime, wire
from adapters.email.smtp import _dot_stuffed
from service.ports.delivery import Attachment, Email

STOCK_WIRE = default.clone(linesep="\r\n", cte_type="7bit")
DATE = "Mon, 04 Jan 2027 09:00:00 +0000"

words = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=120)
text = st.text(st.characters(codec="utf-8"), max_size=400)
ascii_text = st.text(st.characters(codec="ascii"), max_size=400)
names = st.one_of(st.just("Venue 0 CIC via Roomhire"), words)
addresses = st.one_of(st.just("ap@example.nhs.uk"), st.emails())
ids = st.from_regex(
    r"<CHAP[0-9]{4}\.[0-9a-f]{20}\.(ap|venue_copy)@roomhire\.invalid>", fullmatch=True
)
attachments = st.builds(
    Attachment,
    st.one_of(st.just("CHAP0001.pdf"), st.just("invitation.ics"), words.filter(bool)),
    st.sampled_from(
        ["application/pdf", "text/calendar; method=REQUEST", "text/calendar; method=CANCEL"]
    ),
    st.binary(max_size=3000),
)
emails = st.builds(
    Email,
    sender=st.just("invoices@roomhire.invalid"),
    to=addresses,
    subject=st.one_of(words, st.text(st.characters(codec="ascii", exclude_characters="\r\n"))),
    message_id=ids,
    text=st.one_of(text, ascii_text),
    attachments=st.lists(attachments, max_size=3).map(tuple),
    sender_name=st.one_of(st.none(), names),
    reply_to=st.one_of(st.none(), addresses),
    html=st.one_of(st.none(), text, ascii_text),
)
INVOICE = Email(
    "invoices@roomhire.invalid",
    "ap@example.nhs.uk",
    "Invoice CHAP0001 - PO RZZPO0000000 - Venue 0 CIC",
    "<CHAP0001.0cb04eab3a723c8a6848.ap@roomhire.invalid>",
    "Please find attached invoice CHAP0001 from Venue 0 CIC: £300.00.\n",
    (Attachment("CHAP0001.pdf", "application/pdf", bytes(range(256)) * 40),),
    "Venue 0 CIC via Roomhire",
    "v@example.org",
    "<p>Please find attached invoice <strong>CHAP0001</strong>: £300.00.</p>\n" * 3,
)
LONG = Email(
    "invoices@roomhire.invalid",
    "v@example.org",
    "Sesión cancelada: Grupo de los martes — Salón de actos, Centro comunitario " * 2,
    "<CHAP0002.0cb04eab3a723c8a6848.venue_copy@roomhire.invalid>",
    "A line longer than seventy-eight characters, which is neither 7-bit nor short. " * 3,
    (Attachment("invitation.ics", "text/calendar; method=CANCEL", b"BEGIN:VCALENDAR\r\n"),),
    "Salle des fêtes « Le Grand Café » d'Arrondissement via Roomhire",
    None,
    None,
)


def numbered_boundaries(message: bytes) -> bytes:
    found: dict[bytes, bytes] = {}
    return re.sub(
        rb"={15}\d{19}==(\.\d+)?",
        lambda m: found.setdefault(m.group(), b"BOUNDARY-%d" % len(found)),
        message,
    )


def outcome(write: Callable[[], bytes]) -> bytes | str:
    """The bytes written, or the kind of error it failed with."""
    try:
        return numbered_boundaries(write())
    except Exception as exc:
        return type(exc).__name__


@pytest.fixture
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mime_module, "formatdate", lambda **_: DATE)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(emails)
@example(INVOICE)
@example(LONG)
def test_wire_is_what_the_email_package_writes(fixed_date: None, email: Email) -> None:
    """And the .eml files the folder mailer writes, from the same shared headers, are what
    the email package writes with its own."""
    sent = outcome(lambda: wire(mime(email, seven_bit=True)))
    filed = outcome(lambda: mime(email).as_bytes())
    with pytest.MonkeyPatch.context() as stock:
        stock.setattr(mime_module, "POLICY", default)
        assert sent == outcome(lambda: mime(email, seven_bit=True).as_bytes(policy=STOCK_WIRE))
        assert filed == outcome(lambda: mime(email).as_bytes())


@pytest.mark.parametrize("email", [INVOICE, LONG])
def test_an_email_written_twice_is_the_same_but_for_its_boundaries(
    fixed_date: None, email: Email
) -> None:
    """Headers are shared between emails and folded once: the second copy, from the cache,
    is the first."""
    first, second = (wire(mime(email, seven_bit=True)) for _ in range(2))
    assert first != second  # new boundaries
    assert numbered_boundaries(first) == numbered_boundaries(second)


@given(st.lists(st.sampled_from([b".", b"..", b"\r\n", b"\n", b"\r", b"x", b".x"])).map(b"".join))
def test_dots_are_doubled_as_smtplib_doubles_them(content: bytes) -> None:
    assert _dot_stuffed(content) == smtplib._quote_periods(content)  # type: ignore[attr-defined]
