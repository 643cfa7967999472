"""Admins in the browser: the people who use Roomhire (add someone, change their role, disable
and enable their account, give them a new API key, shown once) and the audit log, newest
first, 50 a page, filtered by entry and by person. Every change goes through the use cases the
API calls, so the pages refuse exactly what the API refuses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service.domain.audit import AuditEvent, AuditQuery, person_of
from service.domain.errors import Conflict, NotFound, RuleViolation
from service.domain.timeslots import LONDON
from service.domain.users import Role, User
from service.usecases import accounts
from service.usecases.audit_log import LAST_PAGE, AuditPage, audit_log
from service.usecases.directory import list_trusts
from service.web.forms import FormErrors
from service.web.pages import ctx, signed_in, staff_blueprint

blp = staff_blueprint("admin_people", __name__)
admin = signed_in(Role.ADMIN)
PEOPLE = "staff/admin/people"
PERSON_ID = "<int(max=2147483647):user_id>"
LARGEST_ID = 2_147_483_647
LONGEST_EMAIL = 254

ROLE_WORDS = {Role.FACILITATOR: "Facilitator", Role.FINANCE: "Finance", Role.ADMIN: "Admin"}
ROLE_HINTS = {
    Role.FACILITATOR: "Finds and books rooms for their trust's groups",
    Role.FINANCE: "Issues invoices, imports the finance system's exports, follows payments",
    Role.ADMIN: "Everything finance does, and manages people, trusts, venues and rooms",
}
ACTION_WORDS = {
    "created": "Added",
    "updated": "Changed",
    "amended": "Changed",
    "role_changed": "Role changed",
    "enabled": "Account enabled",
    "disabled": "Account disabled",
    "new_key": "Given a new API key",
    "booked": "Booked",
    "po_attached": "Purchase order attached",
    "cancelled": "Cancelled",
    "late_cancelled": "Cancelled late (still paid)",
    "cancelled_by_venue": "Cancelled: the venue is closed",
    "closure_added": "Closure added",
    "waived": "Charge waived",
    "issued": "Issued",
    "queued": "Queued to be sent",
    "retry": "Message put back in the queue",
    "email_sent": "Message sent",
    "email_failed": "Message failed to send",
    "email_pending": "Message to be tried again",
    "imported": "Export imported",
    "match_confirmed": "Match confirmed",
    "link_created": "Status link made",
    "link_revoked": "Status link stopped",
    "calendar_stopped": "Calendar address stopped",
    "link_made": "Sign-in link emailed",
    "signed_in": "Signed in",
    "signed_out": "Signed out",
}
ENTITY_WORDS = {
    "user": "Person",
    "trust": "Trust",
    "venue": "Venue",
    "room": "Room",
    "booking": "Booking",
    "session": "Session",
    "purchase_order": "Purchase order",
    "invoice": "Invoice",
    "credit_note": "Credit note",
    "outbox": "Email",
    "procurement_import": "Import",
    "status_link": "Status link",
    "calendar_link": "Calendar address",
    "staff_session": "Signed-in session",
}
ENTITY_PAGES = {  # entries with a page of their own, and that page's view
    "user": ("admin_people.person_page", "user_id"),
    "invoice": ("finance.invoice", "invoice_id"),
    "credit_note": ("finance.invoice", "invoice_id"),
    "procurement_import": ("finance.import_record", "import_id"),
}
OTHER_ACTORS = {  # who acts besides people, as the audit log names them
    "roomhire-cli": "An operator on the server (roomhire command)",
    "outbox worker": "Roomhire's email sender",
    "sign-in": "The sign-in page",
}


@blp.app_template_global()
def admin_words() -> dict[str, Any]:
    return {"role": ROLE_WORDS, "role_hint": ROLE_HINTS, "entity": ENTITY_WORDS}


@blp.app_template_filter()
def moment(at: datetime) -> str:
    """'1 December 2026 at 22:40', in London."""
    local = at.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


# People


@blp.get("/admin/people")
@admin
def people(user: User) -> str:
    return render_template(
        f"{PEOPLE}/list.html",
        title="People",
        people=accounts.people(ctx(), ctx().new_reader(), user),
    )


@blp.get("/admin/people/new")
@admin
def new_person(user: User) -> tuple[str, int]:
    return _new_person_page(user, {}, FormErrors(), 200)


@blp.post("/admin/people/new")
@admin
def add_person(user: User) -> tuple[str, int]:
    form, errors = request.form, FormErrors()
    email = form.get("email", "").strip()
    if not email:
        errors.add("email", "Enter their work email address")
    elif len(email) > LONGEST_EMAIL or "@" not in email:
        errors.add("email", "Enter an email address like name@example.nhs.uk")
    role = _role(form, errors)
    trusts = {str(t.id): t for t in list_trusts(ctx(), ctx().new_reader(), user)}
    trust = form.get("trust", "")
    if trust and trust not in trusts:
        errors.add("trust", "Select a trust from the list")
    if errors or role is None:
        return _new_person_page(user, form, errors, 400)
    try:
        made, key = accounts.create_user(
            ctx(),
            ctx().new_uow(),
            user,
            email=email,
            role=role,
            trust_id=trusts[trust].id if trust else None,
        )
    except (RuleViolation, Conflict) as refused:
        errors.refusal(refused, "email")
        return _new_person_page(
            user, form, errors, 422 if isinstance(refused, RuleViolation) else 409
        )
    except NotFound as refused:  # the trust was removed as the form was sent
        errors.add("trust", refused.message)
        return _new_person_page(user, form, errors, 409)
    return _key_page(made, key, added=True), 201


def _new_person_page(
    user: User, form: Mapping[str, str], errors: FormErrors, status: int
) -> tuple[str, int]:
    trust = form.get("trust", "")
    page = render_template(
        f"{PEOPLE}/new.html",
        title="Add a person",
        form=form,
        errors=errors,
        role_items=_role_items(form.get("role", "")),
        trust_items=[{"value": "", "text": "No trust"}]
        + [
            {"value": str(t.id), "text": t.name, "selected": trust == str(t.id)}
            for t in list_trusts(ctx(), ctx().new_reader(), user)
        ],
    )
    return page, status


def _role(form: Mapping[str, str], errors: FormErrors) -> Role | None:
    chosen = form.get("role", "")
    if chosen not in {r.value for r in Role}:
        errors.add("role", "Select a role")
        return None
    return Role(chosen)


def _role_items(chosen: str) -> list[dict[str, Any]]:
    return [
        {
            "value": r.value,
            "text": ROLE_WORDS[r],
            "hint": {"text": ROLE_HINTS[r]},
            "checked": chosen == r.value,
        }
        for r in Role
    ]


def _key_page(person: User, key: str, *, added: bool) -> str:
    """The API key, shown this once: only its hash is kept."""
    return render_template(
        f"{PEOPLE}/key.html",
        title=f"{'Added' if added else 'New API key for'} {person.email}",
        someone=person,
        key=key,
        added=added,
    )


@blp.get(f"/admin/people/{PERSON_ID}")
@admin
def person_page(user: User, user_id: int) -> tuple[str, int]:
    return _person_page(user, user_id, FormErrors(), 200)


def _person_page(
    user: User, user_id: int, errors: FormErrors, status: int, chosen: str = ""
) -> tuple[str, int]:
    found = accounts.get_person(ctx(), ctx().new_reader(), user, user_id)
    trusts = {t.id: t.name for t in list_trusts(ctx(), ctx().new_reader(), user)}
    page = render_template(
        f"{PEOPLE}/person.html",
        title=found.user.email,
        found=found,
        trust=trusts.get(found.user.trust_id) if found.user.trust_id else None,
        yourself=found.user.id == user.id,
        errors=errors,
        role_items=_role_items(chosen or found.user.role.value),
    )
    return page, status


@blp.post(f"/admin/people/{PERSON_ID}/role")
@admin
def change_role(user: User, user_id: int) -> Response | tuple[str, int]:
    form, errors = request.form, FormErrors()
    role = _role(form, errors)
    if role is None:
        return _person_page(user, user_id, errors, 400)
    try:
        changed = accounts.change_role(ctx(), ctx().new_uow(), user, user_id, role)
    except Conflict as refused:
        errors.refusal(refused, "role")
        return _person_page(user, user_id, errors, 409, chosen=role.value)
    flash(f"{changed.email} is now {ROLE_WORDS[role].lower()}.")
    return redirect(url_for("admin_people.person_page", user_id=user_id))


CHANGES = {  # what each confirmation page does, in words
    "disable": {
        "title": "Disable {email}?",
        "what": "They can no longer sign in or use the API, and they are signed out now. "
        "Their calendar address stops working. You can enable their account again.",
        "button": "Disable their account",
        "warning": True,
    },
    "enable": {
        "title": "Enable {email}?",
        "what": "They can sign in again, and their API key and calendar address work again.",
        "button": "Enable their account",
        "warning": False,
    },
    "new-key": {
        "title": "Give {email} a new API key?",
        "what": "Their old key stops working now, and they are signed out. The new key is "
        "shown once, on the next page: pass it on safely.",
        "button": "Make a new API key",
        "warning": True,
    },
}


@blp.get(f"/admin/people/{PERSON_ID}/<any(disable, enable, 'new-key'):change>")
@admin
def confirm(user: User, user_id: int, change: str) -> tuple[str, int]:
    return _confirm_page(user, user_id, change, FormErrors(), 200)


def _confirm_page(
    user: User, user_id: int, change: str, errors: FormErrors, status: int
) -> tuple[str, int]:
    found = accounts.get_person(ctx(), ctx().new_reader(), user, user_id).user
    words = CHANGES[change]
    page = render_template(
        f"{PEOPLE}/confirm.html",
        title=str(words["title"]).format(email=found.email),
        words=words,
        found=found,
        change=change,
        errors=errors,
    )
    return page, status


@blp.post(f"/admin/people/{PERSON_ID}/<any(disable, enable):change>")
@admin
def set_active(user: User, user_id: int, change: str) -> Response | tuple[str, int]:
    active = change == "enable"
    try:
        changed = accounts.set_active(ctx(), ctx().new_uow(), user, user_id, active=active)
    except Conflict as refused:
        errors = FormErrors()
        errors.add("confirm", refused.message)
        return _confirm_page(user, user_id, change, errors, 409)
    flash(f"{changed.email}'s account is {'enabled' if active else 'disabled'}.")
    return redirect(url_for("admin_people.person_page", user_id=user_id))


@blp.post(f"/admin/people/{PERSON_ID}/new-key")
@admin
def new_key(user: User, user_id: int) -> str:
    changed, key = accounts.new_key(ctx(), ctx().new_uow(), user, user_id)
    return _key_page(changed, key, added=False)


# The audit log


@blp.get("/admin/audit")
@admin
def audit(user: User) -> tuple[str, int]:
    form, errors = request.args, FormErrors()
    everyone = accounts.people(ctx(), ctx().new_reader(), user)
    query = _audit_query(form, errors, {str(p.user.id) for p in everyone})
    page = _whole(form.get("page", "").strip() or "1", "page", errors, LAST_PAGE)
    found = None if errors else audit_log(ctx(), ctx().new_reader(), user, query, page or 1)
    emails = {p.user.id: p.user.email for p in everyone}
    html = render_template(
        "staff/admin/audit.html",
        title="Audit log",
        form=form,
        errors=errors,
        found=found,
        rows=[_row(event, emails) for event in found.events] if found else [],
        pages=_pages(found, form) if found else {},
        filtered=any(form.get(name) for name in ("entry", "entry_id", "person")),
        **_filter_items(form, everyone),
    )
    return html, 400 if errors else 200


def _filter_items(form: Mapping[str, str], everyone: list[accounts.Person]) -> dict[str, Any]:
    """The choices of the filter form's two lists, keeping what was chosen."""
    chosen = form.get("person", "")
    return {
        "entry_items": [{"value": "", "text": "Any kind of entry"}]
        + [
            {"value": kind, "text": words, "selected": form.get("entry") == kind}
            for kind, words in ENTITY_WORDS.items()
        ],
        "person_items": [{"value": "", "text": "Anyone"}]
        + [
            {"value": str(p.user.id), "text": p.user.email, "selected": chosen == str(p.user.id)}
            for p in everyone
        ]
        + [
            {"value": actor, "text": words, "selected": chosen == actor}
            for actor, words in OTHER_ACTORS.items()
        ],
    }


