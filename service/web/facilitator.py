"""A facilitator's whole job in the browser: find a room, book it (checking every date and
the cost before confirming), see their sessions, and cancel one or the rest."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from service.domain.bookings import BookingRequest
from service.domain.directory import MAX_CAPACITY
from service.domain.errors import DomainError
from service.domain.money import format_pounds
from service.domain.recurrence import MAX_SESSIONS, Frequency, Recurrence
from service.domain.timeslots import london_slot, spoken_date
from service.domain.users import Role, User
from service.usecases import booking, downloads, purchasing
from service.usecases.availability import room_search
from service.usecases.directory import get_room, get_venue
from service.usecases.downloads import Format
from service.usecases.idempotency import Outcome, run_once
from service.usecases.purchasing import PurchaseOrderStatement
from service.web.forms import FormErrors, date_items, read_date, read_time, read_whole
from service.web.pages import attachment, ctx, signed_in, staff_blueprint

blp = staff_blueprint("facilitator", __name__)
facilitator = signed_in(Role.FACILITATOR)
PEOPLE = "The number of people"
ANSWERS = "booking_answers"  # what the person typed, kept in their cookie until they confirm


@blp.get("/rooms")
@facilitator
def find_room(user: User) -> tuple[str, int]:
    form, errors, options = request.args, FormErrors(), None
    if "search" in form:
        day = read_date(form, "day", errors, "the date")
        start = read_time(form, "start", errors, "the start time")
        end = read_time(form, "end", errors, "the end time")
        people = read_whole(form, "people", errors, PEOPLE, least=1, most=MAX_CAPACITY)
        area = form.get("area", "").strip().upper()
        if len(area) > 4 or (area and not area.isalnum()):
            errors.add("area", "Enter the start of a postcode, like BS or BS1")
        if start and end and end <= start:
            errors.add("end", "The end time must be after the start time")
        if not errors and day and start and end:
            options = room_search(
                ctx(),
                london_slot(day, start, end),
                min_capacity=people or 0,
                postcode_area=area or None,
                step_free=form.get("step_free") == "yes",
            )
    carried = ("day[day]", "day[month]", "day[year]", "start", "end")
    prefill = {key.replace("day[", "first["): form.get(key, "") for key in carried}
    prefill["expected_people"] = form.get("people", "")
    page = render_template(
        "staff/find_room.html",
        title="Find a room",
        form=form,
        errors=errors,
        day=date_items(form, "day", errors),
        options=options,
        booking_prefill=prefill,
    )
    return page, 400 if errors else 200


@blp.route("/bookings/new", methods=["GET", "POST"])
@facilitator
def new_booking(user: User) -> Response | tuple[str, int]:
    if request.method == "GET":
        answers = session.get(ANSWERS, {}) if request.args.get("change") else request.args
        form = {**answers, "room_id": request.args.get("room_id", answers.get("room_id", ""))}
        return _booking_form(user, form, FormErrors(), 200)
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    errors = FormErrors()
    wanted = _request(user, form, errors)
    if wanted:
        try:
            booking.plan_booking(ctx(), ctx().new_uow(), user, wanted)
        except DomainError as refusal:
            errors.refusal(refusal, "first")
    if errors:
        return _booking_form(user, form, errors, 400)
    session[ANSWERS] = form
    return redirect(url_for("facilitator.check_booking"))


def _booking_form(
    user: User, form: Mapping[str, str], errors: FormErrors, status: int
) -> tuple[str, int]:
    room_id = form.get("room_id", "")
    if not room_id.isdigit():
        return render_template("staff/not_found.html", title="Page not found"), 404
    room = get_room(ctx().new_reader(), int(room_id))
    venue = get_venue(ctx().new_reader(), room.venue_id)
    first = read_date(form, "first", FormErrors(), "") or ctx().clock.now().date()
    orders = purchasing.open_for_booking(ctx(), ctx().new_reader(), user, venue.id or 0, first)
    page = render_template(
        "staff/book.html",
        title=f"Book {room.name}",
        form=form,
        errors=errors,
        room=room,
        venue=venue,
        first=date_items(form, "first", errors),
        until=date_items(form, "until", errors),
        po_items=_po_choices(orders, form.get("purchase_order", "")),
        most=MAX_SESSIONS,
    )
    return page, status


def _po_choices(orders: list[PurchaseOrderStatement], chosen: str) -> list[dict[str, Any]]:
    """The design system's radio items: each open PO with what is left on it, or none yet."""
    items: list[dict[str, Any]] = [
        {
            "value": str(s.po.id),
            "text": s.po.number,
            "hint": {
                "text": f"{format_pounds(s.remaining_pence)} left, valid until "
                f"{spoken_date(s.po.valid_to)}"
            },
            "checked": chosen == str(s.po.id),
        }
        for s in orders
    ]
    none_yet = {"text": "Finance will add one before the venue is invoiced"}
    return [
        *items,
        {"value": "", "text": "No purchase order yet", "hint": none_yet, "checked": not chosen},
    ]


