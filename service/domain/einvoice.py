"""An issued invoice or credit note as a PEPPOL BIS Billing 3.0 e-invoice: the business terms
of EN 16931 (BT-n) with exact amounts, ready for a writer to put in UBL 2.1. Pure: the same
numbers as the PDF, to the penny, because both come from the one issued invoice."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from service.domain.bookings import Session
from service.domain.directory import Trust, VatTreatment, Venue
from service.domain.invoicing import DocumentKind, Invoice, InvoiceRefused, Line, line_treatment
from service.domain.money import round_pence
from service.domain.peppol import PeppolId, parse_peppol_id, vat_peppol_id

XML = "application/xml"
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CURRENCY = "GBP"
COUNTRY = "GB"
INVOICE_TYPE = "380"  # commercial invoice
CREDIT_NOTE_TYPE = "381"
CREDIT_TRANSFER = "30"  # payment means: credit transfer (to the venue's account)
MINUTE = "MIN"  # UN/ECE Recommendation 20: the unit a line's quantity counts
PER_HOUR = Decimal(60)  # the price is per hour: per 60 minutes (BT-149, base quantity)
PENNY = Decimal("0.01")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b")


class Category(StrEnum):
    """UNCL5305 VAT category codes, as PEPPOL uses them."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    NOT_SUBJECT = "O"


EXEMPT_REASON = "Exempt: a licence to occupy land (VAT Act 1994, Schedule 9, Group 1)"
NOT_SUBJECT_CODE = "VATEX-EU-O"
NOT_SUBJECT_REASON = "Not subject to VAT"


@dataclass(frozen=True)
class TaxCategory:
    code: Category
    percent: Decimal | None  # None for O: a line not subject to VAT has no rate
    exemption_code: str | None = None
    exemption_reason: str | None = None


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    postcode: str
    country: str = COUNTRY


@dataclass(frozen=True)
class EParty:
    name: str
    endpoint: PeppolId  # BT-34 / BT-49
    address: Address
    email: str
    vat_id: str | None = None  # BT-31 / BT-48
    legal_id: str | None = None  # BT-30: company or charity number
    identifier: PeppolId | None = None  # BT-29: a GLN or D-U-N-S number


@dataclass(frozen=True)
class Payment:
    means: str  # BT-81
    account: str  # BT-84
    account_name: str
    branch: str  # BT-86: the sort code, digits only


@dataclass(frozen=True)
class ELine:
    id: str
    name: str
    quantity: Decimal  # minutes
    net: Decimal  # BT-131
    price: Decimal  # BT-146, per `base_quantity` minutes
    base_quantity: Decimal  # BT-149
    category: TaxCategory


@dataclass(frozen=True)
class Subtotal:
    category: TaxCategory
    taxable: Decimal  # BT-116
    tax: Decimal  # BT-117


@dataclass(frozen=True)
class EInvoice:
    kind: DocumentKind
    number: str
    issue_date: date
    due_date: date | None  # an invoice's; a UBL credit note has none
    tax_point: date | None
    order_reference: str  # BT-13: the PO number
    buyer_reference: str | None  # BT-10
    billing_reference: str | None  # BT-25: the invoice a credit note credits
    seller: EParty
    buyer: EParty
    payment: Payment | None
    lines: tuple[ELine, ...]
    subtotals: tuple[Subtotal, ...]
    line_total: Decimal  # BT-106
    tax_total: Decimal  # BT-110
    payable: Decimal  # BT-112 = BT-115 (nothing prepaid)

    @property
    def type_code(self) -> str:
        return CREDIT_NOTE_TYPE if self.kind is DocumentKind.CREDIT_NOTE else INVOICE_TYPE


def pounds(pence: int) -> Decimal:
    return (Decimal(pence) / 100).quantize(PENNY)


def postal_address(text: str, postcode: str | None = None) -> Address | None:
    """'1 Chapel Row, Bristol' and 'BS5 9XX' -> street, city, postcode; an address written
    on lines or with commas, its postcode in it or given apart. None when there is no postcode,
    or no town after the street."""
    found = postcode or next(iter(_POSTCODE.findall(text.upper())), None)
    if found is None:
        return None
    parts = [
        p.strip()
        for p in re.split(r"[\n,]+", re.sub(re.escape(found), "", text, flags=re.IGNORECASE))
    ]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    return Address(", ".join(parts[:-1]), parts[-1], found)


