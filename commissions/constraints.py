"""A check constraint that reports its violation on one field.

Django files every ``CheckConstraint`` failure under non-field errors, so a form or the
API could only say "something is wrong". The rules of this app each concern one field
(``term_end``, ``deadline``, ...), and the user must be told which one; this subclass
keeps the rule in the database and names the field in ``full_clean()``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models


class FieldCheckConstraint(models.CheckConstraint):
    def __init__(self, *, field: str, **kwargs: Any) -> None:
        self.field = field
        super().__init__(**kwargs)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS) -> None:
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as exc:
            raise ValidationError({self.field: exc.error_list}) from exc

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FieldCheckConstraint):
            return super().__eq__(other) and self.field == other.field
        return super().__eq__(other)
