"""Accounts: API tokens, passwords, the second factor, unlocking, and the audit of
sign-ins (docs/roles.md#signing-in, docs/api.md#tokens).

Services here follow the project's rule (docs/architecture.md): keyword-only, ``actor=``,
one transaction, an audit entry. The receivers at the bottom audit what Django and
django-axes announce by signal (sign-ins, failed sign-ins, lockouts) and revoke a user's
tokens whenever their password changes, whichever path changed it (this app's page, the
Django admin, ``changepassword``)."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from observation.kernel.audit import audit_log
from observation.kernel.tokens import token_expired
from observation.policies import ACCOUNT_LOCKS

RECOVERY_CODES = 10


def _address(request: Any) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


def _user_named(username: str) -> AbstractBaseUser:
    """The user of that name, or an unsaved stand-in so an entry still names who was tried."""
    model = get_user_model()
    return model.objects.filter(**{model.USERNAME_FIELD: username}).first() or model(
        **{model.USERNAME_FIELD: username}
    )


# --- API tokens -------------------------------------------------------------------------


@transaction.atomic
def token_issue(*, actor: AbstractBaseUser, request: Any = None) -> Token:
    """A sign-in through the API: the user's token, the one they hold while it has not
    expired, else a new one (the old one deleted). The sign-in and a new token are
    audited."""
    audit_log(
        actor=actor, action="login", target=actor, data={"address": _address(request), "via": "api"}
    )
    token = Token.objects.select_for_update().filter(user=actor).first()
    if token is not None and not token_expired(token):
        return token
    if token is not None:
        token.delete()
    token = Token.objects.create(user=actor)
    audit_log(
        actor=actor,
        action="token.create",
        target=actor,
        data={"address": _address(request)},
    )
    return token


@transaction.atomic
def token_revoke(*, actor: AbstractBaseUser, reason: str) -> int:
    """Delete every API token of ``actor``; audited when there was one."""
    deleted, _ = Token.objects.filter(user=actor).delete()
    if deleted:
        audit_log(actor=actor, action="token.revoke", target=actor, data={"reason": reason})
    return deleted


# --- Second factor ----------------------------------------------------------------------


def totp_device_for_enrolment(*, actor: AbstractBaseUser) -> TOTPDevice:
    """The authenticator being enrolled: the unconfirmed one kept between the page showing
    the QR code and the code typed back, created on first use."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)
    return device


def has_second_factor(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def second_factor_enrol(*, actor: AbstractBaseUser, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code it shows; returns it and the new recovery
    codes (shown once). A wrong code raises ValidationError and changes nothing."""
    device = totp_device_for_enrolment(actor=actor)
    if not device.verify_token(code.strip()):
        raise ValidationError({"code": _("That code is not the one your authenticator shows.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _new_recovery_codes(actor)
    audit_log(actor=actor, action="second_factor.enrol", target=actor)
    return device, codes


def _new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def recovery_codes_renew(*, actor: AbstractBaseUser) -> list[str]:
    codes = _new_recovery_codes(actor)
    audit_log(actor=actor, action="second_factor.recovery_codes", target=actor)
    return codes


def second_factor_check(*, actor: AbstractBaseUser, code: str, request: Any = None) -> Any:
    """The device (authenticator or recovery codes) that accepts ``code``; a recovery code
    is used up. A wrong code is audited and raises ValidationError."""
    device = match_token(actor, (code or "").strip()) if code else None
    if device is None:
        audit_log(
            actor=None,
            action="login.failed",
            target=actor,
            data={"reason": "second factor", "address": _address(request)},
        )
        raise ValidationError(
            {"otp": _("That code is not valid: give the code your authenticator shows now.")}
        )
    audit_log(
        actor=actor,
        action="login.second_factor",
        target=actor,
        data={
            "device": "recovery code" if isinstance(device, StaticDevice) else "authenticator",
            "address": _address(request),
        },
    )
    return device


# --- Passwords and locks ----------------------------------------------------------------


@transaction.atomic
def password_change(*, actor: AbstractBaseUser, new_password: str) -> None:
    """Set ``actor``'s password. The receiver below revokes their tokens; Django's session
    hash signs every other session out (the caller keeps the current one with
    ``update_session_auth_hash``)."""
    actor.set_password(new_password)
    actor.save()
    audit_log(actor=actor, action="password.change", target=actor)


@transaction.atomic
def account_unlock(*, actor: AbstractBaseUser, username: str) -> int:
    """Clear the failed sign-ins of ``username`` so it may sign in again at once."""
    if not ACCOUNT_LOCKS.can_write(actor):
        raise ValidationError(_("Only head office and administrators unlock accounts."))
    cleared = AxesProxyHandler.reset_attempts(username=username)
    audit_log(
        actor=actor,
        action="account.unlock",
        target=_user_named(username),
        data={"username": username, "attempts_cleared": cleared},
    )
    return cleared


# --- Receivers --------------------------------------------------------------------------


def _via(request: Any) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "page"


@receiver(user_logged_in, dispatch_uid="observation.accounts.audit_sign_in")
def _audit_sign_in(sender: Any, request: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
    # A sign-in made by code without an HTTP request (a test client's force_login, a
    # shell) has no address nor page to record and is not a person signing in.
    if request is None or request.method is None:
        return
    audit_log(
        actor=user,
        action="login",
        target=user,
        data={"address": _address(request), "via": _via(request)},
    )


@receiver(user_login_failed, dispatch_uid="observation.accounts.audit_failed_sign_in")
def _audit_failed_sign_in(
    sender: Any, credentials: dict, request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    audit_log(
        actor=None,
        action="login.failed",
        target=_user_named(username),
        data={"username": username, "address": _address(request), "via": _via(request)},
    )


@receiver(user_locked_out, dispatch_uid="observation.accounts.audit_lockout")
def _audit_lockout(
    sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    audit_log(
        actor=None,
        action="login.locked_out",
        target=_user_named(username or ""),
        data={"username": username, "address": ip_address, "via": _via(request)},
    )


@receiver(pre_save, sender=get_user_model(), dispatch_uid="observation.accounts.password_seen")
def _note_password_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    # ``set_password`` keeps the raw password in ``_password`` until the save; a hash
    # upgraded at sign-in clears it first, so only a real change is seen here.
    instance._baikoo_password_changed = (
        instance.pk is not None and getattr(instance, "_password", None) is not None
    )


@receiver(post_save, sender=get_user_model(), dispatch_uid="observation.accounts.password_revoke")
def _revoke_tokens_on_password_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "_baikoo_password_changed", False):
        instance._baikoo_password_changed = False
        token_revoke(actor=instance, reason="password changed")
