"""SMTP with STARTTLS and login (NHSmail style: port 587, an application account)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass

from adapters.email.mime import mime
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

    def send(self, email: Email) -> str:
        """The server's reply to DATA, once it has accepted the message."""
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=s.ca_file))
                if s.username:
                    smtp.login(s.username, s.password or "")
                return _transmit(smtp, email)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _by_code(code, text) from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:  # refused, timed out, dropped
            raise TemporaryDeliveryError(f"{type(exc).__name__}: {exc}") from exc


def _transmit(smtp: smtplib.SMTP, email: Email) -> str:
    """MAIL, RCPT and DATA one by one, so the server's own acceptance reply is kept."""
    smtp.ehlo_or_helo_if_needed()
    for code, reply in (smtp.mail(email.sender), smtp.rcpt(email.to)):
        if code not in (250, 251):
            raise smtplib.SMTPResponseException(code, reply)
    try:
        code, reply = smtp.data(mime(email).as_string())
    except smtplib.SMTPResponseException:
        raise  # a definite answer (4xx/5xx): handled by the caller
    except OSError as exc:  # dropped or timed out mid-DATA: accepted or not, nobody knows
        raise TemporaryDeliveryError(
            f"{type(exc).__name__} during DATA: {exc}", maybe_delivered=True
        ) from exc
    if code != 250:
        raise smtplib.SMTPResponseException(code, reply)
    return f"{code} {reply.decode(errors='replace')}"


def _by_code(code: int, text: bytes | str) -> Exception:
    reply = text.decode(errors="replace") if isinstance(text, bytes) else text
    if 400 <= code < 500:
        return TemporaryDeliveryError(f"{code} {reply}")
    return PermanentDeliveryError(f"{code} {reply}")