def missing_for_einvoice(trust: Trust, venue: Venue) -> list[str]:
    """What a trust that takes e-invoices needs of the directory and doesn't have, in plain
    words ("venue has no postcode"): such an invoice is refused before it is issued."""
    gaps = []
    if not venue.postcode:
        gaps.append("venue has no postcode")
    elif postal_address(venue.address, venue.postcode) is None:
        gaps.append("venue's address has no street and town (write them as 'street, town')")
    if postal_address(trust.invoice_address) is None:
        gaps.append("trust's invoice address has no street, town and postcode")
    if venue.peppol_id is None and venue.vat_number is None:
        gaps.append("venue has no PEPPOL participant id (nor a VAT number to address it by)")
    if venue.bank_account_number is None:
        gaps.append("venue has no bank account number")
    if venue.bank_sort_code is None:
        gaps.append("venue has no bank sort code")
    if venue.vat_number is None and not (venue.company_number or venue.charity_number):
        gaps.append("venue is not VAT registered and has no company or charity number")
    return gaps


def line_category(line: Line, vat_registered: bool) -> TaxCategory | None:
    """The line's VAT category: a venue not registered for VAT supplies nothing subject to
    VAT (O, every line); a registered one's line charged VAT is S at its rate, else its
    room's nil treatment (Z, E with the land exemption, O). None: it can't be told (a nil
    rate whose treatment was not recorded)."""
    if not vat_registered:
        return TaxCategory(Category.NOT_SUBJECT, None, NOT_SUBJECT_CODE, NOT_SUBJECT_REASON)
    if line.amount.rate:
        return TaxCategory(Category.STANDARD, (line.amount.rate * 100).normalize())
    return (
        {
            VatTreatment.ZERO: TaxCategory(Category.ZERO, Decimal(0)),
            VatTreatment.EXEMPT: TaxCategory(Category.EXEMPT, Decimal(0), None, EXEMPT_REASON),
            VatTreatment.OUTSIDE_SCOPE: TaxCategory(
                Category.NOT_SUBJECT, None, NOT_SUBJECT_CODE, NOT_SUBJECT_REASON
            ),
        }.get(line.vat_treatment)
        if line.vat_treatment
        else None
    )


# The participant-id schemes that are also ISO 6523 identifiers, so can name the seller
# (BT-29); a UK VAT number (9932) is an address only.
_IDENTIFIER_SCHEMES = frozenset({"0088", "0060"})


def seller_identifier(venue: Venue) -> PeppolId | None:
    """The venue's GLN or D-U-N-S number, from its participant id, to name it by (BT-29)."""
    endpoint = parse_peppol_id(venue.peppol_id) if venue.peppol_id else None
    return endpoint if endpoint and endpoint.scheme in _IDENTIFIER_SCHEMES else None


def check_seller_named(categories: Iterable[TaxCategory], venue: Venue) -> None:
    """BR-CO-26: the seller is named by a VAT number, a legal registration or an identifier.
    An invoice all outside the scope of VAT carries no VAT number (BR-O-02), so a registered
    venue with only that must record another (a not-registered one is asked already)."""
    if venue.vat_number is None or any(c.code is not Category.NOT_SUBJECT for c in categories):
        return
    if not (venue.company_number or venue.charity_number or seller_identifier(venue)):
        raise InvoiceRefused(
            "This invoice is outside the scope of VAT, so its e-invoice can't name the venue "
            "by its VAT number: record the venue's company or charity number (or a GLN as its "
            "PEPPOL participant id)."
        )


def check_categories(lines: Iterable[Line], vat_registered: bool) -> list[TaxCategory]:
    """Each line's category, or refused: every line must have one; a line not subject to VAT
    (O) can't share an e-invoice with S, Z or E lines (BR-O-11..14), nor carry VAT."""
    categories = []
    for line in lines:
        category = line_category(line, vat_registered)
        if category is None:
            raise InvoiceRefused(
                f"The session of {line.day} was charged no VAT in a room now standard-rated: "
                "its VAT category for the e-invoice can't be told. Ask finance to credit and "
                "rebook it."
            )
        if category.code is Category.NOT_SUBJECT and line.amount.vat:
            raise InvoiceRefused(
                f"The session of {line.day} was charged VAT, but the venue is not VAT "
                "registered now: its e-invoice would be invalid."
            )
        categories.append(category)
    codes = {c.code for c in categories}
    if Category.NOT_SUBJECT in codes and len(codes) > 1:
        raise InvoiceRefused(
            "This invoice would mix sessions not subject to VAT with VAT-rated ones (the "
            "room's VAT treatment changed between bookings); an e-invoice can't: invoice them "
            "apart."
        )
    return categories


