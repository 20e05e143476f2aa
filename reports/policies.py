"""Who may do what with reports (docs/roles.md): head office and legal experts read;
analysts and administrators edit, export and publish; field roles have no access. A
published report is frozen (``require_draft``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from observation.kernel.access import Access
from observation.kernel.api import Conflict
from observation.kernel.roles import Role
from reports.models import Report

REPORTS = Access(
    read=frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ANALYST, Role.ADMIN}),
    write=frozenset({Role.ANALYST, Role.ADMIN}),
)
# The dashboard shows incident counts and the latest incidents (never witness data).
DASHBOARD = Access(
    read=frozenset({Role.HEAD_OFFICE, Role.ANALYST, Role.ADMIN}),
    write=frozenset(),
)


class ReportFrozen(ValidationError, Conflict):
    """A change was asked of a published report. A ``Conflict``, so the API answers 409
    (the request is fine; what is stored refuses it), and a ``ValidationError``, so a form
    shows it like any refused change; pages redirect to the report."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            _("This report is published and can no longer be changed."), code="published"
        )
        self.report_pk = report.pk

    def response_data(self) -> dict[str, Any]:
        return {"detail": self.messages[0]}


def require_draft(report: Report) -> None:
    """A published report is frozen: every change to it, its narrative, recommendations
    and abbreviations, and publishing it again, is refused (docs/reports.md)."""
    if report.is_published:
        raise ReportFrozen(report)
