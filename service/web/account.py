"""A person's own account: who they are, their calendar subscription address, signing out."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from service.domain.users import User
from service.usecases.calendar_feeds import (
    has_calendar_address,
    new_calendar_address,
    stop_calendar_address,
)
from service.usecases.directory import get_trust
from service.web.pages import ctx, signed_in, staff_blueprint

blp = staff_blueprint("account", __name__)
NEW_ADDRESS = "new_calendar_address"  # shown once, on the page after it was made


@blp.get("/account")
@signed_in()
def show(user: User) -> str:
    trust = get_trust(ctx().new_reader(), user.trust_id) if user.trust_id else None
    return render_template(
        "staff/account.html",
        title="Your account",
        user=user,
        trust=trust,
        has_address=has_calendar_address(ctx(), ctx().new_reader(), user),
        new_address=session.pop(NEW_ADDRESS, None),
    )


@blp.post("/account/calendar")
@signed_in()
def new_address(user: User) -> Response:
    session[NEW_ADDRESS] = new_calendar_address(ctx(), ctx().new_uow(), user)
    return redirect(url_for("account.show", _anchor="calendar"))


@blp.post("/account/calendar/stop")
@signed_in()
def stop_address(user: User) -> Response:
    stop_calendar_address(ctx(), ctx().new_uow(), user)
    flash("Your calendar address has stopped working. Calendars subscribed to it no longer update.")
    return redirect(url_for("account.show"))
