"""Exact money: integer pence; VAT per line, rounded half-up to the penny."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from service.domain.directory import VatTreatment

STANDARD_RATE = Decimal("0.20")


def round_pence(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_pounds(pence: int) -> str:
    """12345 -> '£123.45'; credits keep their sign in front: '-£5.00'."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def vat_rate(treatment: VatTreatment, venue_vat_registered: bool) -> Decimal:
    """Only a VAT-registered venue charges VAT, and only on standard-rated rooms."""
    if venue_vat_registered and treatment is VatTreatment.STANDARD:
        return STANDARD_RATE
    return Decimal(0)


@dataclass(frozen=True)
class LineAmount:
    net: int
    rate: Decimal
    vat: int

    @property
    def gross(self) -> int:
        return self.net + self.vat

    def negated(self) -> LineAmount:
        return LineAmount(-self.net, self.rate, -self.vat)


def charge(price_per_hour_pence: int, minutes: int, rate: Decimal) -> LineAmount:
    net = round_pence(Decimal(price_per_hour_pence) * minutes / 60)
    return LineAmount(net, rate, round_pence(net * rate))
