"""What a discrepancy is known by when a person resolves it, and the note they must give."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.domain.errors import PatientDataSuspected, RuleViolation
from service.domain.reconciliation import Discrepancy, DiscrepancyKind
from service.domain.resolutions import checked_note
from service.domain.spreadsheets import Money

AMOUNT = Discrepancy(
    DiscrepancyKind.AMOUNT_DIFFERS,
    "SMCH0001: the export says £57.00, we invoiced £75.00",
    invoice_id=1,
    venue_id=2,
    import_id=3,
)


def test_the_same_facts_from_a_newer_import_keep_the_key() -> None:
    assert replace(AMOUNT, import_id=9, line=40).key == AMOUNT.key
    assert len(AMOUNT.key) == 64 and int(AMOUNT.key, 16) >= 0


def test_other_figures_another_invoice_or_kind_make_another_key() -> None:
    other_amount = replace(AMOUNT, detail="SMCH0001: the export says £58.00, we invoiced £75.00")
    assert other_amount.key != AMOUNT.key
    assert replace(AMOUNT, invoice_id=4).key != AMOUNT.key
    assert replace(AMOUNT, problem=DiscrepancyKind.PO_DIFFERS).key != AMOUNT.key


def test_a_note_is_required_short_enough_and_holds_no_nhs_number() -> None:
    assert checked_note("  Sorted with AP.\n") == "Sorted with AP."
    for bad in ("", "   \n", "x" * 1001, "nul\x00here"):
        with pytest.raises(RuleViolation) as refused:
            checked_note(bad)
        assert refused.value.details["field"] == "note"
    with pytest.raises(PatientDataSuspected):
        checked_note("About 943 476 5919")
    assert checked_note("x" * 1000) == "x" * 1000


def test_money_in_a_table_is_plain_pounds() -> None:
    assert [str(Money(p)) for p in (0, 7, 123456, -500)] == ["0.00", "0.07", "1234.56", "-5.00"]
    assert str(Money(123456).pounds) == "1234.56"
