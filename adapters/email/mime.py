"""An Email as an RFC 5322 message, with its PDF attached when it has one."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate

from service.ports import Email


def mime(email: Email) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((email.sender_name, email.sender))
    message["To"] = email.to
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message.set_content(email.text)
    if email.attachment is not None:
        message.add_attachment(
            email.attachment, maintype="application", subtype="pdf", filename=email.attachment_name
        )
    return message
