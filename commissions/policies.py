"""Who may do what with commissions and their activity (DESIGN.md §6).

Every role reads commissions, members, meetings, decisions and complaints; head office,
the legal expert and the administrator keep them up to date. Pages and API ask these
same objects.
"""

from __future__ import annotations

from observation.policies import Access
from observation.roles import ALL_ROLES, Role

EDITORS = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN})

COMMISSIONS = Access(read=ALL_ROLES, write=EDITORS)
MEMBERS = COMMISSIONS
MEETINGS = COMMISSIONS
DECISIONS = COMMISSIONS
COMPLAINTS = COMMISSIONS
# The roles that follow complaint deadlines see the overdue ones on their home page.
OVERDUE_WATCHERS = EDITORS
