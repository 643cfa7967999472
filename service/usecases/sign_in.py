"""Staff sign in to the pages: by a one-time link emailed through the outbox (the embedded
default), or through their organisation's identity provider. Either way the person must have
an active Roomhire account, and their role comes from Roomhire."""

from __future__ import annotations

from typing import Protocol

from service.domain.audit import AuditEvent
from service.domain.delivery import OutboxMessage, Recipient, message_id
from service.domain.errors import NotFound, Unauthenticated
from service.domain.secret_tokens import new_token, token_hash
from service.domain.staff_sessions import LINK_LIFETIME, SignInLink, StaffSession
from service.domain.users import User
from service.ports.unit_of_work import (
    WithAudit,
    WithSignInLinks,
    WithStaffSessions,
)
from service.usecases.context import Context
from service.usecases.secret_links import failed_lookup, refuse_if_limited, window_start


class SignInStores(WithAudit, WithSignInLinks, WithStaffSessions, Protocol):
    """The stores the sign in use cases use: nothing else is in reach."""


LINKS_PER_ADDRESS = 5  # emailed links per address and rate-limit window


class SignInNotAllowed(Unauthenticated):
    """No active account has the email the identity provider vouched for."""

    code = "sign_in_not_allowed"


def email_sign_in_link(ctx: Context, email: str) -> None:
    """Queue a link for an active account with that email. Whether or not there is one, the
    caller says the same thing, so the answer tells nobody who has an account."""
    now = ctx.clock.now()
    email = email.strip().lower()
    window, limit = window_start(now), f"sign-in link {email}"[:100]
    with ctx.new_uow() as uow:
        user = uow.users.by_email(email)
        if (
            user is None
            or not user.active
            or uow.rate_limits.count(limit, window) >= LINKS_PER_ADDRESS
        ):
            return
        uow.rate_limits.hit(limit, window)
        link = _new_link(uow, user, ctx)
        assert link.id is not None
        uow.outbox.add(
            OutboxMessage(
                invoice_id=None,
                recipient=Recipient.SIGN_IN_LINK,
                to=user.email,
                subject=ctx.emails.subject("sign_in_link"),
                message_id=message_id(0, f"sign-in-{link.id}", Recipient.SIGN_IN_LINK),
                documents_sha256="",
                created_at=now,
                sign_in_link_id=link.id,
            )
        )
        uow.commit()


def sign_in_link(ctx: Context, email: str) -> str:
    """For an operator at the server (how the first admin gets in): a link printed, not sent."""
    token = new_token()
    with ctx.new_uow() as uow:
        user = uow.users.by_email(email.strip().lower())
        if user is None or not user.active:
            raise NotFound(f"There is no active account with the email {email}.")
        link = _new_link(uow, user, ctx)
        link.token_hash = token_hash(token)
        uow.sign_in_links.save(link)
        uow.commit()
    return link_url(ctx, token)


def link_url(ctx: Context, token: str) -> str:
    return f"{ctx.public_url}/sign-in/{token}"


def _new_link(uow: SignInStores, user: User, ctx: Context) -> SignInLink:
    now = ctx.clock.now()
    assert user.id is not None
    link = uow.sign_in_links.add(SignInLink(user.id, now, now + LINK_LIFETIME))
    uow.audit.record(AuditEvent(now, "sign-in", "link_made", "user", user.id))
    return link


def check_link(ctx: Context, token: str, client: str) -> None:
    """Opening the link shows a button; only the button signs in (mail scanners open links).
    Raises LinkNotFound for an unknown, used or expired link (and counts the failure)."""
    now = ctx.clock.now()
    with ctx.new_reader() as reader:
        refuse_if_limited(reader, client, now)
        link = reader.sign_in_links.by_hash(token_hash(token))
    if link is None or not link.opens_with(token, now):
        failed_lookup(ctx, client, now)


def sign_in_with_link(ctx: Context, token: str, client: str) -> str:
    """Use the link (once) and start a session; returns the session's secret for the cookie."""
    now = ctx.clock.now()
    secret = None
    with ctx.new_uow() as uow:
        refuse_if_limited(uow, client, now)
        link = uow.sign_in_links.by_hash(token_hash(token))
        user = uow.users.get(link.user_id) if link else None
        if (
            link
            and user
            and user.active
            and link.opens_with(token, now)
            and uow.sign_in_links.use(link.id or 0, now)  # once, even when racing
        ):
            secret = _start_session(ctx, uow, user, "link")
            uow.commit()
    if secret is None:
        failed_lookup(ctx, client, now)
    return secret


def sign_in_with_identity(ctx: Context, email: str) -> str:
    """The identity provider has vouched for `email`: start a session for its active account."""
    with ctx.new_uow() as uow:
        user = uow.users.by_email(email.strip().lower())
        if user is None or not user.active:
            raise SignInNotAllowed(f"No active Roomhire account has the email {email}.")
        secret = _start_session(ctx, uow, user, "identity provider")
        uow.commit()
    return secret


def _start_session(ctx: Context, uow: SignInStores, user: User, how: str) -> str:
    now, secret = ctx.clock.now(), new_token()
    assert user.id is not None
    session = uow.staff_sessions.add(StaffSession(user.id, token_hash(secret), now, now))
    uow.audit.record(
        AuditEvent(now, user.label, "signed_in", "staff_session", session.id or 0, {"by": how})
    )
    return secret


def signed_in_user(ctx: Context, secret: str) -> User | None:
    """The person behind a session cookie, while the session is live and their account
    active; None otherwise. Notes that they are still here at most once a minute."""
    now = ctx.clock.now()
    with ctx.new_reader() as reader:
        session = reader.staff_sessions.by_hash(token_hash(secret))
        user = reader.users.get(session.user_id) if session else None
    if session is None or user is None or not user.active or not session.live(now):
        return None
    if session.stale(now):
        with ctx.new_uow() as uow:
            still_live = uow.staff_sessions.touch(session.id or 0, now)
            uow.commit()
        if not still_live:  # ended between our read and our write
            return None
    return user


def sign_out(ctx: Context, secret: str) -> None:
    now = ctx.clock.now()
    with ctx.new_uow() as uow:
        session = uow.staff_sessions.by_hash(token_hash(secret))
        if session is None or session.ended_at is not None:
            return
        session.ended_at = now
        uow.staff_sessions.save(session)
        uow.audit.record(
            AuditEvent(
                now, f"user {session.user_id}", "signed_out", "staff_session", session.id or 0
            )
        )
        uow.commit()
