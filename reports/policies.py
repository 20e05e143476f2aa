"""Who may do what with reports (DESIGN.md §6): head office and legal experts read;
analysts and administrators edit, export and publish; field roles have no access."""

from __future__ import annotations

from observation.policies import Access
from observation.roles import Role

REPORTS = Access(
    read=frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ANALYST, Role.ADMIN}),
    write=frozenset({Role.ANALYST, Role.ADMIN}),
)
# The dashboard shows incident counts and the latest incidents (never witness data).
DASHBOARD = Access(
    read=frozenset({Role.HEAD_OFFICE, Role.ANALYST, Role.ADMIN}),
    write=frozenset(),
)
