"""The incident's record as every triage write changes it (see ``lifecycle`` and
``escalation``, which both build on this module): lock the row, compare the version the
user saw (``expected_version``) with the stored one, save with ``UPDATE … WHERE
version = n`` and raise the version, and append an ``IncidentEvent``. Two staff editing
at once get a conflict instead of overwriting each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Incident, IncidentEvent
from observation.kernel.api import MAX_TEXT as KERNEL_MAX_TEXT
from observation.kernel.api import Conflict

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

MAX_TEXT = KERNEL_MAX_TEXT


class IncidentVersionConflict(Conflict):
    """Someone else changed the incident after the user loaded it. Pages show the
    message with the current state; the API answers 409 with the current version."""

    def __init__(self, incident: Incident) -> None:
        self.incident = incident
        self.current_version = incident.version
        super().__init__(
            _(
                "Someone else changed %(ref)s while you were looking at it. Nothing was "
                "saved: check its current state and try again."
            )
            % {"ref": incident.ref}
        )

    def response_data(self) -> dict[str, Any]:
        return {"detail": str(self), "version": self.current_version}


def deny_unless(allowed: bool, message: str) -> None:
    """Raise ``PermissionDenied(message)`` unless ``allowed`` (a policy's answer)."""
    if not allowed:
        raise PermissionDenied(message)


def clean_text(value: Any, field: str, *, required: str | None = None) -> str:
    """Strip ``value``; ``required`` is the message when it is empty."""
    text = (value if isinstance(value, str) else "" if value is None else str(value)).strip()
    if required and not text:
        raise ValidationError({field: required})
    if "\x00" in text:
        raise ValidationError({field: _("Remove the NUL character from this text.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}})
    return text


def lock_incident(incident_id: Any, expected_version: int | None) -> Incident:
    """The incident's row, locked until the transaction ends, as it is now. Raises the
    conflict if the caller saw an older version."""
    current = Incident.objects.select_for_update().get(pk=incident_id)
    if expected_version is not None and current.version != expected_version:
        raise IncidentVersionConflict(current)
    return current


def save_incident(incident: Incident, **changes: Any) -> None:
    """Write ``changes`` only if the row still has the version read under the lock (the
    lock is a no-op on SQLite; this ``WHERE`` is what holds there), and raise it."""
    updated = Incident.objects.filter(pk=incident.pk, version=incident.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if updated != 1:
        raise IncidentVersionConflict(Incident.objects.get(pk=incident.pk))
    for name, value in changes.items():
        setattr(incident, name, value)
    incident.version += 1


def record_event(
    incident: Incident,
    *,
    actor: AbstractUser | None,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: Any = None,
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident,
        at=at or timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
