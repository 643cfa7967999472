"""The directory's forms described once, field by field: what each field is called, how it is
read from what a person typed (with the same limits the API's schemas set), how an entry fills
the form in again, and how a value is shown on a page. The use cases still check the rules
(postcode, PO number pattern, supplier details, the supplier number taken); these only turn
text into the values they take."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, auto
from typing import Any

from marshmallow import ValidationError
from marshmallow.validate import Email

from service.domain.bank_holidays import Region
from service.domain.delivery import DEFAULT_SUBJECT
from service.domain.directory import ODS_CODE, UK_VAT_NUMBER, InvoiceDelivery, VatTreatment
from service.domain.money import format_pounds
from service.web.forms import FormErrors

LINE_BREAKS = "\n\r\t\v\f\x85\u2028\u2029"
_POUNDS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?")
_WHOLE = re.compile(r"[0-9]+")  # not str.isdigit: it takes '²', which int() refuses
_EMAIL = Email()


class Kind(Enum):
    LINE = auto()  # one line of text
    TEXT = auto()  # several lines (an address)
    EMAIL = auto()
    WHOLE = auto()  # a whole number from `least` to `most`
    POUNDS = auto()  # pounds and pence, kept as whole pence
    CHOICE = auto()  # one of `choices`, as radios
    YES_NO = auto()  # radios: yes or no
    TICK = auto()  # a checkbox: ticked or not


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    what: str  # for messages: "Enter the trust's name"
    kind: Kind = Kind.LINE
    hint: str = ""
    optional: bool = False
    longest: int = 200
    shortest: int = 1
    shape: tuple[str, str] | None = None  # a regular expression the value must match, and why
    tidy: Callable[[str], str] = str.strip  # what is typed, made into what is checked
    least: int = 0
    most: int = 0
    choices: tuple[tuple[str, str], ...] = ()  # (value, words)
    convert: Callable[[str], Any] = str  # a choice's value, made into the domain's
    width: int | None = None  # the design system's input width, in characters

    @property
    def caption(self) -> str:
        return f"{self.what[:1].upper()}{self.what[1:]}"


@dataclass(frozen=True)
class Group:
    """A fieldset: its legend (None: no fieldset around the fields) and fields."""

    legend: str | None
    fields: tuple[Field, ...]


Form = tuple[Group, ...]


class Bad(Exception):
    """A value that can't be read, and what to tell the person."""


def _no_spaces_upper(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _upper(text: str) -> str:
    return text.strip().upper()


def _line(field: Field, text: str) -> str:
    if any(c in LINE_BREAKS for c in text):
        raise Bad(f"{field.caption} must be on one line")
    return _text(field, text)


def _text(field: Field, text: str) -> str:
    text = field.tidy(text.replace("\r\n", "\n"))
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in text):
        raise Bad(f"{field.caption} must not contain control characters")
    if len(text) > field.longest:
        raise Bad(f"{field.caption} must be {field.longest} characters or fewer")
    if len(text) < field.shortest:
        raise Bad(f"{field.caption} must be at least {field.shortest} characters")
    if field.shape and not re.fullmatch(field.shape[0], text):
        raise Bad(field.shape[1])
    return text


def _email(field: Field, text: str) -> str:
    address = _line(field, text)
    try:
        _EMAIL(address)
    except ValidationError:
        raise Bad(f"Enter {field.what} in the correct format, like name@example.org") from None
    return address


def _whole(field: Field, text: str) -> int:
    text = text.strip()
    if not _WHOLE.fullmatch(text) or not field.least <= int(text) <= field.most:
        raise Bad(f"{field.caption} must be a whole number from {field.least} to {field.most}")
    return int(text)


def _pounds(field: Field, text: str) -> int:
    """'25', '25.5', '£1,234.50' -> pence, exactly (Decimal, never float); no fractions of a
    penny, nothing negative, nothing above `most` pence."""
    amount = re.sub(r"\s+", "", text).removeprefix("£")
    if not _POUNDS.fullmatch(amount):
        raise Bad(f"{field.caption} must be an amount in pounds, like 25 or 25.50")
    pence = int(Decimal(amount.replace(",", "")) * 100)
    if pence > field.most:
        raise Bad(f"{field.caption} must be {format_pounds(field.most)} or less")
    return pence


def _choice(field: Field, text: str) -> Any:
    if text not in {value for value, _ in field.choices}:
        raise Bad(f"Select {field.what}")
    return field.convert(text)


