"""What a venue reads about each of its invoices: a badge and plain words for every status."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from service.domain.exports import FinanceStatus
from service.domain.invoicing import DocumentKind
from service.domain.venue_status import Badge, StatementEntry, describe
from tests.unit.builders import SENT_ON, a_state


def an_entry(**overrides: Any) -> StatementEntry:
    """SMCH0001, £75.00, emailed on 4 January 2027 and not yet seen in an export."""
    values: dict[str, Any] = {
        "invoice_id": 1,
        "kind": DocumentKind.INVOICE,
        "number": "SMCH0001",
        "issue_date": date(2027, 1, 3),
        "po_number": "RZZPO0000001",
        "description": "Room hire",
        "gross_pence": 7500,
        "credits_invoice": None,
        "sent_on": SENT_ON,
        "state": None,
    }
    return StatementEntry(**{**values, **overrides})


PAID = {"paid_pence": 7500, "payment_date": date(2027, 1, 30), "payment_number": "7713388"}


@pytest.mark.parametrize(
    ("entry", "badge", "words"),
    [
        (
            an_entry(sent_on=None),
            Badge.NOT_SENT,
            "Issued; we haven't sent it to NHS accounts yet.",
        ),
        (an_entry(), Badge.SENT, "Sent to NHS accounts on 4 January 2027."),
        (
            an_entry(state=a_state(received_on=date(2027, 1, 6))),
            Badge.RECEIVED,
            "Received by NHS accounts on 6 January 2027.",
        ),
        (
            an_entry(state=a_state(status=FinanceStatus.APPROVED)),
            Badge.APPROVED,
            "Approved — due to be paid by 3 February 2027.",
        ),
        (
            an_entry(state=a_state(status=FinanceStatus.PAID, **PAID)),
            Badge.PAID,
            "Paid £75.00 on 30 January 2027 — remittance 7713388.",
        ),
        (
            an_entry(state=a_state(status=FinanceStatus.PART_PAID, paid_pence=2500)),
            Badge.PART_PAID,
            "Part paid £25.00 of £75.00.",
        ),
        (
            an_entry(
                state=a_state(status=FinanceStatus.ON_HOLD, holds=("QTY REC", "DIST ACCT INVALID"))
            ),
            Badge.ON_HOLD,
            "On hold: the NHS team hasn't confirmed the sessions yet — we've asked them; "
            "NHS finance is correcting its own accounting codes — nothing is needed from you.",
        ),
        (
            an_entry(state=a_state(status=FinanceStatus.CANCELLED)),
            Badge.CANCELLED,
            "Cancelled by NHS accounts. If you didn't expect this, tell us.",
        ),
        (
            an_entry(state=a_state(status=FinanceStatus.REJECTED)),
            Badge.REJECTED,
            "Rejected by NHS accounts. We are finding out why.",
        ),
        (
            an_entry(
                kind=DocumentKind.CREDIT_NOTE,
                gross_pence=-7500,
                credits_invoice="SMCH0001",
                sent_on=None,
            ),
            Badge.CREDIT,
            "Credit note against SMCH0001: it reduces what is owed.",
        ),
    ],
    ids=lambda value: value.value if isinstance(value, Badge) else "",
)
def test_each_status_has_its_badge_and_words(
    entry: StatementEntry, badge: Badge, words: str
) -> None:
    line = describe(entry)
    assert (line.badge, line.words) == (badge, words)


def test_receipt_falls_back_to_the_sending_then_to_the_issue_date() -> None:
    seen = a_state(received_on=None)
    assert describe(an_entry(state=seen)).words.endswith("on 4 January 2027.")
    unsent = describe(an_entry(state=seen, sent_on=None))
    assert unsent.words == "Received by NHS accounts on 3 January 2027."


def test_a_line_keeps_the_invoice_details_and_shows_a_credit_as_negative() -> None:
    line = describe(an_entry(kind=DocumentKind.CREDIT_NOTE, number="SMCHCN0001", gross_pence=-7500))
    assert (line.number, line.po_number, line.issue_date, line.amount) == (
        "SMCHCN0001",
        "RZZPO0000001",
        date(2027, 1, 3),
        "-£75.00",
    )


@pytest.mark.parametrize(
    ("status", "holds", "start"),
    [
        (FinanceStatus.ON_HOLD, ("QTY REC",), "On hold: the NHS team hasn't confirmed"),
        (FinanceStatus.APPROVED, (), "Approved — due to be paid by 3 February 2027."),
        (FinanceStatus.RECEIVED, (), "Received by NHS accounts on 4 January 2027."),
        (FinanceStatus.CANCELLED, (), "Cancelled by NHS accounts."),
    ],
)
def test_a_part_payment_is_shown_whatever_follows_it(
    status: FinanceStatus, holds: tuple[str, ...], start: str
) -> None:
    """Finance sees 'on hold, £23.40 paid': so does the venue."""
    line = describe(an_entry(state=a_state(status=status, holds=holds, paid_pence=2340)))
    assert line.words.startswith(start)
    assert line.words.endswith(" £23.40 of £75.00 paid so far.")


def test_nothing_paid_says_nothing_of_payments() -> None:
    assert (
        "paid so far" not in describe(an_entry(state=a_state(status=FinanceStatus.ON_HOLD))).words
    )


@pytest.mark.parametrize(
    ("status", "again", "words"),
    [
        (
            FinanceStatus.CANCELLED,
            (),
            "Cancelled by NHS accounts, and credited by credit note SMCHCN0001, so nothing is "
            "owed on it. Its sessions will go on a new invoice.",
        ),
        (
            FinanceStatus.REJECTED,
            ("SMCH0009",),
            "Rejected by NHS accounts, and credited by credit note SMCHCN0001, so nothing is "
            "owed on it. Its sessions are on invoice SMCH0009 instead.",
        ),
    ],
)
def test_a_reissued_invoice_says_what_took_it_back_and_where_its_sessions_went(
    status: FinanceStatus, again: tuple[str, ...], words: str
) -> None:
    entry = an_entry(state=a_state(status=status), credited_by="SMCHCN0001", charged_again_on=again)
    assert describe(entry).words == words


def test_the_credit_note_of_a_reissue_says_it_cancels_the_invoice() -> None:
    entry = an_entry(
        kind=DocumentKind.CREDIT_NOTE,
        gross_pence=-7500,
        credits_invoice="SMCH0001",
        reissue_credit=True,
    )
    assert describe(entry).words == (
        "Credit note against SMCH0001: it cancels that invoice, so nothing is owed on it. "
        "Its sessions are invoiced again."
    )
