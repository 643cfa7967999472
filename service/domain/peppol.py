"""PEPPOL participant identifiers: how the network addresses a trust or a venue (an
electronic address scheme, EAS, and an identifier in it), and the shapes the directory accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.domain.errors import RuleViolation

GLN = "0088"  # GS1 Global Location Number: 13 digits, the last a check digit
UK_VAT = "9932"  # United Kingdom VAT number: GB and 9 or 12 digits
DUNS = "0060"  # Dun & Bradstreet D-U-N-S number: 9 digits

_SHAPES = {
    GLN: re.compile(r"[0-9]{13}"),
    UK_VAT: re.compile(r"GB([0-9]{9}|[0-9]{12})"),
    DUNS: re.compile(r"[0-9]{9}"),
}
SCHEME_NAMES = {GLN: "GLN", UK_VAT: "UK VAT number", DUNS: "D-U-N-S number"}
_HOW = (
    "Give the PEPPOL participant id as scheme:identifier: 0088:and a 13-digit GLN, "
    "9932:GB and the VAT number, or 0060:and a 9-digit D-U-N-S number, like 0088:5012345678900."
)


def gln_check_digit(first_twelve: str) -> int:
    """GS1's check digit: weights 3 and 1 alternating from the right, to the next ten."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first_twelve)))
    return (10 - total % 10) % 10


@dataclass(frozen=True)
class PeppolId:
    scheme: str  # the EAS code, like 0088
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


def parse_peppol_id(raw: str, field: str = "peppol_id") -> PeppolId:
    """'0088:5012345678900', '0088: 501 2345 678900' or '9932:gb123456789': the scheme, then
    the identifier, spaces and dashes ignored; each checked for its scheme's shape (a GLN for
    its check digit too)."""
    scheme, colon, value = re.sub(r"[\s-]+", "", raw).upper().partition(":")
    shape = _SHAPES.get(scheme)
    if not colon or shape is None:
        raise RuleViolation(_HOW, field=field)
    if not shape.fullmatch(value):
        raise RuleViolation(f"That is not a {SCHEME_NAMES[scheme]}. {_HOW}", field=field)
    if scheme == GLN and gln_check_digit(value[:12]) != int(value[12]):
        raise RuleViolation(
            f"The GLN {value} has a wrong check digit (the last digit would be "
            f"{gln_check_digit(value[:12])}): check it against the GS1 record.",
            field=field,
        )
    return PeppolId(scheme, value)


def normalise_peppol_id(raw: str | None, field: str = "peppol_id") -> str | None:
    """As the directory keeps it: 'scheme:identifier', or None."""
    return None if raw is None else str(parse_peppol_id(raw, field))


def vat_peppol_id(vat_number: str) -> PeppolId:
    """A VAT-registered venue's address on the network when none other is recorded."""
    digits = re.sub(r"\D", "", vat_number)
    return PeppolId(UK_VAT, f"GB{digits}")
