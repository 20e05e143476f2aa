"""The sign-in backend: Django's own, reading the user's observer profile in the same query
as the user (docs/benchmarks.md, filing). Every page and every session request to the API
asks for the role right after loading the user; one query less on each."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        User = get_user_model()
        try:
            user = User._default_manager.select_related("observer_profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
