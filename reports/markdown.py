"""The analyst's Markdown, rendered and then sanitised: whatever is typed (or pasted),
only plain formatting reaches a page or an export."""

from __future__ import annotations

import re

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
