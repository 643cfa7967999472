"""Roomhire's own emails from the templates in invoice_templates/emails: each message is a
`.txt` template (its `subject` and `text` blocks) and an `.html` one, so their words can
change without Python."""

from __future__ import annotations

from pathlib import Path

import jinja2

from service.domain.money import format_pounds
from service.domain.timeslots import spoken_date


class TemplateEmailTexts:
    def __init__(self, folder: Path) -> None:
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=jinja2.select_autoescape(["html"]),  # the plain text is never escaped
            undefined=jinja2.StrictUndefined,
        )
        self.templates.filters.update(pounds=format_pounds, spoken=spoken_date)

    def subject(self, name: str, **values: object) -> str:
        return self._block(name, "subject", values).strip()

    def body(self, name: str, **values: object) -> tuple[str, str]:
        html = self.templates.get_template(f"{name}.html").render(values)
        return self._block(name, "text", values), html

    def _block(self, name: str, block: str, values: dict[str, object]) -> str:
        template = self.templates.get_template(f"{name}.txt")
        return "".join(template.blocks[block](template.new_context(values)))
