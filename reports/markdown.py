"""The analyst's Markdown, rendered and then sanitised: whatever is typed (or pasted),
only plain formatting reaches a page or an export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h3", "h4", "h5", "h6",
    "blockquote", "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td", "sup",
    "sub", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# Section titles are the report's h2; the narrative's own headings sit below them.
_TOP_HEADINGS = re.compile(r"<(/?)h[12](\s[^>]*)?>")


def render_markdown(text: str) -> str:
    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"])
    html = _TOP_HEADINGS.sub(r"<\1h3>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# Markdown footnotes: "text[^who]" and, on a line of its own, "[^who]: the note". A
# report numbers its notes 1, 2, 3 … across sections, so each narrative is rendered with
# the number its first note takes (docs/reports.md#footnotes).
_FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*(.+)$", re.MULTILINE)
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
_MARKER = "BAIKOOFOOTNOTE{}X"
_MARKER_FOUND = re.compile(r"BAIKOOFOOTNOTE(\d+)X")


@dataclass
class Rendered:
    html: str
    notes: list[tuple[int, str]] = field(default_factory=list)  # (number, sanitised html)


def render_with_footnotes(text: str, first: int = 1) -> Rendered:
    """The narrative as sanitised HTML with its footnote references replaced by numbered
    superscript links (from ``first``) and the notes' texts, also sanitised. A reference
    without a note, or a note nobody refers to, stays as typed."""
    text = text or ""
    definitions = {m.group(1): m.group(2).strip() for m in _FOOTNOTE_DEFINITION.finditer(text)}
    numbers: dict[str, int] = {}

    def reference(match: re.Match[str]) -> str:
        label = match.group(1)
        if label not in definitions:
            return match.group(0)
        if label not in numbers:
            numbers[label] = first + len(numbers)
        return _MARKER.format(numbers[label])

    body = _FOOTNOTE_DEFINITION.sub(lambda m: "" if m.group(1) in definitions else m.group(0), text)
    body = _FOOTNOTE_REFERENCE.sub(reference, body)
    # A definition no reference uses is kept as typed rather than lost.
    for label, note in definitions.items():
        if label not in numbers:
            body += f"\n\n\\[^{label}]: {note}"
    html = _MARKER_FOUND.sub(
        lambda m: f'<sup class="fn"><a href="#fn-{m.group(1)}">{m.group(1)}</a></sup>',
        render_markdown(body),
    )
    notes = []
    for label, number in numbers.items():
        note = render_markdown(definitions[label]).strip()
        note = re.sub(r"^<p>(.*)</p>$", r"\1", note, flags=re.DOTALL)
        notes.append((number, note))
    return Rendered(html, notes)
