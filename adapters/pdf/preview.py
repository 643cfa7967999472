"""A picture of a PDF's first page, for finance to glance at an invoice as the trust sees it,
rendered with PDFium (pypdfium2) from the stored PDF, byte for byte as issued."""

from __future__ import annotations

import io

import pypdfium2


class PdfiumPreviews:
    def first_page_png(self, pdf: bytes, width: int) -> bytes:
        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[0]
            scale = width / page.get_width()
            image = page.render(scale=scale).to_pil()
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
        finally:
            document.close()
