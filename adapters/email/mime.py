"""An Email as an RFC 5322 message, with its attachments (an invoice's PDF, a calendar
invitation) when it has them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate

from service.ports.delivery import Email, PermanentDeliveryError


def mime(email: Email) -> EmailMessage:
    """Raises PermanentDeliveryError for a message that can't be an email (a line break in a
    header, say): sending it again would fail the same way."""
    try:
        return _message(email)
    except (ValueError, TypeError) as exc:
        raise PermanentDeliveryError(f"the email could not be built: {exc}") from exc


def _message(email: Email) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((email.sender_name, email.sender))
    message["To"] = email.to
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
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
