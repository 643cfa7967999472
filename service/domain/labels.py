"""Guards against patient-identifiable data in free text chosen by staff."""

from __future__ import annotations

import re

from service.domain.errors import PatientDataSuspected

# Ten digits, optionally grouped 3-3-4 by spaces or hyphens, not part of a longer number.
_NHS_NUMBER_SHAPE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")


def is_valid_nhs_number(digits: str) -> bool:
    """Modulus-11 check of a ten-digit NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def contains_nhs_number(text: str) -> bool:
    return any(is_valid_nhs_number("".join(m.groups())) for m in _NHS_NUMBER_SHAPE.finditer(text))


def ensure_no_patient_data(field: str, text: str) -> None:
    if contains_nhs_number(text):
        raise PatientDataSuspected(
            f"The {field} contains what looks like an NHS number. "
            "Use a neutral group name; Roomhire holds no patient data.",
            field=field,
        )
