from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BareRow(models.Model):
    """The one row a bare view inserts: about as small as a useful row gets."""

    client_id = models.UUIDField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.client_id)
