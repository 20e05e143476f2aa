"""Filters of the shared layout: the tab title, and dates that show their year only when
it is not this year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import get_format_modules

from observation.formats.en import formats as english_formats

register = template.Library()


@register.filter
def page_title(title: str) -> str:
    """ "Page — Baikoo", or "Baikoo" for a page without a title of its own."""
    title = " ".join(str(title).split())
    return f"{title} — Baikoo" if title else "Baikoo"


def _this_year() -> int:
    return timezone.localdate().year


def _format(name: str) -> Any:
    """A Baikoo format (``DAY_TIME``, ``LONG_DATE`` …) of the active language, from
    observation/formats/<language>/formats.py, else the English one."""
    for module in get_format_modules():
        if hasattr(module, name):
            return getattr(module, name)
    return getattr(english_formats, name)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def when(value: Any) -> str:
    """A date and time for lists: "6 Dec, 14:05" this year, "6 Dec 2021, 14:05" otherwise."""
    if not value:
        return ""
    if not isinstance(value, dt.datetime):
        return day(value)
    value = _local(value)
    name = "DAY_TIME" if value.year == _this_year() else "DAY_YEAR_TIME"
    return dateformat.format(value, _format(name))


@register.filter
def when_full(value: Any) -> str:
    """A date and time with its year always (detail pages, history)."""
    if not value:
        return ""
    return dateformat.format(_local(value), _format("DAY_YEAR_TIME"))


@register.filter
def day(value: Any) -> str:
    """A date for lists: "6 Dec" this year, "6 Dec 2021" otherwise."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    name = "DAY" if value.year == _this_year() else "DAY_YEAR"
    return dateformat.format(value, _format(name))


@register.filter
def long_date(value: Any) -> str:
    """A date in words, in the grammar of the language ("6 декабря 2021 г.", "2021-жылдын
    6-декабры")."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    pattern = _format("LONG_DATE")
    if pattern is None:
        months = _format("MONTHS_POSSESSIVE")
        return _format("LONG_DATE_PATTERN").format(
            year=value.year, day=value.day, month=months[value.month]
        )
    return dateformat.format(value, pattern)
