"""SMTP with STARTTLS and login (NHSmail style: port 587, an application account).

A worker's messages go down one connection: it is kept open between messages (one per
thread, so workers in threads never share one), reset after a refused message, and dropped
after any other failure. A kept connection the server has since closed is noticed before
DATA, when nothing has been handed over, and the message goes down a new one."""

from __future__ import annotations

import smtplib
import ssl
import threading
import weakref
from dataclasses import dataclass

from adapters.email.mime import mime, wire
from service.ports.delivery import Email, PermanentDeliveryError, TemporaryDeliveryError


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 30.0
    ca_file: str | None = None  # trust this CA too (a relay with a private certificate)


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._kept = threading.local()  # .connection: this thread's, while it is open

    def send(self, email: Email) -> str:
        """The server's reply to DATA, once it has accepted the message."""
        # built before any connection is used: a message that can't be built fails alone
        content = wire(mime(email, seven_bit=True))
        try:
            return self._send(email.sender, email.to, content)
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error) from exc
        except OSError as exc:  # refused, timed out, dropped (SMTPException is an OSError)
            raise TemporaryDeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def _send(self, sender: str, to: str, content: bytes) -> str:
        try:
            return _data(self._ready(sender, to), content)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421 or not self._reset():  # 421: the server is closing it
                self._drop()
            raise
        except BaseException:  # the connection is in an unknown state: never reuse it
            self._drop()
            raise

    def _ready(self, sender: str, to: str) -> smtplib.SMTP:
        """A connection whose server has accepted the envelope and waits for the content."""
        kept = self._connection()
        if kept is not None:
            try:
                _envelope(kept, sender, to)
                return kept
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code != 421:
                    raise
            except OSError:
                pass  # closed while it was kept: nothing was handed over, so open another
            self._drop()
        connection = self._kept.connection = _Connection(self._connect())
        _envelope(connection.smtp, sender, to)
        return connection.smtp

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=s.ca_file))
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.ehlo_or_helo_if_needed()
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _connection(self) -> smtplib.SMTP | None:
        kept: _Connection | None = getattr(self._kept, "connection", None)
        return kept.smtp if kept else None

    def _reset(self) -> bool:
        """RSET after a refusal, so the next message starts clean; False if that failed."""
        smtp = self._connection()
        try:
            return smtp is not None and smtp.rset()[0] == 250
        except OSError:
            return False

    def _drop(self) -> None:
        smtp, self._kept.connection = self._connection(), None
        if smtp is not None:
            smtp.close()


class _Connection:
    """Holds a thread's connection, and closes it when the thread or the mailer is gone."""

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp
        weakref.finalize(self, smtp.close)


def _envelope(smtp: smtplib.SMTP, sender: str, to: str) -> None:
    """MAIL, RCPT and DATA, each answered before the next is sent, or all three in one write
    when the server offers PIPELINING (RFC 2920). Raises the first refusal."""
    commands = (
        f"MAIL FROM:{smtplib.quoteaddr(sender)}",
        f"RCPT TO:{smtplib.quoteaddr(to)}",
        "DATA",
    )
    expected = ((250, 251), (250, 251), (354,))
    if any(c in command for command in commands for c in "\r\n"):
        raise ValueError("a line break in an address")  # as smtplib's putcmd refuses
    pipelined = smtp.has_extn("pipelining")
    if pipelined:
        smtp.send("".join(f"{command}\r\n" for command in commands))
    refusal: smtplib.SMTPResponseException | None = None
    for command, codes in zip(commands, expected, strict=True):
        if not pipelined:
            smtp.putcmd(command)
        code, reply = smtp.getreply()
        if code not in codes:
            refusal = refusal or smtplib.SMTPResponseException(code, reply)
            if not pipelined:
                break
    if refusal is not None:
        if code == 354:  # DATA went ahead after a refusal (it must not): end it unsent
            smtp.close()
        raise refusal


def _data(smtp: smtplib.SMTP, content: bytes) -> str:
    """The content, then the server's own acceptance reply, which is kept as proof."""
    try:
        ended = content if content.endswith(b"\r\n") else content + b"\r\n"
        smtp.send(_dot_stuffed(ended) + b".\r\n")
        code, reply = smtp.getreply()
    except OSError as exc:  # dropped or timed out mid-DATA: accepted or not, nobody knows
        raise TemporaryDeliveryError(
            f"{type(exc).__name__} during DATA: {exc}", maybe_delivered=True
        ) from exc
    if code != 250:
        raise smtplib.SMTPResponseException(code, reply)
    return f"{code} {reply.decode(errors='replace')}"


def _dot_stuffed(content: bytes) -> bytes:
    """A line that starts with a dot gets another (RFC 5321 4.5.2), as smtplib's regular
    expression does it, in a tenth of the time over a message with a PDF."""
    return (b"." if content.startswith(b".") else b"") + content.replace(b"\n.", b"\n..")


def _by_code(code: int, text: bytes | str) -> Exception:
    reply = text.decode(errors="replace") if isinstance(text, bytes) else text
    if 400 <= code < 500:
        return TemporaryDeliveryError(f"{code} {reply}")
    return PermanentDeliveryError(f"{code} {reply}")
