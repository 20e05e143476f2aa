"""The PDF export, laid out by WeasyPrint from the HTML export (print media): page
numbers in the footer and in the table of contents (CSS ``target-counter``), DejaVu
fonts for Cyrillic, charts as vector SVG."""

from __future__ import annotations

from reports.document import Document
from reports.exports.html import render_html


def render_pdf(document: Document, progress=None) -> bytes:
    from weasyprint import HTML

    def step(value: int) -> None:
        if progress is not None:
            progress(value)

    html = render_html(document, for_pdf=True)
    step(30)
    laid_out = HTML(string=html, media_type="print").render()
    step(80)
    pdf = laid_out.write_pdf()
    step(95)
    return pdf
