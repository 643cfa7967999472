import pytest

from service.domain.errors import PatientDataSuspected
from service.domain.labels import contains_nhs_number, ensure_no_patient_data, is_valid_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9434765870"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number: str) -> None:
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "1234567890", "123456789", "abcdefghij"])
def test_invalid_numbers_fail_it(number: str) -> None:
    assert not is_valid_nhs_number(number)


@pytest.mark.parametrize("text", ["Group for 9434765919", "ref 943 476 5919", "943-476-5919 group"])
def test_labels_with_an_nhs_number_are_refused(text: str) -> None:
    with pytest.raises(PatientDataSuspected):
        ensure_no_patient_data("group label", text)


@pytest.mark.parametrize(
    "text", ["Tuesday group", "Room 1234567890", "Group 94347659190", "Week 12 of 2026"]
)
def test_ordinary_labels_pass(text: str) -> None:
    assert not contains_nhs_number(text)
