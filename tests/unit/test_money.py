from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.directory import VatTreatment
from service.domain.money import STANDARD_RATE, charge, format_pounds, round_pence, vat_rate
from tests.unit.builders import a_line, an_invoice


def test_half_pennies_round_up_and_formatting_is_exact() -> None:
    assert [round_pence(Decimal(x)) for x in ("0.5", "1.49", "2.5", "-0.5")] == [1, 1, 3, -1]
    assert format_pounds(123456) == "£1,234.56" and format_pounds(-500) == "-£5.00"
    assert format_pounds(7) == "£0.07"


def test_only_vat_registered_venues_charge_vat_on_standard_rooms() -> None:
    assert vat_rate(VatTreatment.STANDARD, True) == STANDARD_RATE
    assert vat_rate(VatTreatment.STANDARD, False) == 0
    assert vat_rate(VatTreatment.EXEMPT, True) == 0


@settings(max_examples=200, deadline=None)
@given(
    price=st.integers(0, 1_000_000),
    minutes=st.integers(1, 24 * 60),
    rate=st.sampled_from([Decimal(0), Decimal("0.05"), STANDARD_RATE]),
)
def test_a_line_is_net_plus_vat_each_rounded_half_up_to_the_penny(
    price: int, minutes: int, rate: Decimal
) -> None:
    line = charge(price, minutes, rate)
    exact_net = Decimal(price) * minutes / 60
    assert abs(line.net - exact_net) <= Decimal("0.5")
    assert line.net == int(exact_net.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert line.vat == int((line.net * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert line.gross == line.net + line.vat
    assert line.negated().gross == -line.gross


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.integers(0, 20_000),
            st.integers(1, 12 * 60),
            st.sampled_from(VatTreatment),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_an_invoices_totals_are_sums_of_its_rounded_lines_and_only_registered_venues_add_vat(
    lines: list[tuple[int, int, VatTreatment, bool]],
) -> None:
    amounts = [charge(p, m, vat_rate(t, registered)) for p, m, t, registered in lines]
    invoice = an_invoice(
        lines=tuple(
            a_line(minutes=m, amount=a) for (_, m, _, _), a in zip(lines, amounts, strict=True)
        )
    )
    assert invoice.net_pence == sum(a.net for a in amounts)
    assert invoice.vat_pence == sum(a.vat for a in amounts)
    assert invoice.gross_pence == invoice.net_pence + invoice.vat_pence
    for (_, _, treatment, registered), amount in zip(lines, amounts, strict=True):
        if not registered or treatment is not VatTreatment.STANDARD:
            assert amount.vat == 0 and amount.gross == amount.net
    exact_vat = sum((Decimal(a.net) * a.rate for a in amounts), Decimal(0))
    assert abs(invoice.vat_pence - exact_vat) <= Decimal("0.5") * len(amounts)
