"""Who may do what with commissions and their activity (docs/roles.md).

Every role reads commissions, members, meetings, decisions and complaints; head office,
the legal expert and the administrator keep them up to date. Pages and API ask these
same objects.
"""

from __future__ import annotations

from observation.kernel.access import Access
from observation.kernel.roles import ALL_ROLES, Role

EDITORS = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN})

COMMISSIONS = Access(read=ALL_ROLES, write=EDITORS)
MEMBERS = COMMISSIONS
MEETINGS = COMMISSIONS
DECISIONS = COMMISSIONS
COMPLAINTS = COMMISSIONS
# The roles that follow complaint deadlines see the overdue ones on their home page.
OVERDUE_WATCHERS = EDITORS
