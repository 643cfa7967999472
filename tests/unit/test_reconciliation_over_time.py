"""Reconciliation over a year and across trusts, on plain objects: whose rows an export's
are, the day an export is as of, and an older export that never moves an invoice back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from service.domain.errors import RuleViolation
from service.domain.exports import AsOfSource, FinanceStatus, date_in_name, export_as_of
from service.domain.reconciliation import (
    DiscrepancyKind,
    EventKey,
    Reconciliation,
    TrustScope,
    discrepancies,
    match,
    reconcile,
)
from service.domain.venue_status import Badge, describe
from tests.unit.builders import IMPORTED_AT, TRUST_ID, a_row, a_state, issued_invoices
from tests.unit.test_venue_status import an_entry

OURS, THEIRS = "RZZ SEVERNVALE MH TRUST", "RVJ NORTH BRISTOL NHS TRUST"
OTHER_TRUST = TRUST_ID + 1
FIRST, SECOND = issued_invoices(2)
OTHERS = replace(SECOND, trust_id=OTHER_TRUST)  # another trust's invoice at the same venue
UNITS = {OURS: TRUST_ID, THEIRS: OTHER_TRUST}


def test_a_row_of_another_trust_never_takes_one_of_our_invoices_by_po_and_amount() -> None:
    row = a_row(FIRST, invoice_number="NB4471", po_number=None, business_unit=THEIRS)
    found = match([row], [FIRST], TrustScope(UNITS, importer=OTHER_TRUST))
    assert (found.rows, found.unknown) == ({}, [row])
    found = match([row], [FIRST, OTHERS], TrustScope(UNITS))  # within its own trust, it may
    assert found.rows == {OTHERS.id: [row]} and found.fallback == {OTHERS.id}


def test_a_number_of_ours_in_another_trusts_rows_is_not_ours() -> None:
    row = a_row(FIRST, business_unit=THEIRS)
    assert match([row], [FIRST], TrustScope(UNITS)).unknown == [row]


@pytest.mark.parametrize(
    ("unit", "importer", "ours", "trust"),
    [
        (OURS, None, True, TRUST_ID),  # a unit a trust records is that trust's
        (THEIRS, TRUST_ID, True, OTHER_TRUST),  # whoever imports it
        (None, TRUST_ID, True, TRUST_ID),  # no unit: the importer's trust
        (None, None, True, None),  # an administrator, no unit: unknown
        ("RA7 ELSEWHERE", TRUST_ID, False, TRUST_ID),  # our unit is recorded: not ours
        ("RA7 ELSEWHERE", 99, True, 99),  # the importer's trust records none: can't tell
        ("RA7 ELSEWHERE", None, True, None),
    ],
)
def test_whose_row_it_is(
    unit: str | None, importer: int | None, ours: bool, trust: int | None
) -> None:
    scope, row = TrustScope(UNITS, importer), a_row(FIRST, business_unit=unit)
    assert (scope.is_ours(row), scope.trust_of(row)) == (ours, trust)


def test_with_the_trust_unknown_the_fallback_needs_a_venue_that_invoices_one_trust() -> None:
    mis_keyed = a_row(FIRST, invoice_number="SMCHO001")
    assert match([mis_keyed], [FIRST], TrustScope()).fallback == {FIRST.id}
    assert match([mis_keyed], [FIRST, OTHERS], TrustScope()).unknown == [mis_keyed]
    assert match([mis_keyed], [FIRST, OTHERS], TrustScope(importer=TRUST_ID)).fallback == {1}


def test_an_unconfirmed_match_does_not_silence_the_lost_alarm() -> None:
    def kinds(**state: bool) -> set[DiscrepancyKind]:
        return {d.problem for d in discrepancies(FIRST, a_state(**state), lost=True)}

    assert DiscrepancyKind.LOST in kinds(fallback=True, confirmed=False)
    assert DiscrepancyKind.LOST not in kinds(fallback=True, confirmed=True)
    assert DiscrepancyKind.LOST not in kinds()


def test_the_venue_is_not_told_of_an_unconfirmed_match() -> None:
    guessed = a_state(status=FinanceStatus.APPROVED, fallback=True)
    assert describe(an_entry(state=guessed)).badge is Badge.SENT
    confirmed = replace(guessed, confirmed=True)
    assert describe(an_entry(state=confirmed)).badge is Badge.APPROVED


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("ap-report-2026-11-30.csv", date(2026, 11, 30)),
        ("AP_20261130_final.csv", date(2026, 11, 30)),
        ("ap 30.11.2026.csv", date(2026, 11, 30)),
        ("ap-30-11-2026 (1).csv", date(2026, 11, 30)),
        ("ap-2026-13-45.csv", None),  # not a date
        ("ap-report.csv", None),
        ("invoice 202611301.csv", None),  # a longer number, not a date
    ],
)
def test_a_date_in_the_file_name(name: str, day: date | None) -> None:
    assert date_in_name(name) == day


def test_the_day_an_export_is_as_of_surest_first() -> None:
    today = date(2026, 12, 10)
    dated = [a_row(FIRST, as_of=date(2026, 12, 1)), a_row(FIRST, as_of=date(2026, 12, 2))]
    named = "ap-2026-11-30.csv"
    assert export_as_of(date(2026, 11, 1), dated, named, today) == (
        date(2026, 11, 1),
        AsOfSource.GIVEN,
    )
    assert export_as_of(None, dated, named, today) == (date(2026, 12, 2), AsOfSource.COLUMN)
    assert export_as_of(None, [], named, today) == (date(2026, 11, 30), AsOfSource.FILE_NAME)
    assert export_as_of(None, [], "ap.csv", today) == (today, AsOfSource.IMPORTED)
    future = [a_row(FIRST, as_of=date(2027, 1, 1))]
    assert export_as_of(None, future, "ap.csv", today) == (today, AsOfSource.IMPORTED)
    with pytest.raises(RuleViolation, match="can't be in the future"):
        export_as_of(date(2026, 12, 11), [], named, today)


def test_an_older_export_keeps_the_later_state_and_adds_only_what_history_lacks() -> None:
    paid = a_state(status=FinanceStatus.PAID, paid_pence=7500, as_of=date(2027, 2, 10))
    held = a_row(FIRST, hold_name="QTY REC", hold_reason="Quantity")
    recorded: dict[int, set[EventKey]] = {FIRST.id: {(FinanceStatus.RECEIVED, None, None)}}

    def older(as_of: date, known: dict[int, set[EventKey]]) -> Reconciliation:
        states = {FIRST.id: paid}
        return reconcile(
            [held], [FIRST], states, import_id=9, at=IMPORTED_AT, as_of=as_of, recorded=known
        )

    found = older(date(2027, 1, 20), recorded)
    assert (found.changed, found.kept, found.older_than) == ([], 1, date(2027, 2, 10))
    [event] = found.events
    assert (event.status, event.hold_code, event.as_of) == (
        FinanceStatus.ON_HOLD,
        "QTY REC",
        date(2027, 1, 20),
    )
    with_hold = {FIRST.id: {*recorded[FIRST.id], event.key}}
    assert older(date(2027, 1, 20), with_hold).events == []

    same_day = older(date(2027, 2, 10), recorded)  # as new as the state: it applies
    assert [s.status for s in same_day.changed] == [FinanceStatus.ON_HOLD]
