"""Who may do what with commissions and their activity (docs/roles.md).

Every role reads commissions, members, meetings, decisions and complaints. The structure
(commissions and their PEC lists, a new election's CEC → TEC → PEC tree) is reference
data: analysts and administrators keep it. What the mission observes of the commissions
(members and terms, meetings, decisions, complaints) is kept by head office, the legal
expert and the administrator. Pages and API ask these same objects.
"""

from __future__ import annotations

from observation.kernel.access import Access
from observation.kernel.roles import ALL_ROLES, Role

STRUCTURE_EDITORS = frozenset({Role.ANALYST, Role.ADMIN})
EDITORS = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN})
"""Who records the commissions' activity."""

COMMISSIONS = Access(read=ALL_ROLES, write=STRUCTURE_EDITORS)
"""Commissions themselves: create, edit, import PEC lists."""
ACTIVITY = Access(read=ALL_ROLES, write=EDITORS)
MEMBERS = ACTIVITY
MEETINGS = ACTIVITY
DECISIONS = ACTIVITY
COMPLAINTS = ACTIVITY
# The roles that follow complaint deadlines see the overdue ones on their home page.
OVERDUE_WATCHERS = EDITORS
