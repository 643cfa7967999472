"""Finance's venue pages: each venue's details, its purchase orders, and its status links
(the secret addresses of its payment status page). A new link's address is on the page that
made it and nowhere else: only its hash is kept, so it can't be shown again."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.domain.errors import NotFound, RuleViolation
from service.domain.status_links import StatusLink
from service.domain.users import Role, User
from service.usecases import purchasing, status_links
from service.usecases.directory import get_venue, list_trusts, list_venues
from service.usecases.status_links import NewLink
from service.web.pages import ctx, signed_in, staff_blueprint

blp = staff_blueprint("finance_venues", __name__)
finance = signed_in(Role.FINANCE, Role.ADMIN)

VENUE = "/finance/venues/<int(max=2147483647):venue_id>"
LINK = f"{VENUE}/status-links/<int(max=2147483647):link_id>"
LINK_STATES = {"active": "Works", "expired": "Expired", "revoked": "Revoked"}


@blp.app_template_global()
def link_state(link: StatusLink) -> str:
    return LINK_STATES[link.state(ctx().clock.now())]


@blp.get("/finance/venues")
@finance
def index(user: User) -> str:
    return render_template(
        "staff/venues/list.html",
        title="Venues",
        venues=list_venues(ctx(), ctx().new_reader(), user),
    )


@blp.get(VENUE)
@finance
def show(user: User, venue_id: int) -> str:
    links = status_links.links(ctx(), ctx().new_reader(), user, venue_id)  # checks the role
    trusts = list_trusts(ctx(), ctx().new_reader(), user)
    venue = get_venue(ctx().new_reader(), venue_id)
    return render_template(
        "staff/venues/show.html",
        title=venue.name,
        venue=venue,
        links=sorted(links, key=lambda link: link.created_at, reverse=True),
        rows=purchasing.read_statements(ctx(), ctx().new_reader(), user, venue_id),
        names={"venue": {venue.id: venue.name}, "trust": {t.id: t.name for t in trusts}},
    )


@blp.post(f"{VENUE}/status-links")
@finance
def create_link(user: User, venue_id: int) -> tuple[str, int]:
    return _shown_once(user, status_links.create_link(ctx(), ctx().new_uow(), user, venue_id))


@blp.post(f"{VENUE}/status-links/email")
@finance
def email_link(user: User, venue_id: int) -> BaseResponse:
    _, to = status_links.email_link(ctx(), ctx().new_uow(), user, venue_id)
    flash(f"A new status link will be emailed to {to} shortly. Nobody else will see it.")
    return redirect(url_for("finance_venues.show", venue_id=venue_id))


@blp.post(f"{LINK}/rotate")
@finance
def rotate_link(user: User, venue_id: int, link_id: int) -> tuple[str, int]:
    old = _working_link(user, venue_id, link_id, "replaced")
    return _shown_once(user, status_links.rotate(ctx(), ctx().new_uow(), user, link_id), old)


@blp.get(f"{LINK}/revoke")
@finance
def confirm_revoke(user: User, venue_id: int, link_id: int) -> str:
    link = _working_link(user, venue_id, link_id, "revoked")
    return render_template(
        "staff/venues/revoke.html",
        title="Stop this status link working?",
        venue=get_venue(ctx().new_reader(), venue_id),
        link=link,
    )


@blp.post(f"{LINK}/revoke")
@finance
def revoke_link(user: User, venue_id: int, link_id: int) -> BaseResponse:
    link = _venue_link(user, venue_id, link_id)
    if link.revoked_at is not None:  # e.g. the button pressed twice
        flash("That status link had already stopped working, so nothing changed.")
    else:
        status_links.revoke(ctx(), ctx().new_uow(), user, link_id)
        flash("The status link has stopped working. Anyone who opens it now is told so.")
    return redirect(url_for("finance_venues.show", venue_id=venue_id))


def _venue_link(user: User, venue_id: int, link_id: int) -> StatusLink:
    """One of the venue's links; another venue's (or none) is a page not found."""
    for link in status_links.links(ctx(), ctx().new_reader(), user, venue_id):
        if link.id == link_id:
            return link
    raise NotFound(f"There is no status link {link_id} of venue {venue_id}.")


def _working_link(user: User, venue_id: int, link_id: int, what: str) -> StatusLink:
    link = _venue_link(user, venue_id, link_id)
    if link.state(ctx().clock.now()) != "active":
        raise RuleViolation(
            f"That status link has already stopped working, so it can't be {what}. "
            "Create a new link from the venue's page instead."
        )
    return link


def _shown_once(user: User, new: NewLink, old: StatusLink | None = None) -> tuple[str, int]:
    """The page showing a new link's address, the only time anyone sees it."""
    venue = get_venue(ctx().new_reader(), new.link.venue_id)
    page = render_template(
        "staff/venues/new_link.html",
        title="Status link created" if old is None else "Status link replaced",
        venue=venue,
        link=new.link,
        old=old,
        address=f"{ctx().public_url}/status/{new.token}",
    )
    return page, 200
