"""Invoices as PDF: Jinja renders invoice_templates/invoice.html, WeasyPrint lays it out.

The stylesheet is parsed once and the font configuration is shared by every render, so
each PDF costs only layout and drawing (fonts are subset with HarfBuzz when installed).

A run of many invoices is shared with helper processes: WeasyPrint holds the GIL, so
threads would only take turns, while processes lay out on every core. The PDFs come back in
the run's order, and nothing is numbered or stored here: the caller's transaction alone
decides what is issued. (No future is ever cancelled: on Python 3.11 cancelling one while a
helper dies can stop the pool's manager thread and leave the rest waiting for ever.)"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from service.domain.invoicing import PDF, Document, DocumentKind, Invoice
from service.domain.money import format_pounds


class WeasyPrintRenderer:
    def __init__(self, template_dir: Path, processes: int = 1) -> None:
        """`processes`: how many may render a run at once, this one included."""
        self.template_dir = template_dir
        self.processes = processes
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
        document = HTML(string=self.html(invoice), base_url=str(self.template_dir))
        pdf: bytes = document.write_pdf(stylesheets=[self.stylesheet], font_config=self.fonts)
        return Document(PDF, pdf)

    def render_all(self, invoices: Sequence[Invoice]) -> list[Document]:
        if self.processes < 2 or len(invoices) < 2:
            return [self.render(invoice) for invoice in invoices]
        helpers = _helpers(self.template_dir, self.processes - 1)
        run = _Run(invoices)
        feeders = [
            threading.Thread(target=run.feed, args=(helpers,)) for _ in range(self.processes - 1)
        ]
        for feeder in feeders:
            feeder.start()
        try:
            while (index := run.claim(from_back=True)) is not None:
                run.pdfs[index] = self.render(invoices[index])
        except BaseException as exc:
            run.fail(exc)
            raise
        finally:
            for feeder in feeders:
                feeder.join()
        if run.failure is not None:
            raise run.failure
        if run.returned:  # a helper died (killed, out of memory): the next run starts anew
            _forget(helpers)
            for index in run.returned:
                run.pdfs[index] = self.render(invoices[index])
        return [run.pdfs[index] for index in range(len(invoices))]


class _Run:
    """A run's invoices, claimed one at a time: by helpers from the front, by this process
    from the back, so each renders as many as its speed allows."""

    def __init__(self, invoices: Sequence[Invoice]) -> None:
        self.invoices = invoices
        self.pdfs: dict[int, Document] = {}
        self.front, self.back = 0, len(invoices)
        self.failure: BaseException | None = None
        self.returned: list[int] = []  # claimed for a helper that has since died
        self.lock = threading.Lock()

    def claim(self, *, from_back: bool) -> int | None:
        with self.lock:
            if self.failure is not None or self.front == self.back:
                return None
            if from_back:
                self.back -= 1
                return self.back
            self.front += 1
            return self.front - 1

    def fail(self, exc: BaseException) -> None:
        with self.lock:
            self.failure = self.failure or exc

    def feed(self, helpers: ProcessPoolExecutor) -> None:
        """In a thread of this process: one helper's share, an invoice at a time."""
        while (index := self.claim(from_back=False)) is not None:
            try:
                pdf = helpers.submit(_render_in_helper, self.invoices[index]).result()
            except BrokenProcessPool:
                with self.lock:
                    self.returned.append(index)
                return
            except BaseException as exc:
                self.fail(exc)
                return
            self.pdfs[index] = Document(PDF, pdf)


_pools: dict[tuple[Path, int], ProcessPoolExecutor] = {}  # by template and number of helpers
_pools_lock = threading.Lock()
os.register_at_fork(after_in_child=_pools.clear)  # a forked child starts helpers of its own


def _helpers(template_dir: Path, count: int) -> ProcessPoolExecutor:
    """Started at the first run that needs them and kept for the process's life ("spawn":
    forking a process with threads running could copy a lock held)."""
    with _pools_lock:
        if (template_dir, count) not in _pools:
            _pools[template_dir, count] = ProcessPoolExecutor(
                count, get_context("spawn"), initializer=_start_helper, initargs=(template_dir,)
            )
        return _pools[template_dir, count]


def _forget(broken: ProcessPoolExecutor) -> None:
    """The next run starts new helpers."""
    with _pools_lock:
        for key in [key for key, pool in _pools.items() if pool is broken]:
            del _pools[key]
    broken.shutdown(wait=False)


_helper: WeasyPrintRenderer | None = None  # in a helper process: its renderer


def _start_helper(template_dir: Path) -> None:
    global _helper
    _helper = WeasyPrintRenderer(template_dir)
    # What is loaded now lives as long as the process: the collector need not go over it
    # again after every render (full collections tripled the renders' p95).
    gc.freeze()


def _render_in_helper(invoice: Invoice) -> bytes:
    assert _helper is not None
    return _helper.render(invoice).content
