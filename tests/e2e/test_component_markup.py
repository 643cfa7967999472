"""The fields written out in staff/components.html are the design system's: for each set of
parameters the pages use (an error or none, a choice made, what was typed, characters to
escape), they give the same elements, attributes and text as nhsuk-frontend-jinja's macros;
only the whitespace between them differs."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask

from service.app import create_app
from service.config import Config
from service.web.forms import FormErrors, date_items

NHSUK = {
    "header": ("nhsuk/components/header/macro.jinja", "header"),
    "select_field": ("nhsuk/components/select/macro.jinja", "select"),
    "text_field": ("nhsuk/components/input/macro.jinja", "input"),
    "date_field": ("nhsuk/components/date-input/macro.jinja", "dateInput"),
    "summary_list": ("nhsuk/components/summary-list/macro.jinja", "summaryList"),
    "pagination": ("nhsuk/components/pagination/macro.jinja", "pagination"),
}
ERROR = {"text": 'Select a venue from the "list" <now>'}
ITEMS = [
    {"value": "", "text": "Every venue"},
    {"value": "1", "text": "Chapel Hall & Rooms", "selected": False},
    {"value": "2", "text": "St Anne's <Hall>", "selected": True},
]

ACTIONS = {
    "items": [
        {
            "href": "/finance/invoices?status=x&y=1",
            "text": "See the list",
            "visuallyHiddenText": "of <them>",
        },
        {"href": "/finance/outbox", "text": "Send again", "visuallyHiddenText": "the emails"},
    ]
}


def _date(error: dict[str, str] | None, typed: dict[str, str]) -> dict[str, Any]:
    errors = FormErrors()
    if error:
        errors.add("from", error["text"])
    return {
        "id": "from",
        "namePrefix": "from",
        "fieldset": {"legend": {"text": "Issued from (optional)", "size": "s"}},
        "hint": {"text": "For example, 1 11 2026"},
        "items": date_items(typed, "from", errors),
        "errorMessage": errors.on("from"),
    }


SERVICE = {"text": "Roomhire", "href": "/"}
ACCOUNT = {
    "items": [
        {"href": "/account", "text": "finance@example.nhs.uk", "icon": True},
        {"href": "/sign-out", "text": "Sign <out>"},
    ]
}
MENU = {
    "items": [
        {"href": "/finance", "text": "Work to do", "current": True},
        {"href": "/finance/invoices?a=1&b=2", "text": "Invoices", "current": False},
    ]
}
PREVIOUS = {"href": "/finance/invoices?page=1&status=paid", "labelText": "Page 1 of 1,000"}
NEXT = {"href": "/finance/invoices?page=3", "labelText": "Page <3>"}
CASES = [
    ("pagination", {"previous": PREVIOUS, "next": NEXT}),
    ("pagination", {"next": NEXT}),
    ("pagination", {"previous": PREVIOUS}),
    ("header", {"service": SERVICE}),
    ("header", {"service": SERVICE, "account": ACCOUNT, "navigation": MENU}),
    ("select_field", {"id": "venue", "name": "venue", "label": {"text": "Venue"}, "items": ITEMS}),
    ("select_field", {"id": "s", "name": "s", "label": {"text": "Status"}, "items": ITEMS[:1]}),
    (
        "select_field",
        {
            "id": "venue",
            "name": "venue",
            "label": {"text": "V"},
            "items": ITEMS,
            "errorMessage": ERROR,
        },
    ),
    (
        "text_field",
        {"id": "hold", "name": "hold", "label": {"text": "Hold code (optional)"}, "value": ""},
    ),
    (
        "text_field",
        {
            "id": "hold",
            "name": "hold",
            "label": {"text": "Hold <code>"},
            "value": 'QTY "REC" & <b>',
            "classes": "nhsuk-input--width-10",
            "errorMessage": ERROR,
        },
    ),
    ("date_field", _date(None, {})),
    ("date_field", _date(None, {"from[day]": "1", "from[month]": "11", "from[year]": "2026"})),
    ("date_field", _date(ERROR, {"from[day]": "31", "from[month]": "2", "from[year]": '"x'})),
    ("summary_list", {"rows": [{"key": {"text": "Paid"}, "value": {"text": "£1 & <2>"}}]}),
    (
        "summary_list",
        {
            "rows": [
                {"key": {"text": "Failed"}, "value": {"text": "1 invoice"}, "actions": ACTIONS},
                {"key": {"text": "Lost"}, "value": {"text": "0 invoices"}},
                {
                    "key": {"text": "To <confirm>"},
                    "value": {"text": "2 invoices"},
                    "actions": {"items": ACTIONS["items"][:1]},
                },
            ]
        },
    ),
]


class _Elements(HTMLParser):
    """Start and end tags with their attributes (in any order) and text, trimmed, but for the
    space that starts the text of a link or span (the words a screen reader runs on with)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[Any, ...]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(("start", tag, sorted(attrs, key=lambda a: a[0])))

    def handle_endtag(self, tag: str) -> None:
        self.found.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if not data.strip():
            return
        words = " ".join(data.split())
        inline = self.found and self.found[-1][:2] in (("start", "span"), ("start", "a"))
        self.found.append(("text", f" {words}" if inline and data[0].isspace() else words))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder = tmp_path_factory.mktemp("fields")
    return create_app(Config(f"sqlite:///{folder / 'unused.db'}", "x", folder))


@pytest.mark.parametrize(("ours", "params"), CASES)
def test_each_component_is_the_design_systems(
    app: Flask, ours: str, params: dict[str, Any]
) -> None:
    template, macro = NHSUK[ours]
    with app.test_request_context():
        written = app.jinja_env.get_template("staff/components.html").module
        theirs = getattr(app.jinja_env.get_template(template).module, macro)
        expected = _Elements(str(theirs(params))).found
        assert _Elements(str(getattr(written, ours)(params))).found == expected
    assert len(expected) > 5  # elements were found, not two empty lists
