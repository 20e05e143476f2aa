"""Pages about one's account and the mission's accounts (docs/roles.md#signing-in): the
second-factor step and enrolment, recovery codes, changing one's password, unlocking
accounts and reading the audit trail."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from observation import accounts, queries
from observation.kernel.access import require
from observation.kernel.forms import DateInput, add_service_errors
from observation.policies import ACCOUNT_LOCKS, AUDIT_TRAIL, requires_second_factor

PAGE_SIZE = 50


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _qr_svg(url: str) -> str:
    # An <svg> element, no script and no style attribute: allowed by the CSP as it is.
    return segno.make(url, error="m").svg_inline(scale=4, omitsize=False, dark="#000")


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The step after the password for the roles in TWO_FACTOR_ROLES: enrolment the first
    time (a QR code to scan, a code to type back, recovery codes shown once), a code from
    the authenticator (or a recovery code) every time after."""
    user = request.user
    if not requires_second_factor(user) or user.is_verified():
        return redirect(_next(request))
    enrolled = accounts.has_second_factor(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if enrolled:
                device = accounts.second_factor_check(actor=user, code=code, request=request)
                codes = None
            else:
                device, codes = accounts.second_factor_enrol(actor=user, code=code)
        except ValidationError as error:
            add_service_errors(form, ValidationError({"code": error.messages}))
        else:
            otp_login(request, device)
            if codes is not None:
                return render(
                    request,
                    "registration/recovery_codes.html",
                    {"codes": codes, "next": _next(request)},
                )
            return redirect(_next(request))
    context: dict[str, Any] = {"form": form, "enrolled": enrolled, "next": _next(request)}
    if not enrolled:
        device = accounts.totp_device_for_enrolment(actor=user)
        context |= {"qr_svg": _qr_svg(device.config_url), "secret": _base32(device)}
    return render(request, "registration/second_factor.html", context)


def _base32(device: Any) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a person who has verified."""
    if not (requires_second_factor(request.user) and request.user.is_verified()):
        return redirect("home")
    if request.method == "POST":
        codes = accounts.recovery_codes_renew(actor=request.user)
        return render(request, "registration/recovery_codes.html", {"codes": codes, "next": "/"})
    return render(request, "registration/recovery_codes.html", {"codes": None, "next": "/"})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """A person changes their own password; their API tokens and their other sessions stop
    working (docs/roles.md#signing-in)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.password_change(
            actor=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(
            request,
            _("Password changed. Your API tokens and your other sessions were signed out."),
        )
        return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


class UnlockForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)


@require(ACCOUNT_LOCKS.can_read)
@require_http_methods(["GET", "POST"])
def account_locks(request: HttpRequest) -> HttpResponse:
    """Accounts refused for too many failed sign-ins, and unlocking them."""
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        try:
            accounts.account_unlock(actor=request.user, username=username)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(username)s can sign in again.") % {"username": username})
            return redirect("account-locks")
    return render(
        request,
        "observation/account_locks.html",
        {"form": form, "locked": queries.locked_accounts()},
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (user name)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("What"), required=False)
    target = forms.CharField(label=_("Which object"), required=False, max_length=300)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each action, and each family of actions (``login`` for ``login.failed`` …).
        families = sorted({a.split(".")[0] for a in actions if "." in a} - set(actions))
        self.fields["action"].choices = [
            ("", _("Any")),
            *((f, _("%(family)s (all)") % {"family": f}) for f in families),
            *((a, a) for a in actions),
        ]


@require(AUDIT_TRAIL.can_read)
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The audit trail, newest first, filtered by who, what, which object and when."""
    form = AuditFilterForm(request.GET or None, actions=queries.audit_actions())
    filters = form.cleaned_data if form.is_valid() else {}
    entries = queries.audit_entries(**{k: v for k, v in filters.items() if v})
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "observation/audit_trail.html", {"form": form, "page": page})
