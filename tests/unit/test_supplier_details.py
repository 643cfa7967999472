"""Supplier details and invoice line wording, without a database or HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from service.domain.directory import (
    VatTreatment,
    Venue,
    bank_details_change,
    check_phone,
    checked_supplier_details,
    mask_account_number,
    mask_sort_code,
    normalise_account_number,
    normalise_charity_number,
    normalise_company_number,
    normalise_sort_code,
    shown_in_audit,
    without_bank_details,
)
from service.domain.errors import RuleViolation
from service.domain.invoicing import hourly_rate, line_treatment, spoken_duration, vat_label
from service.domain.money import charge


@pytest.mark.parametrize(
    ("minutes", "spoken"),
    [(160, "2 h 40 min"), (120, "2 h"), (45, "45 min"), (0, "0 min"), (61, "1 h 1 min")],
)
def test_durations_are_hours_and_minutes_not_decimal_hours(minutes: int, spoken: str) -> None:
    assert spoken_duration(minutes) == spoken


def test_the_rate_times_the_duration_gives_the_net() -> None:
    """The issue's example: '2.67' hours against £32.91 could not be checked; 2 h 40 min at
    £12.34 an hour can: 12.34 * 160 / 60 = 32.906..., £32.91."""
    assert hourly_rate(1234) == "£12.34 an hour"
    assert charge(1234, 160, Decimal(0)).net == 3291
    assert hourly_rate(None) == ""  # not kept: no rate rather than a guess
    assert hourly_rate(123456) == "£1,234.56 an hour"


@pytest.mark.parametrize(
    ("treatment", "rate", "label"),
    [
        (VatTreatment.EXEMPT, Decimal(0), "Exempt"),
        (VatTreatment.OUTSIDE_SCOPE, Decimal(0), "Outside the scope of VAT"),
        (VatTreatment.ZERO, Decimal(0), "0%"),
        (VatTreatment.STANDARD, Decimal("0.20"), "20%"),
        (None, Decimal(0), "0%"),  # not recorded: the rate charged
    ],
)
def test_vat_labels(treatment: VatTreatment | None, rate: Decimal, label: str) -> None:
    assert vat_label(treatment, rate) == label


def test_a_line_records_the_treatment_that_matches_the_rate_it_was_charged() -> None:
    twenty, nil = Decimal("0.20"), Decimal(0)
    assert line_treatment(VatTreatment.STANDARD, twenty) is VatTreatment.STANDARD
    assert line_treatment(VatTreatment.EXEMPT, twenty) is VatTreatment.STANDARD  # as booked
    assert line_treatment(VatTreatment.ZERO, nil) is VatTreatment.ZERO
    assert line_treatment(VatTreatment.EXEMPT, nil) is VatTreatment.EXEMPT
    assert line_treatment(VatTreatment.STANDARD, nil) is None  # not guessed


@pytest.mark.parametrize("raw", ["123456", "12-34-56", "12 34 56", " 12-34 56 "])
def test_sort_codes_are_six_digits_shown_with_hyphens(raw: str) -> None:
    assert normalise_sort_code(raw) == "12-34-56"


@pytest.mark.parametrize("raw", ["12345", "1234567", "12-34-5x", "", "١٢٣٤٥٦"])
def test_other_sort_codes_are_refused(raw: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        normalise_sort_code(raw)
    assert refused.value.details["field"] == "bank_sort_code"


def test_account_numbers_are_eight_digits() -> None:
    assert normalise_account_number("1234 5678") == "12345678"
    for bad in ("1234567", "123456789", "abcdefgh"):
        with pytest.raises(RuleViolation):
            normalise_account_number(bad)


def test_company_charity_and_phone_numbers() -> None:
    assert normalise_company_number("sc 123456") == "SC123456"
    assert normalise_company_number("01234567") == "01234567"
    assert normalise_charity_number("1234567-1") == "1234567-1"
    assert normalise_charity_number("sc012345") == "SC012345"
    assert check_phone(" 0117  496 0123 ") == "0117 496 0123"
    assert check_phone("+44 (0)117 496 0123".replace("(0)", "")) == "+44 117 496 0123"
    for bad, check in (
        ("1234567", normalise_company_number),
        ("12", normalise_charity_number),
        ("999", check_phone),
    ):
        with pytest.raises(RuleViolation):
            check(bad)


def _venue(**details: Any) -> Venue:
    return Venue(
        "Chapel Hall", "1 Chapel Row", "BS5 9XX", "c@example.org", "r@example.org", **details
    )


def test_bank_details_come_as_a_pair() -> None:
    with pytest.raises(RuleViolation) as refused:
        checked_supplier_details(_venue(bank_sort_code="123456"))
    assert refused.value.details["field"] == "bank_account_number"
    both = checked_supplier_details(_venue(bank_sort_code="123456", bank_account_number="12345678"))
    assert (both.bank_sort_code, both.bank_account_number) == ("12-34-56", "12345678")
    assert without_bank_details(both).bank_sort_code is None


def test_bank_details_are_masked_in_the_audit_and_the_notice() -> None:
    assert (
        mask_sort_code("12-34-56") == "**-**-56" and mask_account_number("12345678") == "****5678"
    )
    assert shown_in_audit("bank_account_number", "12345678") == "****5678"
    assert shown_in_audit("bank_sort_code", None) == "none"
    assert shown_in_audit("name", "Chapel Hall CIC") == "Chapel Hall CIC"
    old = _venue(bank_sort_code="12-34-56", bank_account_number="12345678")
    new = _venue(bank_sort_code="12-34-56", bank_account_number="87654321")
    assert bank_details_change(old, new) == "account number ****5678 to ****4321"
    assert bank_details_change(old, _venue()) == (
        "sort code **-**-56 to none; account number ****5678 to none"
    )
    assert bank_details_change(_venue(), old) is None  # recorded for the first time
    assert bank_details_change(old, old) is None