def _request(user: User, form: Mapping[str, str], errors: FormErrors) -> BookingRequest | None:
    """The booking the form asks for, or None with the problems in `errors`."""
    first = read_date(form, "first", errors, "the date of the first session")
    start = read_time(form, "start", errors, "the start time")
    end = read_time(form, "end", errors, "the end time")
    frequency = Frequency(form["frequency"]) if form.get("frequency") in set(Frequency) else None
    if frequency is None:
        errors.add("frequency", "Select how often the group meets")
    count = read_whole(
        form, "sessions", errors, "The number of sessions", least=1, most=MAX_SESSIONS
    )
    until = read_date(form, "until", FormErrors(), "") if form.get("until[year]") else None
    if form.get("until[year]") and until is None:
        read_date(form, "until", errors, "the date of the last session")
    if frequency not in (None, Frequency.ONCE) and (count is None) == (until is None):
        errors.add("sessions", "Enter either the number of sessions or the date of the last one")
    label = form.get("group_label", "").strip()
    if not label:
        errors.add("group_label", "Enter a name for the group")
    elif len(label) > 120:
        errors.add("group_label", "The group's name must be 120 characters or fewer")
    people = read_whole(form, "expected_people", errors, PEOPLE, least=1, most=MAX_CAPACITY)
    if people is None and not errors.on("expected_people"):
        errors.add("expected_people", "Enter how many people you expect")
    description = form.get("invoice_description", "").strip()
    if len(description) > 120:
        errors.add("invoice_description", "The invoice wording must be 120 characters or fewer")
    po = form.get("purchase_order", "")
    if errors or first is None or start is None or end is None or frequency is None:
        return None
    return BookingRequest(
        room_id=int(form["room_id"]),
        facilitator_id=user.id or 0,
        group_label=label,
        invoice_description=description or None,
        recurrence=Recurrence(
            first_date=first,
            frequency=frequency,
            count=count if frequency is not Frequency.ONCE else None,
            until=until if frequency is not Frequency.ONCE else None,
        ),
        start_time=start,
        end_time=end,
        purchase_order_id=int(po) if po.isdigit() else None,
        expected_people=people,
    )


@blp.get("/bookings/check")
@facilitator
def check_booking(user: User) -> Response | tuple[str, int]:
    answers = session.get(ANSWERS)
    if not answers:
        return redirect(url_for("facilitator.find_room"))
    errors = FormErrors()
    wanted = _request(user, answers, errors)
    try:
        plan = booking.plan_booking(ctx(), ctx().new_uow(), user, wanted) if wanted else None
    except DomainError as refusal:  # something changed since the form was sent
        errors.refusal(refusal, "first")
        plan = None
    if plan is None:
        return _booking_form(user, answers, errors, 409)
    page = render_template(
        "staff/check_booking.html",
        title="Check your booking",
        plan=plan,
        answers=answers,
        request_key=secrets.token_urlsafe(16),
    )
    return page, 200


