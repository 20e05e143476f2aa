"""How numbers and dates are printed in a report, in the report's language.

Thousands are grouped with a no-break space as in the seed ("424 847") so a number never
wraps across lines; Russian and Kyrgyz use a decimal comma.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from observation.templatetags.layout import long_date

NBSP = "\u00a0"


def fmt_int(value: int | None) -> str:
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    digits = f"{abs(int(value)):,}".replace(",", NBSP)
    return f"{sign}{digits}"


def fmt_signed(value: int | None) -> str:
    """A change: "+260", "-30", "0"."""
    if value is None:
        return "–"
    return f"+{fmt_int(value)}" if value > 0 else fmt_int(value)


def fmt_pct(value: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}"
    if translation.get_language() in ("ru", "ky"):
        text = text.replace(".", ",")
    return f"{text}{NBSP}%"


def fmt_date(value: dt.date | str | None) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return long_date(value)  # in each language's grammar (observation/formats/)


def fmt_short_date(value: dt.date | str | None) -> str:
    """Dates inside tables, where a long month name would wrap: 23.06.2021."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d.%m.%Y")


class Percent(float):
    """A table cell that is a percentage (so each export formats it as one)."""


class Signed(int):
    """A table cell that is a change and shows its sign."""


def fmt_cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, Percent):
        return fmt_pct(float(value))
    if isinstance(value, Signed):
        return fmt_signed(int(value))
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_int(value)
    return str(value)
