"""The four export formats of a report. Each takes the same ``Document``."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.text import slugify

from reports.document import Document

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)

Progress = Callable[[int], None]


def filename_for(report_id: int, title: str, export_format: str) -> str:
    stem = slugify(title)[:60].strip("-") or "report"
    return f"{stem}-{report_id}.{export_format}"


def render_export(
    document: Document, export_format: str, progress: Progress | None = None
) -> bytes:
    if export_format == "html":
        from reports.exports.html import render_html

        return render_html(document).encode()
    if export_format == "pdf":
        from reports.exports.pdf import render_pdf

        return render_pdf(document, progress=progress)
    if export_format == "docx":
        from reports.exports.docx import render_docx

        return render_docx(document)
    if export_format == "xlsx":
        from reports.exports.xlsx import render_xlsx

        return render_xlsx(document)
    raise ValueError(f"Unknown export format {export_format!r}")
