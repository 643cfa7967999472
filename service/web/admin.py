"""Admin keeps the directory in the browser: trusts, venues (with their closures) and rooms.
Every change goes through the same use cases as the API (directory, closures), so the same
rules refuse it; an edit carries the version it was made from, so a change someone else made
meanwhile is never overwritten unseen; adding twice (a double click) adds once."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Generic, TypeVar

from flask import flash, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from service.domain.delivery import DEFAULT_SUBJECT
from service.domain.directory import (
    Closure,
    InvoiceDelivery,
    Room,
    Trust,
    Venue,
    bank_details_change,
    version_of,
)
from service.domain.errors import Conflict, IdempotencyKeyReused, RuleViolation, StaleVersion
from service.domain.timeslots import LONDON, spoken_date
from service.domain.users import Role, User
from service.ports.unit_of_work import UnitOfWork
from service.usecases import closures, directory
from service.usecases.idempotency import Outcome, run_once
from service.web.admin_fields import (
    CLOSURE,
    ROOM,
    TRUST,
    VENUE,
    Form,
    differences,
    fields_of,
    radio_items,
    read,
    shown,
    typed_from,
)
from service.web.forms import FormErrors, date_items, read_date
from service.web.pages import ctx, signed_in, staff_blueprint

blp = staff_blueprint("admin", __name__)
admin = signed_in(Role.ADMIN)
Page = tuple[str, int]
Entry = TypeVar("Entry", Trust, Venue, Room)
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # the API's service years
NEW_TRUST = {"invoice_subject": DEFAULT_SUBJECT, "invoice_delivery": InvoiceDelivery.EMAIL.value}
NEW_VENUE = typed_from(VENUE, Venue("", "", "", "", ""))
NEW_ROOM = {"setup_minutes": "0", "clearaway_minutes": "0"}


blp.add_app_template_global(shown, "admin_shown")
blp.add_app_template_global(radio_items, "admin_radio_items")


@blp.app_template_global("admin_lines")
def lines(text: str) -> Markup:
    """Text whose line breaks show (an address), escaped."""
    return Markup('<span class="app-lines">{}</span>').format(text)


@dataclass(frozen=True)
class Screen:
    """How one form page looks: its heading, where it posts, where "Back" leads."""

    title: str
    action: str
    back: str
    button: str
    caption: str = ""
    intro: str = ""


def _form_page(
    screen: Screen,
    form: Form,
    typed: Mapping[str, str],
    errors: FormErrors,
    status: int,
    **extra: Any,
) -> Page:
    page = render_template(
        "staff/admin/form.html",
        title=screen.title,
        screen=screen,
        groups=form,
        form=typed,
        errors=errors,
        **extra,
    )
    return page, status


@blp.get("/admin")
@admin
def home(user: User) -> str:
    return render_template("staff/admin/home.html", title="Admin")


# Trusts


@blp.get("/admin/trusts")
@admin
def trusts(user: User) -> str:
    found = directory.list_trusts(ctx(), ctx().new_reader(), user)
    return render_template("staff/admin/trusts.html", title="Trusts", trusts=found)


def _trust_screen(trust: Trust | None = None) -> Screen:
    if trust is None:
        return Screen(
            "Add a trust", url_for("admin.new_trust"), url_for("admin.trusts"), "Add the trust"
        )
    return Screen(
        f"Change {trust.name}",
        url_for("admin.edit_trust", trust_id=trust.id),
        url_for("admin.trusts"),
        "Save the changes",
        caption="Trust",
        intro="Invoices already issued keep what they say.",
    )


@blp.route("/admin/trusts/new", methods=["GET", "POST"])
@admin
def new_trust(user: User) -> Response | Page:
    def add(uow: UnitOfWork, values: dict[str, Any]) -> Trust:
        return directory.create_trust(ctx(), uow, user, Trust(**values))

    added = _create(user, TRUST, _trust_screen(), NEW_TRUST, add)
    if isinstance(added, tuple):
        return added
    flash(f"Added the trust {added['name']}.")
    return redirect(url_for("admin.trusts"))


@blp.route("/admin/trusts/<int(max=2147483647):trust_id>/edit", methods=["GET", "POST"])
@admin
def edit_trust(user: User, trust_id: int) -> Response | Page:
    def change(edit: directory.Edit) -> Trust:
        return directory.update_trust(ctx(), ctx().new_uow(), user, trust_id, edit)

    saved = _change(TRUST, _trust_screen, partial(directory.get_trust, trust_id=trust_id), change)
    if not isinstance(saved, Saved):
        return saved
    flash(f"Saved the changes to {saved.after.name}.")
    return redirect(url_for("admin.trusts"))


# Venues


@blp.get("/admin/venues")
@admin
def venues(user: User) -> str:
    found = directory.list_venues(ctx(), ctx().new_reader(), user)
    return render_template("staff/admin/venues.html", title="Venues", venues=found)


def _venue_screen(venue: Venue | None = None) -> Screen:
    if venue is None:
        return Screen(
            "Add a venue",
            url_for("admin.new_venue"),
            url_for("admin.venues"),
            "Add the venue",
            intro="Add its rooms once the venue is added.",
        )
    return Screen(
        f"Change {venue.name}",
        url_for("admin.edit_venue", venue_id=venue.id),
        url_for("admin.venue", venue_id=venue.id),
        "Save the changes",
        caption="Venue",
        intro="Imports recognise the venue by its new name and supplier number from now on. "
        "Invoices already issued keep what they say.",
    )


@blp.route("/admin/venues/new", methods=["GET", "POST"])
@admin
def new_venue(user: User) -> Response | Page:
    def add(uow: UnitOfWork, values: dict[str, Any]) -> Venue:
        return directory.create_venue(ctx(), uow, user, Venue(**values))

    added = _create(user, VENUE, _venue_screen(), NEW_VENUE, add)
    if isinstance(added, tuple):
        return added
    flash(f"Added the venue {added['name']}. Now add its rooms.")
    return redirect(url_for("admin.venue", venue_id=added["id"]))


@blp.get("/admin/venues/<int(max=2147483647):venue_id>")
@admin
def venue(user: User, venue_id: int) -> str:
    return _venue_page(user, venue_id, {}, FormErrors())[0]


def _venue_page(user: User, venue_id: int, typed: Mapping[str, str], errors: FormErrors) -> Page:
    found = directory.get_venue(ctx().new_reader(), venue_id)
    today = ctx().clock.now().astimezone(LONDON).date()
    page = render_template(
        "staff/admin/venue.html",
        title=found.name,
        venue=found,
        groups=VENUE,
        rooms=directory.rooms_of(ctx(), ctx().new_reader(), user, venue_id),
        room_fields={f.name: f for f in fields_of(ROOM)},
        coming=sorted(c for c in found.closures if c.day >= today),
        past=sorted((c for c in found.closures if c.day < today), reverse=True),
        form=typed,
        errors=errors,
        day=date_items(typed, "date", errors),
    )
    return page, 400 if errors else 200


@blp.route("/admin/venues/<int(max=2147483647):venue_id>/edit", methods=["GET", "POST"])
@admin
def edit_venue(user: User, venue_id: int) -> Response | Page:
    def change(edit: directory.Edit) -> Venue:
        return directory.update_venue(ctx(), ctx().new_uow(), user, venue_id, edit)

    saved = _change(VENUE, _venue_screen, partial(directory.get_venue, venue_id=venue_id), change)
    if not isinstance(saved, Saved):
        return saved
    told = (
        bank_details_change(saved.before, saved.after)
        and " The venue's contact address is emailed to say its bank details changed."
    )
    flash(f"Saved the changes to {saved.after.name}.{told or ''}")
    return redirect(url_for("admin.venue", venue_id=venue_id))


# Closures


@blp.get("/admin/venues/<int(max=2147483647):venue_id>/closures/new")
@admin
def check_closure(user: User, venue_id: int) -> Page:
    """What closing the venue that day would do, to confirm or go back."""
    errors = FormErrors()
    day, reason = _closure_answers(request.args, errors)
    found = directory.get_venue(ctx().new_reader(), venue_id)
    if day and found.closure_on(day):
        errors.add("date", f"{found.name} is already closed on {spoken_date(day)}")
    if errors or day is None:
        return _venue_page(user, venue_id, request.args, errors)
    return _closure_page(user, found, day, reason, None)


def _closure_page(user: User, venue: Venue, day: date, reason: str, changed: str | None) -> Page:
    affected = closures.closure_would_cancel(ctx(), ctx().new_reader(), user, venue.id or 0, day)
    page = render_template(
        "staff/admin/check_closure.html",
        title="Check the closure",
        venue=venue,
        day=day,
        reason=reason,
        affected=affected,
        sessions=",".join(str(a.session.id) for a in affected),
        changed=changed,
    )
    return page, 409 if changed else 200


@blp.post("/admin/venues/<int(max=2147483647):venue_id>/closures")
@admin
def add_closure(user: User, venue_id: int) -> Response | Page:
    """Closes the venue on the day if the sessions it cancels are still those the person saw;
    if not, nothing changes and they see the new list."""
    errors = FormErrors()
    day, reason = _closure_answers(request.form, errors)
    if errors or day is None:
        return _venue_page(user, venue_id, request.form, errors)
    found = directory.get_venue(ctx().new_reader(), venue_id)
    if found.closure_on(day):  # e.g. the button pressed twice
        flash(f"{found.name} was already closed on {spoken_date(day)}, so nothing changed.")
        return redirect(url_for("admin.venue", venue_id=venue_id))
    seen = request.form.get("sessions", "")
    if not re.fullmatch(r"(\d{1,10}(,\d{1,10})*)?", seen):
        return _closure_page(user, found, day, reason, "Check the sessions it will cancel.")
    closure, expected = Closure(day, reason), [int(i) for i in seen.split(",") if i]
    try:
        added = closures.add_closure(
            ctx(), ctx().new_uow(), user, venue_id, closure, expected=expected
        )
    except Conflict as changed:
        return _closure_page(user, found, day, reason, changed.message)
    count = len(added.cancelled)
    called_off = (
        f" {count} booked session{' was' if count == 1 else 's were'} cancelled and "
        f"{'its facilitator is' if count == 1 else 'their facilitators are'} being emailed."
        if count
        else " No booked sessions were cancelled."
    )
    flash(f"{added.venue.name} is closed on {spoken_date(day)}.{called_off}")
    return redirect(url_for("admin.venue", venue_id=venue_id))


def _closure_answers(typed: Mapping[str, str], errors: FormErrors) -> tuple[date | None, str]:
    day = read_date(typed, "date", errors, "the date the venue is closed")
    if day and not EARLIEST <= day <= LATEST:
        errors.add("date", f"The date must be between {EARLIEST.year} and {LATEST.year}")
    reason = read(CLOSURE, typed, errors).get("reason")
    return day, reason or ""


# Rooms


def _room_screen(venue: Venue, room: Room | None = None) -> Screen:
    back = url_for("admin.venue", venue_id=venue.id)
    if room is None:
        action = url_for("admin.new_room", venue_id=venue.id)
        return Screen("Add a room", action, back, "Add the room", caption=venue.name)
    return Screen(
        f"Change {room.name}",
        url_for("admin.edit_room", room_id=room.id),
        back,
        "Save the changes",
        caption=venue.name,
        intro="Sessions already booked keep their price and times.",
    )


@blp.route("/admin/venues/<int(max=2147483647):venue_id>/rooms/new", methods=["GET", "POST"])
@admin
def new_room(user: User, venue_id: int) -> Response | Page:
    def add(uow: UnitOfWork, values: dict[str, Any]) -> Room:
        return directory.create_room(ctx(), uow, user, Room(venue_id=venue_id, **values))

    place = directory.get_venue(ctx().new_reader(), venue_id)
    added = _create(user, ROOM, _room_screen(place), NEW_ROOM, add)
    if isinstance(added, tuple):
        return added
    flash(f"Added the room {added['name']}.")
    return redirect(url_for("admin.venue", venue_id=venue_id))


@blp.route("/admin/rooms/<int(max=2147483647):room_id>/edit", methods=["GET", "POST"])
@admin
def edit_room(user: User, room_id: int) -> Response | Page:
    def change(edit: directory.Edit) -> Room:
        return directory.update_room(ctx(), ctx().new_uow(), user, room_id, edit)

    def screen(room: Room) -> Screen:
        return _room_screen(directory.get_venue(ctx().new_reader(), room.venue_id), room)

    saved = _change(ROOM, screen, partial(directory.get_room, room_id=room_id), change)
    if not isinstance(saved, Saved):
        return saved
    flash(f"Saved the changes to {saved.after.name}.")
    return redirect(url_for("admin.venue", venue_id=saved.after.venue_id))


# Adding and changing, the same way for each kind of entry


def _create(
    user: User,
    form: Form,
    screen: Screen,
    defaults: Mapping[str, str],
    add: Callable[[UnitOfWork, dict[str, Any]], Trust | Venue | Room],
) -> dict[str, Any] | Page:
    """The new entry's id and name once added, or the form again (empty, or with problems).
    The form's request key makes a second press of the button replay the first."""
    if request.method == "GET":
        key = secrets.token_urlsafe(16)
        return _form_page(screen, form, defaults, FormErrors(), 200, request_key=key)
    typed, errors = request.form, FormErrors()
    key = typed.get("request_key", "")
    if not 8 <= len(key) <= 64:
        errors.add(fields_of(form)[0].name, "The form was not complete: send it again")
    values = read(form, typed, errors)
    if errors:
        return _form_page(screen, form, typed, errors, 400, request_key=key)
    uow = ctx().new_uow()

    def once() -> Outcome:
        added = add(uow, values)  # in run_once's transaction, with the key's record
        return Outcome(201, json.dumps({"id": added.id, "name": added.name}))

    fingerprint = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
    try:
        outcome = run_once(
            uow, user_id=user.id or 0, key=key, fingerprint=fingerprint.hexdigest(), action=once
        )
    except IdempotencyKeyReused:
        first = fields_of(form)[0]
        errors.add(
            first.name, "You already added one with this form. To add another, send it again"
        )
        again = secrets.token_urlsafe(16)
        return _form_page(screen, form, typed, errors, 409, request_key=again)
    except (RuleViolation, Conflict) as refused:
        errors.refusal(refused, fields_of(form)[0].name)
        return _form_page(screen, form, typed, errors, _status(refused), request_key=key)
    added: dict[str, Any] = json.loads(outcome.body)
    return added


