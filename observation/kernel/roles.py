from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of docs/roles.md. A user has exactly one."""

    LTO = "lto", _("Long-term observer")
    COORDINATOR = "coordinator", _("Regional coordinator")
    HEAD_OFFICE = "headoffice", _("Head office")
    LEGAL = "legal", _("Legal expert")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


ALL_ROLES = frozenset(Role)
FIELD_ROLES = frozenset({Role.LTO, Role.COORDINATOR})
