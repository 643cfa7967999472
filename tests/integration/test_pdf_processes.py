"""A run's PDFs rendered by helper processes as well as this one: in order, each its own
invoice's, a helper's failure raised here, a helper that dies replaced."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from dataclasses import replace
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from adapters.pdf.weasyprint_renderer import WeasyPrintRenderer
from service.domain.invoicing import PDF, Invoice, Party
from tests import builders
from tests.conftest import TEMPLATES, pdf_text

pytestmark = pytest.mark.slow  # starts helper processes

INVOICE = builders.one_line_invoice(
    Party("Chapel Hall CIC", "1 Chapel Row\nBS5 9XX", "money@example.org"),
    Party("Severnvale MH Trust", "PO Box 000", "ap@example.nhs.uk"),
)


def run_of(count: int) -> list[Invoice]:
    return [replace(INVOICE, number=f"CHAP{n:04d}") for n in range(1, count + 1)]


def helpers() -> set[int]:
    return {child.pid or 0 for child in multiprocessing.active_children()}


def test_a_run_comes_back_in_order_each_pdf_its_own_invoices() -> None:
    renderer = WeasyPrintRenderer(TEMPLATES, processes=2)
    run = run_of(8)
    documents = renderer.render_all(run)
    assert helpers(), "no helper process was started"
    assert [d.media_type for d in documents] == [PDF] * 8
    for invoice, document in zip(run, documents, strict=True):
        assert f"Invoice number {invoice.number}" in " ".join(pdf_text(document.content).split())
    alone = WeasyPrintRenderer(TEMPLATES).render_all(run)
    assert [pdf_text(d.content) for d in alone] == [pdf_text(d.content) for d in documents]


def test_a_failure_in_a_helper_is_raised_in_the_run(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "invoice.html"
    broken = "{% if invoice.number == 'CHAP0001' %}{{ no_such_value }}{% endif %}"
    page.write_text(page.read_text().replace("<body>", "<body>" + broken))
    # the first of the run: a helper's, as this process takes invoices from the back
    with pytest.raises(UndefinedError, match="no_such_value"):
        WeasyPrintRenderer(templates, processes=2).render_all(run_of(6))


def test_a_helper_that_died_is_replaced_and_its_invoices_rendered_here() -> None:
    renderer = WeasyPrintRenderer(TEMPLATES, processes=2)
    renderer.render_all(run_of(2))
    started = helpers()
    for pid in started:
        os.kill(pid, signal.SIGKILL)
    run = run_of(5)
    documents = renderer.render_all(run)
    for invoice, document in zip(run, documents, strict=True):
        assert invoice.number in pdf_text(document.content)
    renderer.render_all(run_of(4))
    assert helpers() - started, "no new helper was started for the next run"
