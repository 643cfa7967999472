"""Signing in and out: an emailed one-time link (the embedded default), or the organisation's
identity provider (OpenID Connect) when one is configured. `/` sends each person home."""

from __future__ import annotations

import re

from flask import current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.domain.users import Role
from service.ports.accounts import SignInRefused
from service.usecases import sign_in
from service.usecases.secret_links import LinkNotFound, TooManyLookups
from service.web.forms import FormErrors
from service.web.pages import SESSION_COOKIE, ctx, person, staff_blueprint

blp = staff_blueprint("sign_in", __name__)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A path of ours to return to after signing in: never another site ("//x", "/\\x", "/\t/x").
_LOCAL_PATH = re.compile(r"/(?![/\\])[\w\-./?=&%]*")


@blp.get("/")
def home() -> BaseResponse:
    user = person()
    if user is None:
        return redirect(url_for("sign_in.start"))
    if user.role is Role.FACILITATOR:
        return redirect(url_for("facilitator.my_bookings"))
    return redirect(url_for("finance.work"))  # finance and admin


@blp.get("/sign-in")
def start() -> str:
    wanted = request.args.get("next", "")
    if _LOCAL_PATH.fullmatch(wanted):
        session["next"] = wanted
    return _sign_in_page(FormErrors(), "")


def _sign_in_page(errors: FormErrors, email: str) -> str:
    return render_template(
        "staff/sign_in.html",
        title="Sign in",
        errors=errors,
        email=email,
        with_provider=ctx().identity is not None,
    )


@blp.post("/sign-in")
def send_link() -> BaseResponse | tuple[str, int]:
    email = request.form.get("email", "").strip()
    errors = FormErrors()
    if not _EMAIL.match(email) or len(email) > 254:
        errors.add("email", "Enter your work email address, like name@nhs.net")
        return _sign_in_page(errors, email), 400
    sign_in.email_sign_in_link(ctx(), email)
    session["asked_for"] = email
    return redirect(url_for("sign_in.check_email"))


@blp.get("/sign-in/check-email")
def check_email() -> str:
    """The same page whether or not the address has an account."""
    email = session.get("asked_for", "your email address")
    return render_template("staff/check_email.html", title="Check your email", email=email)


@blp.get("/sign-in/<token>")
def open_link(token: str) -> str | tuple[str, int]:
    """Mail scanners open links: opening one only shows the button that signs in."""
    try:
        sign_in.check_link(ctx(), token, _client())
    except LinkNotFound:
        return _link_refused()
    except TooManyLookups:
        return _too_many()
    return render_template("staff/sign_in_button.html", title="Sign in", token=token)


@blp.post("/sign-in/<token>")
def use_link(token: str) -> BaseResponse | tuple[str, int]:
    try:
        secret = sign_in.sign_in_with_link(ctx(), token, _client())
    except LinkNotFound:
        return _link_refused()
    except TooManyLookups:
        return _too_many()
    return _signed_in(secret)


@blp.get("/sign-in/provider")
def to_provider() -> BaseResponse | tuple[str, int]:
    provider = ctx().identity
    if provider is None:
        return redirect(url_for("sign_in.start"))
    try:
        asked = provider.authorization(_callback_uri())
    except SignInRefused:
        return _provider_refused()
    session["oidc"] = asked.kept
    return redirect(asked.url)


@blp.get("/sign-in/provider/callback")
def from_provider() -> BaseResponse | tuple[str, int]:
    provider, kept = ctx().identity, session.pop("oidc", None)
    if provider is None or not kept:
        return _provider_refused()
    try:
        email = provider.verified_email(_callback_uri(), kept, request.args.to_dict())
        secret = sign_in.sign_in_with_identity(ctx(), email)
    except SignInRefused:
        return _provider_refused()
    except sign_in.SignInNotAllowed:
        page = render_template("staff/no_account.html", title="No Roomhire account", email=email)
        return page, 403
    return _signed_in(secret)


@blp.get("/sign-out")
def sign_out_page() -> str:
    return render_template("staff/sign_out.html", title="Sign out")


@blp.post("/sign-out")
def sign_out() -> BaseResponse:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        sign_in.sign_out(ctx(), secret)
    session.clear()
    flash("You have signed out.")
    response = redirect(url_for("sign_in.start"))
    response.delete_cookie(SESSION_COOKIE)
    return response


def _signed_in(secret: str) -> BaseResponse:
    wanted = session.pop("next", "")
    wanted = wanted if _LOCAL_PATH.fullmatch(wanted) else url_for("sign_in.home")
    response = redirect(wanted)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )
    return response


def _callback_uri() -> str:
    return f"{ctx().public_url}{url_for('sign_in.from_provider')}"


def _client() -> str:
    return request.remote_addr or "unknown"


def _link_refused() -> tuple[str, int]:
    return render_template("staff/link_refused.html", title="This link does not work"), 404


def _too_many() -> tuple[str, int]:
    return render_template("staff/too_many.html", title="Too many attempts"), 429


def _provider_refused() -> tuple[str, int]:
    page = render_template("staff/provider_refused.html", title="You could not be signed in")
    return page, 400
