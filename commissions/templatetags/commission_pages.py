from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def party_of(member: Any) -> str:
    """A member's party as the register or, failing that, the source names it."""
    if member.party_id:
        return member.party.name
    return member.party_label
