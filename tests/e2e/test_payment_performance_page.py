"""Finance's payment-performance page (Flask client): the Better Payment Practice Code figure
for a financial year, per trust and per venue in a table and an SVG chart and per trust by
month, the year chosen in a GET form (a year that isn't one refused in words), and the report
as CSV and as an Excel workbook read back with openpyxl (numbers as numbers, a
formula-looking name kept as text); roles."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from service.domain.users import Role
from tests.client import Client, client_for
from tests.conftest import Staff
from tests.e2e.exports import export, for_invoice, imported
from tests.e2e.staff import browser_as, text
from tests.fakes import FrozenClock

Who = dict[str, Any]
PAGE = "/finance/reports/payment-performance"
TRUST_NAME = '=HYPERLINK("http://evil.example","Severnvale MH Trust")'


@pytest.fixture
def trust(staff: Staff) -> Who:
    """A trust whose name a spreadsheet would run as a formula."""
    return staff.trust(name=TRUST_NAME)


@pytest.fixture
def paid(client: Client, trust_finance: Who, invoices: list[Who]) -> list[Who]:
    """Of six £75 invoices received on 4 January 2027: SMCH0001 paid in 25 days, SMCH0002
    in 47 (late); the other four unpaid."""
    paid = {"approval": "Approved", "paid": "75.00"}
    imported(
        client,
        trust_finance,
        export(
            for_invoice(invoices[0], payment_date="29-JAN-2027", payment_number="1", **paid),
            for_invoice(invoices[1], payment_date="20-FEB-2027", payment_number="2", **paid),
            *(for_invoice(i) for i in invoices[2:]),
        ),
    )
    return invoices


def test_the_page_shows_each_trust_and_venue_against_the_target(
    app: Flask, paid: list[Who]
) -> None:
    page = browser_as(app)
    response = page.get(PAGE)
    assert response.status_code == 200
    said = text(response.text)
    for scope, name in (("Trust", TRUST_NAME), ("Venue", "St Mark's Community Hall CIC")):
        assert (
            f"{scope} {name} Invoices paid 2 Paid within 30 days 1 % by number 50.0% "
            "% by value 50.0% Meets the 95% target No"
        ) in said
    assert "Better Payment Practice Code" in said and "The target is 95% of both" in said
    assert "Paid within 30 days, 2026-27" in said
    charts = re.findall(r'<img class="app-chart" src="([^"]+)" alt="([^"]+)"', response.text)
    assert [unescape(src) for src, _ in charts] == [
        f"{PAGE}/trust.svg?year=2026",
        f"{PAGE}/venue.svg?year=2026",
    ]
    assert all("The table below gives the same figures." in alt for _, alt in charts)
    assert f'href="{PAGE}.xlsx?year=2026"' in response.text
    assert f'href="{PAGE}.csv?year=2026"' in response.text
    # by month: January's on time, February's late, the other months with nothing paid
    assert f"{TRUST_NAME} Paid within 30 days by month, {TRUST_NAME}, 2026-27 Month" in said
    assert "Month April 2026 Invoices paid 0 Paid within 30 days 0" in said
    assert "Month January 2027 Invoices paid 1 Paid within 30 days 1 % by number 100.0%" in said
    assert "Month February 2027 Invoices paid 1 Paid within 30 days 0 % by number 0.0%" in said
    assert "Month March 2027 Invoices paid 0 Paid within 30 days 0 % by number Not measured" in said

    chart = page.get(f"{PAGE}/trust.svg?year=2026")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    policy = chart.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "unsafe" not in policy and "script" not in policy
    svg = chart.data.decode()
    assert "<script" not in svg and 'style="' not in svg
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in svg or '=HYPERLINK("http' in svg
    assert (
        "<title>Bar chart of the share of invoices paid within 30 days in 2026-27, by trust" in svg
    )
    assert page.get(f"{PAGE}/region.svg").status_code == 404


def test_nothing_paid_yet_draws_no_chart(app: Flask, invoices: list[Who]) -> None:
    said = browser_as(app).get(PAGE)
    assert said.status_code == 200
    assert "No invoice was paid in 2026-27, so there is nothing to measure." in text(said.text)
    assert "app-chart" not in said.text
    assert "Meets the 95% target Nothing paid" in text(said.text)
    assert "No invoice was paid in 2026-27." in text(said.text)


def test_finance_chooses_the_financial_year(
    app: Flask, clock: FrozenClock, paid: list[Who]
) -> None:
    """On 2 April 2028, 2028-29 is shown first; 2026-27, when these were paid, can be chosen."""
    clock.current = datetime(2028, 4, 2, 9, tzinfo=UTC)
    page = browser_as(app)
    now = page.get(PAGE)
    assert now.status_code == 200
    said = text(now.text)
    assert "Paid within 30 days, 2028-29" in said
    assert "No invoice was paid in 2028-29, so there is nothing to measure." in said
    form = now.text[now.text.index('<form method="get"') : now.text.index("</form>")]
    assert f'action="{PAGE}"' in form and 'type="submit"' in form
    assert re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>', form) == [
        ("2028", " selected", "2028-29"),
        ("2026", "", "2026-27"),
    ]
    chosen = page.get(f"{PAGE}?year=2026")
    assert chosen.status_code == 200
    assert "Paid within 30 days, 2026-27" in text(chosen.text)
    assert '<option value="2026" selected>2026-27</option>' in chosen.text
    assert "Invoices paid 2 Paid within 30 days 1" in text(chosen.text)
    workbook = page.get(f"{PAGE}.xlsx?year=2026")
    assert 'filename="payment-performance-2026-27.xlsx"' in workbook.headers["Content-Disposition"]
    an_older_year = page.get(f"{PAGE}?year=2019-20")
    assert an_older_year.status_code == 200
    assert '<option value="2019" selected>2019-20</option>' in an_older_year.text


@pytest.mark.parametrize("year", ["abc", "1800", "2026-28", "<script>"])
def test_a_year_that_is_not_a_financial_year_is_refused_in_words(
    app: Flask, paid: list[Who], year: str
) -> None:
    page = browser_as(app)
    refused = page.get(PAGE, query_string={"year": year})
    assert refused.status_code == 400
    said = text(refused.text)
    assert "There is a problem" in said
    assert said.count("Select a financial year from the list") == 2  # summary, and select
    assert 'href="#year"' in refused.text and 'id="year-error"' in refused.text
    assert "<script>" not in refused.text.split("</header>", 1)[1]
    assert "Paid within 30 days," not in said and "app-chart" not in refused.text
    for path in (f"{PAGE}.csv", f"{PAGE}.xlsx", f"{PAGE}/trust.svg"):
        download = page.get(path, query_string={"year": year})
        assert download.status_code == 400 and download.mimetype == "text/plain", path
        assert download.text.startswith("Choose a financial year from 2000 to 2099, such as")


def test_the_workbook_has_the_figures_as_numbers_and_names_as_text(
    app: Flask, client: Client, trust_finance: Who, paid: list[Who]
) -> None:
    page = browser_as(app)
    download = page.get(f"{PAGE}.xlsx")
    assert download.status_code == 200
    assert download.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = download.headers["Content-Disposition"]
    assert 'filename="payment-performance-2026-27.xlsx"' in disposition
    sheet = load_workbook(io.BytesIO(download.data)).active
    assert sheet is not None and sheet.title == "Payment performance 2026-27"
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:10] == [
        "scope",
        "id",
        "name",
        "financial year",
        "month",
        "paid",
        "paid within 30 days",
        "% by count",
        "% by value",
        "meets 95% target",
    ]
    assert all(c.font.bold for c in sheet[1])
    trust_row = {header[i]: c for i, c in enumerate(sheet[2])}
    assert (trust_row["scope"].value, trust_row["financial year"].value) == ("trust", "2026-27")
    name = trust_row["name"]
    assert name.value == TRUST_NAME and name.data_type == "s" and name.quotePrefix
    assert (trust_row["paid"].value, trust_row["paid within 30 days"].value) == (2, 1)
    assert Decimal(str(trust_row["% by count"].value)) == Decimal("50.0")
    assert trust_row["meets 95% target"].value == "no"
    unpaid = trust_row["unpaid 0-30 days (£)"]
    assert unpaid.value == 300 and unpaid.number_format == '"£"#,##0.00'  # four of £75
    assert trust_row["unpaid 0-30 days (count)"].value == 4
    assert trust_row["unpaid 90+ days (£)"].value == 0
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["B"].width
    months = [
        (r[4].value, r[5].value, r[6].value)
        for r in sheet.iter_rows(min_row=2)
        if r[0].value == "venue-month"
    ]
    assert months[9:11] == [("2027-01", 1, 1), ("2027-02", 1, 0)] and len(months) == 12
    with zipfile.ZipFile(io.BytesIO(download.data)) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere

    api = client.get("/api/v1/reports/payment-performance.xlsx", headers=trust_finance["headers"])
    assert api.status_code == 200 and api.data[:2] == b"PK"


def test_the_csv_is_the_apis(
    app: Flask, client: Client, trust_finance: Who, paid: list[Who]
) -> None:
    download = browser_as(app).get(f"{PAGE}.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    api = client.get("/api/v1/reports/payment-performance.csv", headers=trust_finance["headers"])
    assert download.data == api.data
    assert b"'=HYPERLINK" in download.data  # neutralised
    assert b",300.00," in download.data


def test_a_facilitator_gets_none_of_it(app: Flask, paid: list[Who]) -> None:
    page = browser_as(app, Role.FACILITATOR)
    for path in (
        PAGE,
        f"{PAGE}.csv",
        f"{PAGE}.xlsx",
        f"{PAGE}/trust.svg",
        f"{PAGE}/venue.svg?year=x",
    ):
        assert page.get(path).status_code == 403, path
    signed_out = client_for(app).get(f"{PAGE}/trust.svg")
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.location
