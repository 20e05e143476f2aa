from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def party_of(member: Any) -> str:
    """A member's party as the register or, failing that, the source names it."""
    if member.party_id:
        return member.party.name
    return member.party_label


@register.filter
def term_dates(member: Any) -> str:
    """ "2021-06-30 – serving", or "start not recorded – 2021-06-29" for a term whose
    first day is not known (docs/commissions.md)."""
    start = member.term_start.isoformat() if member.term_start else _("start not recorded")
    end = member.term_end.isoformat() if member.term_end else _("serving")
    return f"{start} – {end}"