def _yes_no(field: Field, text: str) -> bool:
    if text not in ("yes", "no"):
        raise Bad(f"Select whether {field.what}")
    return text == "yes"


_READERS: dict[Kind, Callable[[Field, str], Any]] = {
    Kind.LINE: _line,
    Kind.TEXT: _text,
    Kind.EMAIL: _email,
    Kind.WHOLE: _whole,
    Kind.POUNDS: _pounds,
    Kind.CHOICE: _choice,
    Kind.YES_NO: _yes_no,
}


def fields_of(form: Form) -> list[Field]:
    return [field for group in form for field in group.fields]


def read(form: Form, typed: Mapping[str, str], errors: FormErrors) -> dict[str, Any]:
    """Each field's value, or its problem in `errors`. An optional field left empty is None;
    a required one left empty is "Enter …"."""
    values: dict[str, Any] = {}
    for field in fields_of(form):
        text = typed.get(field.name, "")
        if field.kind is Kind.TICK:
            values[field.name] = text == "yes"
        elif not text.strip() and field.kind not in (Kind.CHOICE, Kind.YES_NO):
            if not field.optional:
                errors.add(field.name, f"Enter {field.what}")
            values[field.name] = None
        else:
            try:
                values[field.name] = _READERS[field.kind](field, text)
            except Bad as bad:
                errors.add(field.name, str(bad))
    return values


def typed_from(form: Form, entry: object) -> dict[str, str]:
    """The form filled in with an entry's values, as a person would have typed them."""
    return {field.name: _as_typed(field, getattr(entry, field.name)) for field in fields_of(form)}


def _as_typed(field: Field, value: Any) -> str:
    if value is None:
        return ""
    if field.kind is Kind.POUNDS:
        return f"{value // 100}.{value % 100:02d}"
    if field.kind in (Kind.YES_NO, Kind.TICK):
        return "yes" if value else ("no" if field.kind is Kind.YES_NO else "")
    return str(value.value if isinstance(value, Enum) else value)


def shown(field: Field, value: Any) -> str:
    """A value as a page says it: '£25.00 an hour', 'Yes', 'Scotland', 'Not given'."""
    if value is None or value == "":
        return "Not given"
    if field.kind is Kind.POUNDS:
        return format_pounds(value)
    if field.kind in (Kind.YES_NO, Kind.TICK):
        return "Yes" if value else "No"
    if field.kind is Kind.CHOICE:
        return dict(field.choices).get(_as_typed(field, value), str(value))
    return str(value)


def differences(form: Form, typed: Mapping[str, str], entry: object) -> list[dict[str, str]]:
    """Where the entry as it is now differs from what the person typed: label and value now."""
    now = typed_from(form, entry)
    return [
        {"label": field.label, "now": shown(field, getattr(entry, field.name))}
        for field in fields_of(form)
        if now[field.name].strip() != _normal(field, typed.get(field.name, ""))
    ]


def _normal(field: Field, text: str) -> str:
    """What the person typed, as typed_from would have written the same value."""
    if field.kind is Kind.TICK:
        return "yes" if text == "yes" else ""
    try:
        value = _READERS[field.kind](field, text) if text.strip() else None
    except Bad:
        return text.strip()
    return _as_typed(field, value)


def radio_items(field: Field, typed: str) -> list[dict[str, Any]]:
    """The design system's radio items for a choice or a yes-or-no, the typed one checked."""
    choices = field.choices if field.kind is Kind.CHOICE else (("yes", "Yes"), ("no", "No"))
    return [{"value": v, "text": words, "checked": typed == v} for v, words in choices]


def choices_of(
    words: Mapping[Region, str] | Mapping[VatTreatment, str] | Mapping[InvoiceDelivery, str],
) -> tuple[tuple[str, str], ...]:
    return tuple((str(value.value), text) for value, text in words.items())


REGION_WORDS = {
    Region.ENGLAND_AND_WALES: "England and Wales",
    Region.SCOTLAND: "Scotland",
    Region.NORTHERN_IRELAND: "Northern Ireland",
}
DELIVERY_WORDS = {
    InvoiceDelivery.EMAIL: "By email, with the PDF, to the accounts payable address",
    InvoiceDelivery.PEPPOL: "As an e-invoice through PEPPOL (the trust needs a PEPPOL id)",
}
VAT_WORDS = {
    VatTreatment.EXEMPT: "Exempt (most room hire)",
    VatTreatment.STANDARD: "Standard rate (the venue has opted to tax)",
    VatTreatment.ZERO: "Zero rate",
    VatTreatment.OUTSIDE_SCOPE: "Outside the scope of VAT",
}