def _audit_query(form: Mapping[str, str], errors: FormErrors, person_ids: set[str]) -> AuditQuery:
    entry = form.get("entry", "")
    if entry and entry not in ENTITY_WORDS:
        errors.add("entry", "Select a kind of entry from the list")
    entry_id = _whole(form.get("entry_id", "").strip(), "entry_id", errors, LARGEST_ID)
    if entry_id is not None and not entry:
        errors.add("entry", "Select the kind of entry the number belongs to")
    chosen = form.get("person", "")
    if chosen and chosen not in person_ids and chosen not in OTHER_ACTORS:
        errors.add("person", "Select a person from the list")
    return AuditQuery(
        entity=entry or None,
        entity_id=entry_id,
        person_id=int(chosen) if chosen in person_ids else None,
        actor=chosen if chosen in OTHER_ACTORS else None,
    )


def _whole(text: str, field: str, errors: FormErrors, most: int) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= most:
        words = {"page": f"The page must be a whole number from 1 to {most:,}"}
        errors.add(field, words.get(field, "The entry number must be a whole number, like 12"))
        return None
    return int(text)


def _row(event: AuditEvent, emails: Mapping[int | None, str]) -> dict[str, Any]:
    """One event as the page says it: when, who, what and which entry (linked if it has a page)."""
    person_id = person_of(event.actor)
    view = ENTITY_PAGES.get(event.entity)
    entry: dict[str, Any] = {view[1]: event.entity_id} if view else {}
    return {
        "at": event.at,
        "who": emails.get(person_id) or OTHER_ACTORS.get(event.actor) or event.actor,
        "who_href": url_for("admin_people.person_page", user_id=person_id)
        if person_id in emails
        else None,
        "what": ACTION_WORDS.get(event.action, event.action),
        "detail": _said(event.detail),
        "entry": f"{ENTITY_WORDS.get(event.entity, event.entity)} {event.entity_id}",
        "entry_href": url_for(view[0], **entry) if view else None,
    }


def _said(detail: Mapping[str, Any]) -> str:
    """An event's details in one line: 'from finance to admin', 'number: SMCH0001'."""
    if set(detail) == {"from", "to"} and not isinstance(detail["from"], dict):
        return _value(detail)
    return "; ".join(f"{name.replace('_', ' ')}: {_value(value)}" for name, value in detail.items())


def _value(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"from {_value(value['from'])} to {_value(value['to'])}"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return _said(value)
    return "none" if value is None else str(value)


def _pages(found: AuditPage, form: Mapping[str, str]) -> dict[str, Any]:
    """The design system's Previous and Next links, keeping the filters."""
    kept: dict[str, Any] = {
        name: form[name] for name in ("entry", "entry_id", "person") if form.get(name)
    }

    def at(page: int) -> str:
        return url_for("admin_people.audit", **kept, page=page if page > 1 else None)

    return {
        "previousUrl": at(found.page - 1) if found.page > 1 else None,
        "previousPage": f"Page {found.page - 1}" if found.page > 1 else None,
        "nextUrl": at(found.page + 1) if found.has_next else None,
        "nextPage": f"Page {found.page + 1}" if found.has_next else None,
    }