@dataclass(frozen=True)
class Saved(Generic[Entry]):
    before: Entry  # as the form showed it (the edit was made from this version)
    after: Entry


def _change(
    form: Form,
    screen: Callable[[Entry], Screen],
    get: Callable[[UnitOfWork], Entry],
    change: Callable[[directory.Edit], Entry],
) -> Saved[Entry] | Page:
    """The entry before and after, once saved; or the form again: with its problems, or, if
    someone else changed the entry since the form was opened, with what it says now beside
    the person's answers (nothing saved; saving again replaces it)."""
    entry = get(ctx().new_reader())
    if request.method == "GET":
        page = _form_page(
            screen(entry),
            form,
            typed_from(form, entry),
            FormErrors(),
            200,
            version=version_of(entry),
        )
        return page
    typed, errors = request.form, FormErrors()
    seen = typed.get("version", "")
    values = read(form, typed, errors)
    if errors:
        return _form_page(screen(entry), form, typed, errors, 400, version=seen)
    try:
        return Saved(entry, change(directory.Edit(values, {seen})))
    except StaleVersion:
        now = get(ctx().new_reader())
        stale = differences(form, typed, now)
        return _form_page(
            screen(now), form, typed, errors, 409, version=version_of(now), stale=stale
        )
    except (RuleViolation, Conflict) as refused:
        errors.refusal(refused, fields_of(form)[0].name)
        return _form_page(screen(entry), form, typed, errors, _status(refused), version=seen)


def _status(refused: RuleViolation | Conflict) -> int:
    return 409 if isinstance(refused, Conflict) else 422
