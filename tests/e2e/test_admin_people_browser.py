"""An admin looks after people in real headless Chromium (Debian's `chromium`, Playwright)
against the app served on 127.0.0.1, without JavaScript: add a person (their API key shown
once), change their role, disable and enable their account, then find those changes in the
audit log filtered by person. axe-core checks every page; screenshots at 375 and 1280 px in
`test-output/admin-people/`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from service.domain.users import Role
from tests.e2e.journeys import Checked, Site, heading, live_site, sign_in
from tests.e2e.staff import person

pytestmark = pytest.mark.slow  # pages in real Chromium under a live server

NEWCOMER = "sam.jones@example.nhs.uk"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with live_site(tmp_path_factory, "admin-people") as site:
        yield site


def test_an_admin_adds_a_person_changes_them_and_finds_it_in_the_audit_log(
    site: Site, browser: Any
) -> None:
    ctx = site.app.extensions["roomhire"]
    admin = person(ctx, Role.ADMIN)
    site.staff.trust()
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(10_000)
    check = Checked(site, page, "people")
    sign_in(site, page, admin["email"])
    page.goto(site.base + "/admin/people")
    assert heading(page) == "People"
    check("people")

    page.get_by_role("button", name="Add a person").click()
    assert heading(page) == "Add a person"
    check("add-a-person")
    page.get_by_role("button", name="Add the person").click()
    assert page.get_by_role("link", name="Enter their work email address").is_visible()
    check.posted("add-a-person-refused")
    page.get_by_label("Work email address").fill(NEWCOMER)
    page.get_by_label("Finance", exact=True).check()
    page.get_by_role("button", name="Add the person").click()
    assert heading(page) == f"Added {NEWCOMER}"
    key = page.get_by_label(f"API key for {NEWCOMER}").input_value()
    assert re.fullmatch(r"rh_[\w-]{43}", key)
    assert "This API key is shown only once" in page.content()
    check.posted("key-shown-once")
    me = site.staff.client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json["role"] == "finance"

    page.get_by_role("link", name=f"Go to {NEWCOMER}'s page").click()
    assert heading(page) == NEWCOMER and key not in page.content()
    check("person")
    page.get_by_label("Admin", exact=True).check()
    page.get_by_role("button", name="Change role").click()
    assert f"{NEWCOMER} is now admin." in page.content()
    check("role-changed")

    page.get_by_role("button", name="Disable their account").click()
    assert heading(page) == f"Disable {NEWCOMER}?"
    check("confirm-disable")
    page.get_by_role("button", name="Disable their account").click()
    assert "account is disabled." in page.content()
    assert "Disabled" in page.locator(".nhsuk-summary-list").inner_text()
    check("disabled")
    page.get_by_role("button", name="Enable their account").click()
    check("confirm-enable")
    page.get_by_role("button", name="Enable their account").click()
    assert "account is enabled." in page.content()

    page.get_by_role("link", name=f"See what {NEWCOMER} has done").click()
    assert heading(page) == "Audit log"
    page.goto(site.base + "/admin/audit")
    page.get_by_label("Who", exact=True).select_option(label=admin["email"])
    page.get_by_role("button", name="Show changes").click()
    rows = page.locator("tbody tr").all_inner_texts()
    what = [re.sub(r"\s+", " ", r) for r in rows]
    assert len(what) == 5, what  # enabled, disabled, role changed, added; then signing in
    for words, row in zip(
        ("Account enabled", "Account disabled", "Role changed", "Added", "Signed in"),
        what,
        strict=True,
    ):
        assert words in row and admin["email"] in row, (words, row)
    assert "from finance to admin" in what[2]
    check("audit-by-person")
    page.get_by_role("link", name=re.compile(r"^Person \d+$")).first.click()
    assert heading(page) == NEWCOMER

    page.goto(site.base + "/admin/audit?entry=invoice&entry_id=twelve")
    assert page.get_by_role("link", name="The entry number must be a whole number").is_visible()
    check("audit-bad-filter")
    page.context.close()
