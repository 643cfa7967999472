"""PEPPOL participant ids: each scheme's shape, and a GLN's check digit."""

import pytest

from service.domain.errors import RuleViolation
from service.domain.peppol import (
    PeppolId,
    gln_check_digit,
    normalise_peppol_id,
    parse_peppol_id,
    vat_peppol_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0088:5012345678900", PeppolId("0088", "5012345678900")),
        (" 0088: 501 2345 678900 ", PeppolId("0088", "5012345678900")),
        ("0088:4000001000005", PeppolId("0088", "4000001000005")),
        ("9932:gb123456789", PeppolId("9932", "GB123456789")),
        ("9932:GB123456789012", PeppolId("9932", "GB123456789012")),
        ("0060:123456789", PeppolId("0060", "123456789")),
        ("0060:12-345-6789", PeppolId("0060", "123456789")),
    ],
)
def test_accepted_ids_are_kept_as_scheme_colon_identifier(raw: str, expected: PeppolId) -> None:
    assert parse_peppol_id(raw) == expected
    assert normalise_peppol_id(raw) == str(expected)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("5012345678900", "scheme:identifier"),  # no scheme
        ("0192:123456785", "scheme:identifier"),  # a scheme we don't take (Norway)
        ("0088:5012345678901", "wrong check digit"),
        ("0088:501234567890", "not a GLN"),  # 12 digits
        ("9932:123456789", "not a UK VAT number"),  # no GB
        ("9932:GB1234567890", "not a UK VAT number"),  # 10 digits
        ("0060:12345678", "not a D-U-N-S number"),
    ],
)
def test_refused_ids_say_why(raw: str, words: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_peppol_id(raw, field="peppol_id")
    assert words in refused.value.message
    assert refused.value.details["field"] == "peppol_id"


def test_gln_check_digit_follows_gs1() -> None:
    # GS1's worked example: 629104150021 -> 3
    assert gln_check_digit("629104150021") == 3
    assert gln_check_digit("501234567890") == 0


def test_a_vat_number_is_an_address_too() -> None:
    assert vat_peppol_id("GB 987 6543 21") == PeppolId("9932", "GB987654321")
    assert normalise_peppol_id(None) is None
