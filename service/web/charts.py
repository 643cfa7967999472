"""The payment-performance chart, drawn on the server as SVG with pygal: no JavaScript, and
no script in the SVG at all, so it can be an <img> under a strict Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from service.domain.payment_performance import TARGET_PERCENT, Performance

# pygal adds an import hook for its map plugins (which Roomhire doesn't use) that Python
# 3.11 warns about on every import it is asked about (an ImportWarning: an error in tests).
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "pygal"]

SVG = "http://www.w3.org/2000/svg"
BLUE, PURPLE, RED = "#005eb8", "#330072", "#d5281b"  # NHS colours
_STYLE = Style(
    background="white",
    plot_background="white",
    colors=(BLUE, PURPLE),
    font_family="Arial, Helvetica, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    title_font_size=16,
    opacity="1",
    major_guide_stroke_color=RED,  # the target line
    major_guide_stroke_dasharray="10,4",
)


_TARGET_CSS = "{{ id }}.axis .major.guide.line{stroke-width:3px}"


@dataclass(frozen=True)
class Chart:
    svg: bytes
    style_hashes: tuple[str, ...]  # of its <style> elements, for the Content-Security-Policy


def bppc_chart(rows: Sequence[Performance], alt: str) -> Chart:
    """A bar per trust or venue: the share paid within 30 days by number and by value,
    against a line at the 95% target. Only those with something paid: nothing else has a
    figure to draw."""
    measured = [p for p in rows if p.bppc.paid]
    chart = pygal.HorizontalBar(
        js=[],
        style=_STYLE,
        width=640,
        height=140 + 56 * max(len(measured), 1),
        range=(0, 100),
        y_labels=[0, 20, 40, 60, 80, float(TARGET_PERCENT), 100],
        y_labels_major=[float(TARGET_PERCENT)],
        show_minor_y_labels=True,
        x_title=f"% paid within 30 days (dashed red line: {TARGET_PERCENT}% target)",
        legend_at_bottom=True,
        truncate_label=40,
        print_values=False,
        no_data_text="Nothing paid yet",
        css=["file://style.css", "file://graph.css", f"inline:{_TARGET_CSS}"],
    )
    chart.x_labels = [p.name for p in measured]
    chart.add("By number", [_number(p.bppc.count_percent) for p in measured])
    chart.add("By value", [_number(p.bppc.value_percent) for p in measured])
    return _for_an_image(chart.render(), alt)


def _number(percent: object) -> float | None:
    return None if percent is None else float(str(percent))


def _for_an_image(rendered: bytes, alt: str) -> Chart:
    """pygal writes its configuration in a <script> even with js=[], and a hidden tooltip
    with an inline style: neither is any use in an image, so both go. The target line is
    moved above the bars, and the SVG's title says what the chart shows."""
    ElementTree.register_namespace("", SVG)
    root = ElementTree.fromstring(rendered)  # noqa: S314  # our own pygal output
    plot = root.find(f".//{{{SVG}}}g[@class='plot']")
    above = ElementTree.Element(f"{{{SVG}}}g")  # above the bars, styled as an axis still
    for parent in list(root.iter()):
        for child in list(parent):
            classes = (child.get("class") or "").split()
            if child.tag == f"{{{SVG}}}script" or "tooltip" in classes or child.get("style"):
                parent.remove(child)
            elif "guides" in classes and child.find("*[@class='major guide line']") is not None:
                above.set("class", parent.get("class") or "axis")
                parent.remove(child)
                above.append(child)
    plot = root.find(f".//{{{SVG}}}g[@class='plot']")
    if plot is not None and len(above):
        plot.append(above)
    for title in root.iter(f"{{{SVG}}}title"):
        title.text = alt
    styles = [s.text or "" for s in root.iter(f"{{{SVG}}}style")]
    hashes = tuple(
        "sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in styles
    )
    svg = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Chart(svg, hashes)