TRUST: Form = (
    Group(
        None,
        (
            Field("name", "Name of the trust", "the name of the trust"),
            Field(
                "organisation_code",
                "ODS code",
                "the trust's ODS code",
                hint="3 to 5 capital letters or digits, like RZZ",
                shape=(
                    ODS_CODE,
                    "Enter the trust's ODS code: 3 to 5 capital letters or digits, like RZZ",
                ),
                tidy=_upper,
                width=5,
            ),
            Field("payables_code", "Payables code", "the payables code", longest=40),
            Field(
                "accounts_payable_email",
                "Accounts payable email address",
                "the accounts payable email address",
                kind=Kind.EMAIL,
                hint="Invoices are emailed here",
            ),
            Field(
                "invoice_address",
                "Invoice address",
                "the invoice address",
                kind=Kind.TEXT,
                longest=500,
                hint="As it is printed on invoices",
            ),
            Field(
                "po_number_pattern",
                "Purchase order number pattern",
                "the purchase order number pattern",
                hint=r"A regular expression, like RZZPO\d{7}. No brackets ( ) or |",
            ),
            Field(
                "invoice_subject",
                "Invoice email subject",
                "the invoice email subject",
                hint=f"Must contain {{document}}, {{number}} and {{po_number}}; {{supplier}} "
                f"is optional. Usually {DEFAULT_SUBJECT}",
            ),
            Field(
                "send_on_issue",
                "Send each invoice to the trust as soon as it is issued",
                "whether to send invoices as soon as they are issued",
                kind=Kind.TICK,
            ),
            Field(
                "remind_facilitators",
                "Remind the facilitator to receipt the sessions with each invoice",
                "whether to remind facilitators",
                kind=Kind.TICK,
            ),
            Field(
                "business_unit",
                "Business unit in finance exports (optional)",
                "the business unit",
                hint="As the exports' Business Unit column spells it, like RVJ NORTH BRISTOL "
                "NHS TRUST. Rows of any other unit are never matched to this trust's invoices",
                optional=True,
                longest=240,
            ),
            Field(
                "peppol_id",
                "PEPPOL participant id (optional)",
                "the PEPPOL participant id",
                hint="Scheme and identifier, like 0088:5012345678900 (a GLN). A trust with one "
                "gets every invoice and credit note as an e-invoice too",
                optional=True,
                longest=60,
                width=20,
            ),
            Field(
                "buyer_reference",
                "Buyer reference for e-invoices (optional)",
                "the buyer reference",
                hint="Only if the trust asks its e-invoices to carry one",
                optional=True,
                longest=100,
            ),
            Field(
                "invoice_delivery",
                "How invoices travel to the trust",
                "how invoices travel to the trust",
                kind=Kind.CHOICE,
                choices=choices_of(DELIVERY_WORDS),
                convert=InvoiceDelivery,
            ),
        ),
    ),
)

