"""What a row of a list of incidents shows, made once per list (the triage queue, a
coordinator's list, an observer's *My reports*): docs/benchmarks.md, triage."""

from __future__ import annotations

from django.utils.translation import gettext as _

from incidents.models import Incident


def row_labels(rows: list[Incident]) -> list[dict[str, str]]:
    """The form, status and severity of each incident as words, translated once per list
    rather than once per row, and the label of its tick box."""
    kinds = {value: str(label) for value, label in Incident.Kind.choices}
    statuses = {value: str(label) for value, label in Incident.Status.choices}
    severities = {value: str(label) for value, label in Incident.Severity.choices}
    choose = _("Choose %(ref)s")
    return [
        {
            "kind": kinds.get(row.kind, row.kind),
            "status": statuses.get(row.status, row.status),
            "severity": severities.get(row.severity, row.severity),
            "choose": choose % {"ref": row.ref},
        }
        for row in rows
    ]
