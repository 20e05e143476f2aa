"""The sign-in guards (docs/roles.md#signing-in): the second-factor gate, the two-limit
login throttle on top of django-axes and its lockout answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from observation.policies import requires_second_factor

API_PREFIX = "/api/"


def username_failure_limit(request: Any = None, credentials: Any = None) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request: Any = None) -> timedelta:
    return timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


class ThrottledSignIn(AxesStandaloneBackend):
    """django-axes' guard, first of AUTHENTICATION_BACKENDS: refuses a locked-out username
    or address before any password is checked. Every sign-in over HTTP (the sign-in page,
    the admin's, the token endpoint) passes its request; ``authenticate`` called without
    one comes from code (a shell, a test client's ``login``), which has no address to
    count, and is let through to the password check."""

    def authenticate(self, request: Any, username: Any = None, password: Any = None, **kw: Any):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kw)


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler with two limits instead of one.

    Axes counts failures per username and per address (``AXES_LOCKOUT_PARAMETERS``) and
    compares the larger count with one limit. Here a username is refused after
    ``LOGIN_FAILURE_LIMIT`` failures, and an address only after
    ``LOGIN_ADDRESS_FAILURE_LIMIT``: a whole office often signs in from one address, and one
    colleague's typos must not lock out the others. ``get_failures`` reports the count that
    axes compares with ``AXES_FAILURE_LIMIT`` (= ``LOGIN_FAILURE_LIMIT``): the username's
    failures, or the limit itself once the address has reached its own limit."""

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        by_username, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_username, settings.LOGIN_FAILURE_LIMIT)
        return by_username

    def reset_user_attempts(self, request: Any, credentials: dict | None = None) -> int:
        """After a successful sign-in, forget that username's failures only. Axes would
        also forget every failure from the address, so anyone with an account in the same
        office could clear a colleague's count between guesses."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        deleted, _ = AccessAttempt.objects.filter(username=username).delete()
        return deleted


def lockout_message() -> str:
    return _(
        "Too many failed sign-ins. This account is locked for %(minutes)d minutes; "
        "head office or an administrator can unlock it sooner."
    ) % {"minutes": settings.LOGIN_COOLOFF_MINUTES}


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What a refused sign-in gets: a 429 with a JSON message on the API, the sign-in page
    with the message everywhere else (the admin's sign-in included)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "registration/locked.html", {"message": lockout_message()}, status=429)


# Paths a signed-in person may reach before giving a required second factor.
# The token endpoint asks for the ``otp`` code itself.
_OPEN_PATHS = (
    "/static/",
    "/i18n/",
    "/accounts/logout/",
    "/accounts/second-factor/",
    "/api/v1/auth/token/",
)


class SecondFactorMiddleware:
    """A person whose role needs a second factor reaches no page but the second-factor
    step until they give it (``django_otp``'s ``is_verified``). Costs nothing when
    ``TWO_FACTOR_ROLES`` is empty; on a token-authenticated API call there is no session,
    so ``request.user`` is anonymous and nothing is read (the token endpoint asks for the
    ``otp`` code itself)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TWO_FACTOR_ROLES and not request.path.startswith(_OPEN_PATHS):
            user = request.user
            if user.is_authenticated and requires_second_factor(user) and not user.is_verified():
                if request.path.startswith(API_PREFIX):
                    return JsonResponse(
                        {"detail": _("Give your second factor on the web page first.")},
                        status=403,
                    )
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('second-factor')}?{query}")
        return self.get_response(request)