@blp.post("/bookings/confirm")
@facilitator
def confirm_booking(user: User) -> Response | tuple[str, int]:
    """Books what the person checked. A double click (the same request key) books once."""
    answers = session.get(ANSWERS)
    key = request.form.get("request_key", "")
    if not answers or not 8 <= len(key) <= 64:
        return redirect(url_for("facilitator.my_bookings"))
    errors = FormErrors()
    wanted = _request(user, answers, errors)
    if wanted is None:
        return _booking_form(user, answers, errors, 400)
    fingerprint = hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()
    uow = ctx().new_uow()

    def book() -> Outcome:
        series = booking.book(ctx(), uow, user, wanted)
        return Outcome(201, json.dumps({"id": series.id, "sessions": len(series.sessions)}))

    try:
        outcome = run_once(uow, user_id=user.id or 0, key=key, fingerprint=fingerprint, action=book)
    except DomainError as refusal:
        errors.refusal(refusal, "first")
        return _booking_form(user, answers, errors, 409)
    booked = json.loads(outcome.body)
    session.pop(ANSWERS, None)
    flash(f"Booked: {booked['sessions']} session{'s' if booked['sessions'] != 1 else ''}.")
    return redirect(url_for("facilitator.booking_page", booking_id=booked["id"]))


@blp.get("/bookings.<any(csv, xlsx):format>")
@facilitator
def bookings_download(user: User, format: str) -> Response:
    return attachment(downloads.bookings_download(ctx(), ctx().new_reader(), user, Format(format)))


@blp.get("/bookings")
@facilitator
def my_bookings(user: User) -> str:
    past = request.args.get("past") == "yes"
    page = booking.my_sessions(ctx(), ctx().new_reader(), user, past=past, beyond=_beyond())
    more = page.more_beyond
    return render_template(
        "staff/my_bookings.html",
        title="My bookings",
        page=page,
        past=past,
        more=f"{more[0].isoformat()}_{more[1]}" if more else None,
    )


def _beyond() -> tuple[datetime, int] | None:
    """Where a page of sessions starts: `after=<start>_<id>` from the previous page's link."""
    when, _, last = request.args.get("after", "").partition("_")
    try:
        start = datetime.fromisoformat(when)
    except ValueError:
        return None
    return (start, int(last)) if last.isdigit() and start.tzinfo else None


@blp.get("/bookings/<int(max=2147483647):booking_id>")
@facilitator
def booking_page(user: User, booking_id: int) -> str:
    details = booking.booking_details(ctx(), ctx().new_reader(), user, booking_id)
    now = ctx().clock.now()
    past = request.args.get("past") == "yes"
    sessions = [s for s in details.series.sessions if (s.slot.start <= now) == past]
    if past:
        sessions.reverse()
    return render_template(
        "staff/booking.html",
        title=details.series.group_label,
        details=details,
        sessions=sessions,
        past=past,
        now=now,
    )


@blp.get("/bookings/<int(max=2147483647):booking_id>/cancel")
@facilitator
def cancel_page(user: User, booking_id: int) -> str:
    session_id = request.args.get("session", "")
    cancellation = booking.preview_cancellation(
        ctx(),
        ctx().new_reader(),
        user,
        booking_id,
        int(session_id) if session_id.isdigit() else None,
    )
    return render_template(
        "staff/cancel.html",
        title="Cancel sessions",
        cancellation=cancellation,
        session_id=session_id,
    )


@blp.post("/bookings/<int(max=2147483647):booking_id>/cancel")
@facilitator
def cancel(user: User, booking_id: int) -> Response:
    session_id = request.form.get("session", "")
    if session_id.isdigit():  # one session, and it must be this booking's
        booking.preview_cancellation(ctx(), ctx().new_reader(), user, booking_id, int(session_id))
        done = booking.cancel_one(ctx(), ctx().new_uow(), user, int(session_id))
    else:
        done = booking.cancel_from(ctx(), ctx().new_uow(), user, booking_id, None)
    flash(done.cancelled_message)
    return redirect(url_for("facilitator.booking_page", booking_id=booking_id))
