from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from observation.kernel.access import Actor
from observation.kernel.models import AuditEntry


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def audit_log(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target``; called inside the service's
    transaction so the entry and the change commit or roll back together."""
    entry = audit_entry(actor=actor, action=action, target=target, data=data)
    entry.save(force_insert=True)
    return entry


def audit_entry(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry ``audit_log`` saves, unsaved: for a service that writes it in the same
    statement as the change (incident filing on PostgreSQL)."""
    return AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        # An unsaved target (the user name of a failed sign-in that names nobody) has no id.
        object_id="" if target.pk is None else str(target.pk),
        object_repr=str(target)[:300],
        data=_jsonable(data or {}),
    )


def model_changes(instance: models.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value ``fields`` would change."""
    return {
        name: [getattr(instance, name), value]
        for name, value in fields.items()
        if getattr(instance, name) != value
    }
