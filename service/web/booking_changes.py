"""A facilitator changes a booking (name, invoice wording, cadence, people expected) and moves
one of its sessions, from the booking's page: the same use cases and checks as the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service.domain.bookings import BookingChanges, InvoiceCadence, Session, SessionStatus
from service.domain.directory import MAX_CAPACITY
from service.domain.errors import DomainError, NotFound
from service.domain.money import format_pounds
from service.domain.timeslots import LONDON, when
from service.domain.users import Role, User
from service.usecases import booking
from service.usecases.booking import BookingDetails
from service.usecases.directory import rooms_of
from service.web.forms import FormErrors, date_items, read_date, read_time, read_whole
from service.web.pages import ctx, signed_in, staff_blueprint

blp = staff_blueprint("booking_changes", __name__)
facilitator = signed_in(Role.FACILITATOR)
BOOKING = "/bookings/<int(max=2147483647):booking_id>"
SESSION = "<int(max=2147483647):session_id>"
CADENCE_WORDS = {
    InvoiceCadence.MONTHLY: "Monthly, for the month's sessions",
    InvoiceCadence.PER_SESSION: "After each session",
    InvoiceCadence.END_OF_SERIES: "Once, after the last session",
}


@blp.route(f"{BOOKING}/edit", methods=["GET", "POST"])
@facilitator
def edit(user: User, booking_id: int) -> Response | tuple[str, int]:
    details = booking.booking_details(ctx(), ctx().new_reader(), user, booking_id)
    if request.method == "GET":
        s = details.series
        form = {
            "group_label": s.group_label,
            "expected_people": str(s.expected_people or ""),
            "invoice_description": s.invoice_description or "",
            "invoice_cadence": s.invoice_cadence.value,
        }
        return _edit_page(details, form, FormErrors(), 200)
    form = request.form.to_dict()
    errors = FormErrors()
    changes = _changes(form, errors)
    if changes:
        try:
            booking.change_booking(ctx(), ctx().new_uow(), user, booking_id, changes)
        except DomainError as refusal:
            errors.refusal(refusal, "group_label")
    if errors or changes is None:
        return _edit_page(details, form, errors, 400)
    flash("Your booking's details are changed.")
    return redirect(url_for("facilitator.booking_page", booking_id=booking_id))


def _changes(form: Mapping[str, str], errors: FormErrors) -> BookingChanges | None:
    label = form.get("group_label", "").strip()
    if not label:
        errors.add("group_label", "Enter a name for the group")
    elif len(label) > 120:
        errors.add("group_label", "The group's name must be 120 characters or fewer")
    people = read_whole(
        form, "expected_people", errors, "The number of people", least=1, most=MAX_CAPACITY
    )
    if people is None and not errors.on("expected_people"):
        errors.add("expected_people", "Enter how many people you expect")
    description = form.get("invoice_description", "").strip()
    if len(description) > 120:
        errors.add("invoice_description", "The invoice wording must be 120 characters or fewer")
    cadence = form.get("invoice_cadence", "")
    if cadence not in set(InvoiceCadence):
        errors.add("invoice_cadence", "Select how often the venue invoices")
    if errors:
        return None
    return BookingChanges(
        frozenset({"group_label", "expected_people", "invoice_description", "invoice_cadence"}),
        group_label=label,
        expected_people=people,
        invoice_description=description or None,
        invoice_cadence=InvoiceCadence(cadence),
    )


def _edit_page(
    details: BookingDetails, form: Mapping[str, str], errors: FormErrors, status: int
) -> tuple[str, int]:
    cadences = [
        {"value": c.value, "text": words, "checked": form.get("invoice_cadence") == c.value}
        for c, words in CADENCE_WORDS.items()
    ]
    page = render_template(
        "staff/booking_edit.html",
        title="Change the booking",
        details=details,
        form=form,
        errors=errors,
        cadences=cadences,
    )
    return page, status


@blp.route(f"{BOOKING}/sessions/{SESSION}/move", methods=["GET", "POST"])
@facilitator
def move(user: User, booking_id: int, session_id: int) -> Response | tuple[str, int]:
    details = booking.booking_details(ctx(), ctx().new_reader(), user, booking_id)
    session = _movable(details, session_id)
    if request.method == "GET":
        start, end = (t.astimezone(LONDON) for t in (session.slot.start, session.slot.end))
        form = {
            "day[day]": str(start.day),
            "day[month]": str(start.month),
            "day[year]": str(start.year),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "room": str(session.room_id),
        }
        return _move_page(user, details, session, form, FormErrors(), 200)
    form = request.form.to_dict()
    errors = FormErrors()
    day = read_date(form, "day", errors, "the new date")
    start_time = read_time(form, "start", errors, "the start time")
    end_time = read_time(form, "end", errors, "the end time")
    room = form.get("room", "")
    if not room.isdigit():
        errors.add("room", "Select a room")
    if not errors and day and start_time and end_time:
        wanted = booking.Move(day, start_time, end_time, int(room))
        try:
            moved = booking.move_session(ctx(), ctx().new_uow(), user, session_id, wanted)
        except DomainError as refusal:
            errors.refusal(refusal, "day")
        else:
            flash(_moved_message(moved))
            return redirect(url_for("facilitator.booking_page", booking_id=booking_id))
    return _move_page(user, details, session, form, errors, 400)


def _movable(details: BookingDetails, session_id: int) -> Session:
    """One of the booking's sessions still to come and booked, or the page isn't found."""
    for session in details.series.sessions:
        if session.id == session_id:
            if session.status is SessionStatus.BOOKED and session.slot.start > ctx().clock.now():
                return session
            break
    raise NotFound(f"There is no session {session_id} to move in this booking.")


def _move_page(
    user: User,
    details: BookingDetails,
    session: Session,
    form: Mapping[str, str],
    errors: FormErrors,
    status: int,
) -> tuple[str, int]:
    rooms = rooms_of(ctx(), ctx().new_reader(), user, details.venue.id or 0)
    room_items: list[dict[str, Any]] = [
        {
            "value": str(r.id),
            "text": f"{r.name} (holds {r.capacity})",
            "selected": form.get("room") == str(r.id),
        }
        for r in rooms
    ]
    page = render_template(
        "staff/move_session.html",
        title="Move a session",
        details=details,
        session=session,
        late=session.late_to_cancel(ctx().clock.now(), details.venue),
        form=form,
        errors=errors,
        day=date_items(form, "day", errors),
        rooms=room_items,
    )
    return page, status


def _moved_message(moved: booking.Moved) -> str:
    to = f"{when(moved.session.slot.start, moved.session.slot.end)}"
    if moved.late_cancelled is None:
        return f"Moved to {to}. The venue has been sent the change."
    old = moved.late_cancelled
    return (
        f"Booked {to}. The session on {when(old.slot.start, old.slot.end)} was inside the "
        f"venue's notice period, so it stays charged ({format_pounds(old.charge.gross)}) "
        "unless the venue agrees to waive it. The venue has been sent the change."
    )
