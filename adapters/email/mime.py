"""An Email as an RFC 5322 message, with its attachments (an invoice's PDF, a calendar
invitation) when it has them."""

from __future__ import annotations

import random
import sys
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.policy import Policy, default
from email.utils import formataddr, formatdate
from functools import lru_cache
from typing import Any

from service.ports.delivery import Email, PermanentDeliveryError


class _FoldedOnce(BaseHeader):
    """A header that keeps its folded text for the policy it was last folded for: headers
    are shared between emails (see _Headers), and folding one is most of writing it."""

    _folded: tuple[Policy, str]

    def fold(self, *, policy: Policy) -> str:
        folded = self.__dict__.get("_folded")
        if folded is None or folded[0] is not policy:
            folded = self._folded = (policy, super().fold(policy=policy))
        return folded[1]


class _Headers(HeaderRegistry):
    """The standard header classes, each made once (the registry makes a new class for every
    header it stores), and each header parsed once: a header is an immutable string, and most
    of an email's (its sender, its parts' types, the subject both copies of an invoice share)
    are the same from one email to the next. Parsing was a third of building an email."""

    def __init__(self) -> None:
        super().__init__(base_class=_FoldedOnce)
        self._made: dict[str, type[BaseHeader]] = {}
        self._parsed = lru_cache(maxsize=256)(super().__call__)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(key)
        return self._made[key]

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if type(value) is str:  # not a list of addresses, say, which can't be a key
            return self._parsed(name, value)
        return super().__call__(name, value)


POLICY = default.clone(header_factory=_Headers())
SMTP_WIRE = POLICY.clone(linesep="\r\n", cte_type="7bit")  # as smtplib's data() sent a str


def mime(email: Email, *, seven_bit: bool = False) -> EmailMessage:
    """Raises PermanentDeliveryError for a message that can't be an email (a line break in a
    header, say): sending it again would fail the same way. `seven_bit` (for `wire`): text
    that isn't ASCII is base64 from the start, rather than 8-bit that the generator copies
    and encodes again as it writes (the same bytes, in about half the time)."""
    try:
        return _message(email, "base64" if seven_bit else None)
    except (ValueError, TypeError) as exc:
        raise PermanentDeliveryError(f"the email could not be built: {exc}") from exc


def wire(message: MIMEPart) -> bytes:
    """`message.as_bytes(policy=SMTP_WIRE)` for a message `mime(…, seven_bit=True)` made,
    the same bytes apart from its random boundaries (tests/integration/test_mime.py), in a fraction
    of the time: the generator writes a body line by line, and for each boundary compiles a
    regular expression to look for it and parses the Content-Type header again. Every
    payload here is 7-bit text whose lines end in LF alone (the content manager splits and
    joins them), so a part is its folded headers, a blank line and its payload with CRLF line
    ends; no preamble, no epilogue."""
    if not message.is_multipart():
        payload = message.get_payload()
        assert isinstance(payload, str)
        return _headers(message) + b"\r\n" + payload.replace("\n", "\r\n").encode("ascii")
    parts = [wire(part) for part in message.iter_parts()]
    digits = _digits(parts)
    dashes = b"--" + _BOUNDARY % digits
    return b"".join(
        (
            _headers(message, digits),
            b"\r\n" + dashes + b"\r\n",
            (b"\r\n" + dashes + b"\r\n").join(parts),
            b"\r\n" + dashes + b"--\r\n",
        )
    )


_BOUNDARY = b"===============%s=="  # the generator's: its digits are a random 19-digit number


def _digits(parts: list[bytes]) -> bytes:
    """A boundary's random digits, drawn as the generator draws them, again if the boundary
    is in a part (the generator looks for it alone on a line: never, in practice)."""
    while True:
        digits = b"%019d" % random.randrange(sys.maxsize)  # noqa: S311 — not a secret
        if not any(_BOUNDARY % digits in part for part in parts):
            return digits


def _headers(message: MIMEPart, boundary_digits: bytes | None = None) -> bytes:
    return b"".join(
        boundary_digits.join(_with_boundary(name, str(value)))
        if boundary_digits is not None and name.lower() == "content-type"
        else SMTP_WIRE.fold_binary(name, value)
        for name, value in message.raw_items()
    )


@lru_cache(maxsize=8)
def _with_boundary(name: str, content_type: str) -> tuple[bytes, bytes]:
    """A multipart's Content-Type header with a boundary, folded as the generator folds it,
    split where the boundary's digits go: every boundary is as long and made of the same
    kinds of characters, so it is folded at the same places whatever its digits."""
    placeholder = b"0" * 19
    value = f'{content_type}; boundary="{(_BOUNDARY % placeholder).decode()}"'
    before, after = SMTP_WIRE.fold_binary(name, value).split(placeholder)
    return before, after


def _message(email: Email, non_ascii: str | None) -> EmailMessage:
    message = EmailMessage(POLICY)
    message["From"] = formataddr((email.sender_name, email.sender))
    message["To"] = email.to
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message.set_content(email.text, cte=None if email.text.isascii() else non_ascii)
    if email.html is not None:
        html = email.html
        message.add_alternative(html, subtype="html", cte=None if html.isascii() else non_ascii)
    for attached in email.attachments:
        kind, *parameters = (part.strip() for part in attached.media_type.split(";"))
        maintype, subtype = kind.split("/", 1)
        message.add_attachment(
            attached.content,
            maintype=maintype,
            subtype=subtype,
            filename=attached.filename,
            params=dict(p.split("=", 1) for p in parameters),  # text/calendar; method=REQUEST
        )
    return message
