"""Invoices as PDF: Jinja renders invoice_templates/invoice.html, WeasyPrint lays it out.

The stylesheet is parsed once and the font configuration is shared by every render, so
each PDF costs only layout and drawing (fonts are subset with HarfBuzz when installed)."""

from __future__ import annotations

from pathlib import Path

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from service.domain.invoicing import PDF, Document, DocumentKind, Invoice
from service.domain.money import format_pounds


class WeasyPrintRenderer:
    def __init__(self, template_dir: Path) -> None:
        self.base_url = str(template_dir)
        self.fonts = FontConfiguration()
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.templates.filters.update(
            pounds=format_pounds,
            longdate=lambda d: f"{d.day} {d:%B %Y}",
            shortdate=lambda d: f"{d:%a} {d.day} {d:%b %Y}",
            percent=lambda rate: f"{rate * 100:.0f}%",
        )
        self.template = self.templates.get_template("invoice.html")
        self.stylesheet = CSS(filename=str(template_dir / "invoice.css"), font_config=self.fonts)

    def html(self, invoice: Invoice) -> str:
        return self.template.render(
            invoice=invoice, credit_note=invoice.kind is DocumentKind.CREDIT_NOTE
        )

    def render(self, invoice: Invoice) -> Document:
        document = HTML(string=self.html(invoice), base_url=self.base_url)
        pdf: bytes = document.write_pdf(stylesheets=[self.stylesheet], font_config=self.fonts)
        return Document(PDF, pdf)
