"""API tokens that expire (docs/api.md#tokens).

A token works for ``API_TOKEN_TTL_HOURS`` after it was issued; the check reads the
token's ``created`` time from the row the lookup already fetched, so it costs no query.
An expired token is deleted the first time it is presented."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


def token_expires_at(token: Any) -> datetime:
    return token.created + timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_expired(token: Any) -> bool:
    return timezone.now() >= token_expires_at(token)


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing (and deleting) a token past its lifetime."""

    def check_token(self, token: Any) -> tuple[Any, Any]:
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("Token expired; sign in again for a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = self.get_model().objects.select_related("user").filter(key=key).first()
        return self.check_token(token)
