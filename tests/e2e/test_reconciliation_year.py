"""A winter of month ends for two trusts that share a venue, replayed at random through the
API: invoice runs, exports of each trust (with rows of numbers we never issued, at the other
trust's amounts), re-saved copies of older exports imported late, and cancelled invoices
reissued. After every step: each invoice's status is what the newest export that showed it
says (never moved back), no row crossed trusts, every session is charged once net of credit
notes, and the venue's status page agrees with finance's view of every invoice."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

import pytest
from flask import Flask

from service.domain.users import Role
from service.usecases.outbox_worker import deliver_due
from tests.client import Client
from tests.conftest import Staff, book_tuesdays, issue
from tests.e2e.conftest import create_link, path_of, send
from tests.e2e.exports import ApRow, export, for_invoice, imported, status

Who = dict[str, Any]
UNITS = ("RZZ SEVERNVALE MH TRUST", "RVJ NORTH BRISTOL NHS TRUST")
STATUSES = ("received", "on_hold", "approved", "paid", "cancelled")
BADGES = {
    "sent": "sent",
    "received": "received",
    "on_hold": "on hold",
    "approved": "approved",
    "paid": "paid",
    "cancelled": "cancelled",
}


@dataclass
class Trust:
    id: int
    finance: Who
    unit: str
    amount: str  # what each of its invoices is for (one session each)


@dataclass
class Year:
    """What the exports imported so far said, newest as-of first per invoice."""

    trusts: list[Trust]
    said: dict[int, tuple[date, int, str]] = field(default_factory=dict)  # as of, order, status
    files: list[tuple[int, date, bytes, dict[int, str]]] = field(default_factory=list)
    imports: int = 0

    def heard(self, as_of: date, statuses: dict[int, str]) -> None:
        self.imports += 1
        for invoice_id, said in statuses.items():
            if invoice_id not in self.said or self.said[invoice_id][0] <= as_of:
                self.said[invoice_id] = (as_of, self.imports, said)


def row(invoice: Who, said: str, unit: str) -> ApRow:
    match said:
        case "on_hold":
            return for_invoice(invoice, hold="QTY REC", unit=unit)
        case "approved":
            return for_invoice(invoice, approval="Approved", unit=unit)
        case "paid":
            paid = {"approval": "Approved", "payment_date": "01-FEB-2027", "payment_number": "P1"}
            amount = for_invoice(invoice).amount
            return for_invoice(invoice, paid=amount, unit=unit, **paid)
        case "cancelled":
            return for_invoice(invoice, invoice_status="Cancelled", unit=unit)
    return for_invoice(invoice, unit=unit)


def documents(client: Client, who: Who) -> list[Who]:
    response = client.get("/api/v1/invoices", headers=who["headers"])
    assert response.status_code == 200
    return list(response.json)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_winter_of_exports_and_reissues_keeps_every_invoice_true(
    seed: int,
    app: Flask,
    client: Client,
    staff: Staff,
    trust: Who,
    trust_finance: Who,
    venue_room: Who,
    clock: Any,
) -> None:
    rng = Random(seed)
    other = staff.trust(name="North Bristol NHS Trust", organisation_code="RVJ")
    other_finance = staff.user(Role.FINANCE, other["id"])
    for who, unit in ((trust, UNITS[0]), (other, UNITS[1])):
        client.patch(
            f"/api/v1/trusts/{who['id']}",
            json={"business_unit": unit},
            headers=staff.admin["headers"],
        )
    for who, finance, start, end, number in (
        (trust, trust_finance, "13:00", "16:00", "RZZPO0000123"),  # £75 a session
        (other, other_finance, "17:00", "19:00", "RZZPO0000777"),  # £50 a session
    ):
        facilitator = staff.user(Role.FACILITATOR, who["id"])
        po = staff.purchase_order(who["id"], venue_room["venue_id"], finance, number=number)
        book_tuesdays(
            staff,
            facilitator,
            venue_room,
            po,
            start_time=start,
            end_time=end,
            sessions=8,
            invoice_cadence="per_session",
        )
    year = Year(
        [
            Trust(trust["id"], trust_finance, UNITS[0], "50.00"),
            Trust(other["id"], other_finance, UNITS[1], "75.00"),
        ]
    )
    link = create_link(client, trust_finance, venue_room["venue_id"])
    clock.current = datetime(2026, 12, 2, 9, tzinfo=UTC)
    reissued: set[int] = set()

    for _ in range(9):
        today = clock.current.date()
        for one in year.trusts:  # the invoice run, emailed
            for invoice in issue(client, one.finance, str(today - timedelta(days=1)))["issued"]:
                send(client, one.finance, invoice)
        deliver_due(app.extensions["roomhire"], batch=100)

        if year.files and rng.random() < 0.3:  # an older export, saved again, imported late
            t, as_of, data, shown = rng.choice(year.files)
            resaved = data.replace(b"\r\n", b"\n") + b"\n" * rng.randint(1, 3)
            report = imported(client, year.trusts[t].finance, resaved, name=f"ap-{as_of}.csv")
            assert report["as_of"] == str(as_of)
            year.heard(as_of, shown)  # it counts only where it is as new as what is known
        else:
            t = rng.randrange(2)
            one = year.trusts[t]
            ours = [
                d
                for d in documents(client, one.finance)
                if d["kind"] == "invoice" and d["trust_id"] == one.id
            ]
            shown = {d["id"]: rng.choice(STATUSES) for d in ours if rng.random() < 0.7}
            by_id = {d["id"]: d for d in ours}
            rows = [row(by_id[i], said, one.unit) for i, said in shown.items()]
            rows += [  # numbers we never issued, no PO, at the other trust's amount
                ApRow(f"NB{year.imports}{n}", one.amount, "", approval="Approved", unit=one.unit)
                for n in range(rng.randint(0, 2))
            ]
            as_of = today - timedelta(days=rng.randint(0, 2))
            data = export(*rng.sample(rows, len(rows)))
            imported(client, one.finance, data, name=f"ap-{as_of}.csv")
            year.files.append((t, as_of, data, shown))
            year.heard(as_of, shown)

        for invoice_id, (_, _, said) in year.said.items():  # reissue some cancelled ones
            if said == "cancelled" and invoice_id not in reissued and rng.random() < 0.6:
                done = client.post(
                    f"/api/v1/invoices/{invoice_id}/reissue",
                    json={"reason": "wrong_address"},
                    headers=trust_finance["headers"],
                )
                assert done.status_code == 200, done.json
                reissued.add(invoice_id)

        everything = documents(client, trust_finance)
        venue_page = {
            line["number"]: line["status"]
            for line in client.get(path_of(link) + ".json").json["invoices"]
        }
        for document in everything:
            if document["kind"] != "invoice":
                assert venue_page[document["number"]] == "credit note"
                continue
            known = status(client, trust_finance, document)["state"]
            expected = year.said.get(document["id"], (None, None, "sent"))[2]
            assert known["status"] == expected, (document["number"], known)
            assert venue_page[document["number"]] == BADGES[known["status"]]
        charged: Counter[int] = Counter()
        for document in everything:
            for line in document["lines"]:
                charged[line["session_id"]] += 1 if line["gross_pence"] > 0 else -1
        assert set(charged.values()) <= {0, 1}  # never twice; 0 only until the next run
        clock.current += timedelta(days=rng.randint(4, 12))

    clock.current = datetime(2027, 2, 1, 9, tzinfo=UTC)
    for one in year.trusts:  # a last run: every session held is charged exactly once
        issue(client, one.finance, "2027-01-31")
    charged = Counter()
    for document in documents(client, trust_finance):
        for line in document["lines"]:
            charged[line["session_id"]] += 1 if line["gross_pence"] > 0 else -1
    assert len(charged) == 16 and set(charged.values()) == {1}
