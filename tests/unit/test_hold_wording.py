"""A hold notice goes to the person who must act: it speaks to them, never about them."""

from __future__ import annotations

import pytest

from service.domain.reconciliation import HOLDS, Owner, explain_hold

ABOUT_THEM = {
    Owner.FACILITATOR: ("facilitator", "has been asked"),
    Owner.VENUE: ("the venue and", "venue's supplier record"),
    Owner.FINANCE: ("NHS finance must",),
}


@pytest.mark.parametrize("code", [*HOLDS, "SOMETHING NEW"])
def test_the_notice_speaks_to_whoever_must_act(code: str) -> None:
    meaning = explain_hold(code)
    assert not any(words in meaning.to_owner for words in ABOUT_THEM[meaning.owner]), code


def test_the_facilitator_is_told_what_to_do_and_finance_who_was_asked() -> None:
    qty = explain_hold("QTY REC")
    assert qty.owner is Owner.FACILITATOR
    assert qty.to_owner.startswith("You need to confirm the sessions on the purchase order")
    assert qty.for_staff.endswith("the booking's facilitator has been asked to.")
