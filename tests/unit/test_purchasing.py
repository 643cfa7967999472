"""Purchase orders on plain objects: a PO covers sessions of its trust, venue and dates up to
its approved value, and says in words what is wrong when it can't."""

from __future__ import annotations

from datetime import date

import pytest

from service.domain.bookings import SessionStatus
from service.domain.errors import RuleViolation
from service.domain.purchasing import (
    PurchaseOrderExceeded,
    PurchaseOrderNotValid,
)
from tests.unit.builders import TRUST_ID, VENUE_ID, a_purchase_order, a_session

PATTERN = r"RZZPO\d{7}"


def test_the_number_is_kept_as_keyed_in_capitals_without_spaces() -> None:
    assert a_purchase_order(number=" rzzpo 000 0001\t").number == "RZZPO0000001"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"valid_to": date(2026, 3, 31)}, "valid_to is before its valid_from"),
        ({"approved_value_pence": 0}, "more than £0.00"),
    ],
)
def test_a_po_ending_before_it_starts_or_worth_nothing_is_refused(
    change: dict[str, object], says: str
) -> None:
    with pytest.raises(RuleViolation, match=says):
        a_purchase_order(**change)


def test_a_number_not_in_the_trusts_format_is_refused_without_showing_the_pattern() -> None:
    a_purchase_order().check_number(PATTERN)
    with pytest.raises(RuleViolation) as refused:
        a_purchase_order(number="RZZ-123").check_number(PATTERN, "Severnvale MH Trust")
    assert str(refused.value) == (
        "PO number RZZ-123 is not in Severnvale MH Trust's PO number format. "
        "Check it against the purchase order."
    )
    assert PATTERN not in str(refused.value)


def test_it_covers_its_venue_from_its_first_to_its_last_day() -> None:
    po = a_purchase_order()
    assert po.covers(date(2026, 4, 1), VENUE_ID) and po.covers(date(2027, 3, 31), VENUE_ID)
    assert not po.covers(date(2027, 4, 1), VENUE_ID)
    assert not po.covers(date(2026, 3, 31), VENUE_ID)
    assert not po.covers(date(2026, 6, 1), VENUE_ID + 1)


@pytest.mark.parametrize(
    ("venue_id", "trust_id", "says"),
    [
        (VENUE_ID, None, "its facilitator belongs to no trust"),
        (VENUE_ID, TRUST_ID + 1, "belongs to another trust"),
        (VENUE_ID + 1, TRUST_ID, "is for another venue"),
    ],
)
def test_a_po_of_another_trust_or_venue_covers_nothing(
    venue_id: int, trust_id: int | None, says: str
) -> None:
    with pytest.raises(PurchaseOrderNotValid, match=says):
        a_purchase_order().ensure_covers([date(2027, 1, 5)], venue_id, trust_id)


def test_a_date_outside_the_po_is_named() -> None:
    with pytest.raises(PurchaseOrderNotValid) as refused:
        a_purchase_order().ensure_covers([date(2027, 3, 30), date(2027, 4, 6)], VENUE_ID, TRUST_ID)
    assert str(refused.value).endswith("Tuesday 6 April 2027 is outside it.")
    assert refused.value.details["date"] == "2027-04-06"


def test_sessions_after_its_end_wait_for_the_next_years_po() -> None:
    po = a_purchase_order()
    sessions = [
        a_session(date(2027, 3, 23)),
        a_session(date(2027, 3, 30)),
        a_session(date(2027, 4, 6)),
    ]
    moved = po.cover(sessions, VENUE_ID, TRUST_ID, 0, "This booking")
    assert moved == sessions[:2]
    assert [s.purchase_order_id for s in sessions] == [1, 1, None]


def test_a_po_ending_before_the_first_session_covers_none_and_says_so() -> None:
    with pytest.raises(PurchaseOrderNotValid, match="ends on Wednesday 31 March 2027, before"):
        a_purchase_order().cover([a_session(date(2027, 4, 6))], VENUE_ID, TRUST_ID, 0, "It")


def test_only_chargeable_sessions_count_against_its_value_and_its_dates() -> None:
    """Three £75 sessions on a £150 PO fit when one of them was cancelled by the venue."""
    po = a_purchase_order(approved_value_pence=15_000)
    sessions = [a_session(date(2027, 1, d)) for d in (5, 12, 19)]
    sessions[1].status = SessionStatus.CANCELLED_BY_VENUE
    assert po.cover(sessions, VENUE_ID, TRUST_ID, 0, "This booking") == sessions


def test_sessions_already_on_it_are_not_moved_or_counted_again() -> None:
    po = a_purchase_order(approved_value_pence=7_500)
    sessions = [a_session(date(2027, 1, 5), purchase_order_id=1), a_session(date(2027, 1, 12))]
    assert po.cover(sessions, VENUE_ID, TRUST_ID, 0, "This booking") == sessions[1:]


def test_going_over_its_value_is_refused_saying_by_how_much() -> None:
    po = a_purchase_order(approved_value_pence=20_000)
    sessions = [a_session(date(2027, 1, d)) for d in (5, 12)]
    with pytest.raises(PurchaseOrderExceeded) as refused:
        po.cover(sessions, VENUE_ID, TRUST_ID, 6_000, "This booking")
    assert str(refused.value).startswith(
        "This booking would exceed PO RZZPO0000001 by £10.00 (approved £200.00, "
        "already £60.00, this £150.00)."
    )
    assert refused.value.details["over_by_pence"] == 1_000
    assert [s.purchase_order_id for s in sessions] == [None, None]  # nothing moved


def test_exactly_its_value_is_allowed() -> None:
    a_purchase_order(approved_value_pence=15_000).ensure_room_for(7_500, 7_500, "It")