def to_einvoice(invoice: Invoice, trust: Trust, venue: Venue) -> EInvoice:
    """The e-invoice of an issued invoice or credit note for a trust with a PEPPOL id, with
    the directory's identifiers (`venue` and `trust` as at issue; the invoice's parties are
    its own snapshot). Refused (InvoiceRefused) when the directory lacks something."""
    gaps = missing_for_einvoice(trust, venue)
    if trust.peppol_id is None or gaps:
        raise InvoiceRefused("No e-invoice: " + ("; ".join(gaps) or "trust has no PEPPOL id") + ".")
    categories = check_categories(invoice.lines, invoice.vat_registered)
    check_seller_named(categories, venue)
    sign = -1 if invoice.kind is DocumentKind.CREDIT_NOTE else 1  # a credit note's are positive
    lines = tuple(
        _eline(i, line, sign, category)
        for i, (line, category) in enumerate(zip(invoice.lines, categories, strict=True), 1)
    )
    subtotals: dict[TaxCategory, tuple[int, int]] = {}
    for line, category in zip(invoice.lines, categories, strict=True):
        net, vat = subtotals.get(category, (0, 0))
        subtotals[category] = (net + sign * line.amount.net, vat + sign * line.amount.vat)
    supplier = invoice.supplier
    seller_address = postal_address(venue.address, venue.postcode)
    buyer_address = postal_address(trust.invoice_address)
    assert seller_address is not None and buyer_address is not None  # missing_for_einvoice
    assert supplier.account_number is not None and supplier.sort_code is not None
    endpoint = (
        parse_peppol_id(venue.peppol_id)
        if venue.peppol_id
        else vat_peppol_id(supplier.vat_number or "")
    )
    # An e-invoice of lines not subject to VAT carries no VAT identifier (BR-O-02), even a
    # registered venue's (a room outside the scope).
    subject = any(c.code is not Category.NOT_SUBJECT for c in categories)
    vat_id = vat_peppol_id(supplier.vat_number).value if supplier.vat_number and subject else None
    return EInvoice(
        kind=invoice.kind,
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date if invoice.kind is DocumentKind.INVOICE else None,
        tax_point=invoice.tax_point if invoice.kind is DocumentKind.INVOICE else None,
        order_reference=invoice.po_number,
        buyer_reference=trust.buyer_reference,
        billing_reference=invoice.credits_invoice,
        seller=EParty(
            supplier.name,
            endpoint,
            seller_address,
            supplier.email,
            vat_id,
            supplier.company_number or supplier.charity_number,
            seller_identifier(venue),
        ),
        buyer=EParty(
            invoice.customer.name,
            parse_peppol_id(trust.peppol_id),
            buyer_address,
            invoice.customer.email,
            None,
            None,
        ),
        payment=Payment(  # where to pay an invoice; a credit note asks for no payment
            CREDIT_TRANSFER,
            supplier.account_number,
            supplier.name,
            supplier.sort_code.replace("-", ""),
        )
        if invoice.kind is DocumentKind.INVOICE
        else None,
        lines=lines,
        subtotals=tuple(
            Subtotal(category, pounds(net), pounds(vat))
            for category, (net, vat) in subtotals.items()
        ),
        line_total=pounds(sign * invoice.net_pence),
        tax_total=pounds(sign * invoice.vat_pence),
        payable=pounds(sign * invoice.gross_pence),
    )


def apart_from_not_subject(
    sessions: Sequence[Session], treatments: Mapping[int, VatTreatment]
) -> list[tuple[Session, ...]]:
    """A registered venue's sessions as their invoice lines will record them (`line_treatment`
    from the treatment of the room each is held in, by room id), those outside the scope of
    VAT (category O) apart from the rest: an e-invoice can't have both (BR-O-11..14). This
    happens when a session was moved to a room of another treatment. Each part keeps the date
    order."""
    outside = [
        line_treatment(treatments[s.room_id], s.charge.rate) is VatTreatment.OUTSIDE_SCOPE
        for s in sessions
    ]
    parts = (
        tuple(s for s, out in zip(sessions, outside, strict=True) if not out),
        tuple(s for s, out in zip(sessions, outside, strict=True) if out),
    )
    return [part for part in parts if part]


def _eline(number: int, line: Line, sign: int, category: TaxCategory) -> ELine:
    """Time hired in minutes at the hourly price per 60 minutes: quantity x price / 60 is the
    line's net before rounding, so it rounds to the net to the penny (PEPPOL-EN16931-R120).
    A line whose price was not kept is priced at its net for its minutes."""
    net = pounds(sign * line.amount.net)
    minutes = Decimal(abs(line.minutes)) or Decimal(1)
    hourly = line.price_per_hour_pence
    priced = ELine(str(number), _name(line), minutes, net, net, minutes, category)
    if hourly is None:
        return priced
    at_rate = replace(priced, price=pounds(hourly), base_quantity=PER_HOUR)
    return at_rate if line_arithmetic_holds(at_rate) else priced


def _name(line: Line) -> str:
    return (
        f"{line.description}, {line.room}, {line.day:%d %b %Y} {line.start:%H:%M}-{line.end:%H:%M}"
    )


def line_arithmetic_holds(line: ELine) -> bool:
    """PEPPOL-EN16931-R120, exactly: the net is quantity x price / base quantity, rounded
    half-up to the penny (the official rule allows a little slack; we don't need it)."""
    return round_pence(line.quantity * line.price / line.base_quantity * 100) == int(line.net * 100)
