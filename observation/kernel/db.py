"""How every service validates and writes a row, and how a broken database constraint is
reported on the field a user must correct (docs/architecture.md).

A write validates every rule with ``full_clean()`` (field validators, the model's
``clean()``, the unique and check constraints) and then saves in a savepoint. When the
database still refuses the row, another request wrote a conflicting row between the
validation and the save: validating again names the field, so the caller answers with
the same 400 and message it gives when there is no race. A refusal that validation
cannot explain is a fault, not a user error, and propagates as the ``IntegrityError``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


class FieldNamedConstraints:
    """Reports a broken database constraint on the field it is about.

    Django reports a CheckConstraint or a multi-column UniqueConstraint as a non-field
    error, but forms, the API and the import reports must say which field is wrong. Each
    such constraint has a ``violation_error_code``; ``constraint_fields`` maps that code to
    the field. The constraints stay the last line of defence for writes that bypass
    ``full_clean``."""

    constraint_fields: ClassVar[dict[str, str]] = {}

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        try:
            super().validate_constraints(exclude=exclude)  # type: ignore[misc]
        except ValidationError as exc:
            moved: dict[str, list[ValidationError]] = {}
            for key, errors in exc.error_dict.items():
                for error in errors:
                    field = self.constraint_fields.get(error.code or "", key)
                    moved.setdefault(field if key == NON_FIELD_ERRORS else key, []).append(error)
            raise ValidationError(moved) from None


def model_save(instance: M, **options: Any) -> M:
    """Validate every rule of ``instance``, then save it (``options`` go to ``save()``)."""
    instance.full_clean()
    _write(instance, **options)
    return instance


def model_update(instance: M, fields: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set ``fields`` on ``instance``, validate every rule and save the columns that
    changed. Returns ``{column: [old, new]}`` of those columns (a foreign key by its id),
    for the audit entry; nothing is written when nothing changed."""
    names = {instance._meta.get_field(name).attname: name for name in fields}
    before = {column: getattr(instance, column) for column in names}
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    changes = {
        column: [old, getattr(instance, column)]
        for column, old in before.items()
        if getattr(instance, column) != old
    }
    if changes:
        _write(instance, update_fields=[names[column] for column in changes])
    return changes


def _write(instance: models.Model, **options: Any) -> None:
    try:
        with transaction.atomic():
            instance.save(**options)
    except IntegrityError:
        instance.full_clean()
        raise