VENUE: Form = (
    Group(
        "The venue",
        (
            Field("name", "Name of the venue", "the name of the venue"),
            Field(
                "notice_period_hours",
                "Notice period, in hours",
                "the notice period",
                kind=Kind.WHOLE,
                hint="A session cancelled with less notice than this is still paid for",
                least=0,
                most=24 * 60,
                width=4,
            ),
        ),
    ),
    Group(
        "Contact",
        (
            Field(
                "contact_email",
                "Contact email address",
                "the contact email address",
                kind=Kind.EMAIL,
                hint="Invoice copies and notices go here",
            ),
            Field(
                "remittance_email",
                "Remittance email address",
                "the remittance email address",
                kind=Kind.EMAIL,
            ),
            Field(
                "queries_phone",
                "Phone number for queries (optional)",
                "the phone number for queries",
                optional=True,
                longest=30,
                hint="A UK number, like 0117 496 0123",
                width=20,
            ),
            Field(
                "queries_email",
                "Email address for queries (optional)",
                "the email address for queries",
                kind=Kind.EMAIL,
                optional=True,
            ),
        ),
    ),
    Group(
        "Address and region",
        (
            Field("address", "Address", "the address", kind=Kind.TEXT, longest=500),
            Field(
                "postcode",
                "Postcode",
                "the postcode",
                longest=10,
                shortest=5,
                width=10,
                tidy=_upper,
            ),
            Field(
                "region",
                "Whose bank holidays the venue keeps",
                "whose bank holidays the venue keeps",
                kind=Kind.CHOICE,
                choices=choices_of(REGION_WORDS),
                convert=Region,
            ),
            Field(
                "open_on_bank_holidays",
                "The venue opens on bank holidays, so bookings there skip none",
                "whether the venue opens on bank holidays",
                kind=Kind.TICK,
            ),
        ),
    ),
    Group(
        "Supplier details",
        (
            Field(
                "supplier_number",
                "Supplier number (optional)",
                "the supplier number",
                optional=True,
                hint="The number NHS accounts gave the venue: imports recognise it by this",
                width=20,
            ),
            Field(
                "company_number",
                "Companies House number (optional)",
                "the Companies House number",
                optional=True,
                longest=20,
                hint="Like 01234567 or SC123456",
                width=10,
            ),
            Field(
                "charity_number",
                "Registered charity number (optional)",
                "the registered charity number",
                optional=True,
                longest=20,
                hint="Like 1234567 or SC012345",
                width=10,
            ),
            Field(
                "registered_office",
                "Registered office (optional)",
                "the registered office",
                kind=Kind.TEXT,
                optional=True,
                longest=500,
            ),
        ),
    ),
    Group(
        "Bank details",
        (
            Field(
                "bank_sort_code",
                "Sort code (optional)",
                "the sort code",
                optional=True,
                longest=20,
                hint="6 digits, like 12-34-56",
                width=10,
            ),
            Field(
                "bank_account_number",
                "Account number (optional)",
                "the account number",
                optional=True,
                longest=20,
                hint="8 digits. Give both the sort code and the account number, or neither",
                width=10,
            ),
        ),
    ),
    Group(
        "E-invoices",
        (
            Field(
                "peppol_id",
                "PEPPOL participant id (optional)",
                "the PEPPOL participant id",
                hint="Scheme and identifier: 0088: and a GLN, 9932: and the VAT number, or "
                "0060: and a D-U-N-S number, like 0088:5012345678900",
                optional=True,
                longest=60,
                width=20,
            ),
        ),
    ),
    Group(
        "VAT",
        (
            Field(
                "vat_number",
                "VAT registration number (optional)",
                "the VAT registration number",
                optional=True,
                hint="Leave empty if the venue is not registered for VAT. Like GB123456789",
                shape=(
                    UK_VAT_NUMBER,
                    "Enter a UK VAT number: 9 or 12 digits, with or without GB, like GB123456789",
                ),
                tidy=_no_spaces_upper,
                width=20,
            ),
        ),
    ),
)

ROOM: Form = (
    Group(
        None,
        (
            Field("name", "Name of the room", "the name of the room"),
            Field(
                "capacity",
                "How many people it holds",
                "how many people it holds",
                kind=Kind.WHOLE,
                hint="From 1 to 1000",
                least=1,
                most=1000,
                width=4,
            ),
            Field(
                "price_per_hour_pence",
                "Price per hour, in pounds",
                "the price per hour",
                kind=Kind.POUNDS,
                hint="Before any VAT, like 25 or 25.50. Sessions already booked keep their price",
                most=10_000_000,
                width=10,
            ),
            Field(
                "vat_treatment",
                "VAT on this room",
                "the VAT on this room",
                kind=Kind.CHOICE,
                choices=choices_of(VAT_WORDS),
                convert=VatTreatment,
            ),
            Field(
                "step_free",
                "Does the room have step-free access?",
                "the room has step-free access",
                kind=Kind.YES_NO,
            ),
            Field(
                "setup_minutes",
                "Minutes to set up before each session",
                "the minutes to set up",
                kind=Kind.WHOLE,
                hint="The room is kept free for these too. From 0 to 240",
                least=0,
                most=240,
                width=3,
            ),
            Field(
                "clearaway_minutes",
                "Minutes to clear away after each session",
                "the minutes to clear away",
                kind=Kind.WHOLE,
                hint="From 0 to 240",
                least=0,
                most=240,
                width=3,
            ),
        ),
    ),
)

CLOSURE: Form = (
    Group(None, (Field("reason", "Why the venue is closed", "why the venue is closed"),)),
)
