"""PO number patterns admins can save: no groups or alternatives, so none backtracks for
seconds on a long number."""

from __future__ import annotations

import pytest

from service.domain.directory import check_pattern
from service.domain.errors import RuleViolation


@pytest.mark.parametrize("pattern", [r"RZZPO\d{7}", r"[A-Z]{3}PO\d{6,8}", r"PO-\d+", r"X\(\d\)"])
def test_plain_patterns_are_kept(pattern: str) -> None:
    assert check_pattern(pattern) == pattern


@pytest.mark.parametrize(
    "pattern", [r"(\d|\d)*X", r"(a+)+$", r"RZZ|RVJ", "RZZ(PO", r"\d{7}" * 30, "[unclosed"]
)
def test_patterns_that_could_backtrack_or_dont_compile_are_refused(pattern: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_pattern(pattern)
    assert refused.value.details["field"] == "po_number_pattern"
