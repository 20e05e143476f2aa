from __future__ import annotations

from typing import Any

from observation.kernel.access import role_of
from observation.kernel.registry import navigation_for


def navigation(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = role_of(user)
    return {
        "nav_entries": navigation_for(user) if user is not None else [],
        "user_role": role,
        "user_role_label": role.label if role else "",
    }
