"""Accounts (issue 12; docs/roles.md#signing-in, docs/api.md#tokens): the second factor
through the real sign-in form and the token endpoint, sign-in throttling and unlocking,
expiring and revocable tokens, changing one's password, and the audit of all of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from observation.models import AuditEntry
from tests.factories import make_district, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests"
TOKEN_URL = "/api/v1/auth/token/"
STAFF_2FA = ["headoffice", "legal", "admin"]


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, offset):06d}"


def _sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _actions(**filters) -> list[str]:
    return list(
        AuditEntry.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


# --- Second factor ----------------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.TWO_FACTOR_ROLES = STAFF_2FA


def test_staff_enrol_on_first_sign_in_and_reach_nothing_else_before(client, two_factor):
    make_user(Role.HEAD_OFFICE, "boss")
    response = _sign_in(client, "boss")
    assert response.status_code == 302
    for path in ("/", "/elections/", "/audit/", "/admin/", "/accounts/password/"):
        refused = client.get(path)
        assert refused.status_code == 302, path
        assert refused["Location"].startswith("/accounts/second-factor/"), path
    assert client.get("/api/v1/me/").status_code == 403  # the session is not enough

    page = client.get("/accounts/second-factor/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"otpauth" not in page.content  # the QR, not the URL
    device = TOTPDevice.objects.get(user__username="boss", confirmed=False)

    wrong = client.post("/accounts/second-factor/", {"code": "000000", "next": "/elections/"})
    assert wrong.status_code == 200 and b"not the one your authenticator" in wrong.content
    assert client.get("/elections/").status_code == 302

    done = client.post("/accounts/second-factor/", {"code": _code(device), "next": "/elections/"})
    assert done.status_code == 200  # the recovery codes, shown once
    assert len(done.context["codes"]) == 10
    assert client.get("/elections/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert TOTPDevice.objects.get(user__username="boss").confirmed
    assert _actions(actor__username="boss") == ["login", "second_factor.enrol"]


def test_an_enrolled_person_gives_a_code_or_a_recovery_code_once(client, two_factor):
    make_user(Role.LEGAL, "lawyer")
    _sign_in(client, "lawyer")
    client.get("/accounts/second-factor/")
    device = TOTPDevice.objects.get(user__username="lawyer")
    codes = client.post("/accounts/second-factor/", {"code": _code(device)}).context["codes"]

    for use in range(2):
        other = Client()
        assert _sign_in(other, "lawyer").status_code == 302
        assert other.get("/").status_code == 302
        answer = other.post("/accounts/second-factor/", {"code": codes[0], "next": "/"})
        if use == 0:
            assert answer.status_code == 302 and answer["Location"] == "/"
            assert other.get("/").status_code == 200
        else:  # a recovery code works once
            assert answer.status_code == 200
            assert other.get("/").status_code == 302
    assert "login.failed" in _actions(object_id=str(device.user_id))
    used = AuditEntry.objects.get(action="login.second_factor")
    assert used.data["device"] == "recovery code"


def test_roles_outside_the_setting_and_the_default_setting_skip_the_step(client, settings):
    district = make_district()
    make_user(Role.LTO, "lto", districts=[district])
    make_user(Role.HEAD_OFFICE, "boss")
    settings.TWO_FACTOR_ROLES = STAFF_2FA
    _sign_in(client, "lto")
    assert client.get("/").status_code == 200
    settings.TWO_FACTOR_ROLES = []  # the development default: `make run` signs in at once
    boss = Client()
    _sign_in(boss, "boss")
    assert boss.get("/").status_code == 200


def test_token_endpoint_asks_staff_for_a_valid_otp(two_factor):
    user = make_user(Role.HEAD_OFFICE, "boss")
    api = APIClient()
    not_enrolled = api.post(TOKEN_URL, {"username": "boss", "password": PASSWORD})
    assert not_enrolled.status_code == 400
    assert "second factor" in not_enrolled.json()["non_field_errors"][0]

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert api.post(TOKEN_URL, {"username": "boss", "password": PASSWORD}).status_code == 400
    wrong = api.post(TOKEN_URL, {"username": "boss", "password": PASSWORD, "otp": "123456"})
    assert wrong.status_code == 400 and "otp" in wrong.json()
    assert not Token.objects.filter(user=user).exists()
    # django-otp slows down guessing: after a wrong code the next one waits a moment.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()

    good = api.post(TOKEN_URL, {"username": "boss", "password": PASSWORD, "otp": _code(device)})
    assert good.status_code == 200, good.json()
    assert set(good.json()) == {"token", "expires_at"}
    api.credentials(HTTP_AUTHORIZATION=f"Token {good.json()['token']}")
    assert api.get("/api/v1/me/").status_code == 200
    assert _actions(actor=user) == ["login.second_factor", "login", "token.create"]


def test_token_endpoint_needs_no_otp_from_roles_outside_the_setting(two_factor):
    make_user(Role.LTO, "lto")
    response = APIClient().post(TOKEN_URL, {"username": "lto", "password": PASSWORD})
    assert response.status_code == 200


def test_production_asks_staff_for_a_second_factor_by_default():
    from tests.observation.test_settings import run_manage

    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(','.join(s.TWO_FACTOR_ROLES)); "
        "print(s.SPECTACULAR_SETTINGS['SERVE_PERMISSIONS'])",
        PRODUCTION="true",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="baikoo.example.org",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-2] == "headoffice,legal,admin"
    assert "IsAuthenticated" in lines[-1]
    unknown = run_manage("check", TWO_FACTOR_ROLES="headoffice,boss")
    assert unknown.returncode != 0 and "TWO_FACTOR_ROLES" in unknown.stderr


# --- Throttling -------------------------------------------------------------------------


@pytest.fixture
def throttle(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 50


def test_five_failures_lock_the_username_on_the_sign_in_page(client, throttle):
    make_user(Role.ANALYST, "analyst")
    make_user(Role.ANALYST, "colleague")
    for _ in range(5):
        assert _sign_in(client, "analyst", "wrong").status_code in (200, 429)
    refused = _sign_in(client, "analyst")  # the right password, too late
    assert refused.status_code == 429
    assert b"Too many failed sign-ins" in refused.content
    assert "_auth_user_id" not in client.session
    # A colleague at the same address still signs in.
    assert _sign_in(Client(), "colleague").status_code == 302
    assert _actions(action__startswith="login.").count("login.failed") >= 5
    assert "login.locked_out" in _actions()


def test_the_lock_ends_after_the_cool_off(client, throttle, settings):
    make_user(Role.ANALYST, "analyst")
    for _ in range(5):
        _sign_in(client, "analyst", "wrong")
    assert _sign_in(client, "analyst").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES + 1)
    )
    assert _sign_in(client, "analyst").status_code == 302


def test_an_address_is_refused_only_after_its_own_limit(client, throttle, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    make_user(Role.ANALYST, "analyst")
    for n in range(7):  # seven colleagues mistype once each: nobody is locked
        _sign_in(client, f"user{n}", "wrong")
    assert _sign_in(Client(), "analyst").status_code == 302
    _sign_in(client, "user7", "wrong")  # the eighth failure from the address
    assert _sign_in(Client(), "analyst").status_code == 429
    # From another address the same account signs in.
    assert _sign_in(Client(), "analyst", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_token_endpoint_answers_429_with_a_json_message(throttle):
    make_user(Role.LTO, "lto")
    api = APIClient()
    for _ in range(5):
        api.post(TOKEN_URL, {"username": "lto", "password": "wrong"})
    locked = api.post(TOKEN_URL, {"username": "lto", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.json()["detail"]


def test_the_admin_sign_in_is_throttled_alike(client, throttle):
    make_user(Role.ADMIN, "root", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    locked = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert locked.status_code == 429
    assert "via" in AuditEntry.objects.filter(action="login.locked_out").first().data
    assert AuditEntry.objects.filter(action="login.failed", data__via="admin").exists()


@pytest.mark.parametrize("role", [Role.HEAD_OFFICE, Role.ADMIN])
def test_head_office_and_admins_unlock_an_account(client, throttle, role):
    make_user(Role.ANALYST, "analyst")
    for _ in range(5):
        _sign_in(Client(), "analyst", "wrong")
    staff = make_user(role, "staff")
    client.force_login(staff)
    page = client.get("/accounts/locks/")
    assert page.status_code == 200 and b"analyst" in page.content
    assert client.post("/accounts/locks/", {"username": "analyst"}).status_code == 302
    assert _sign_in(Client(), "analyst").status_code == 302
    entry = AuditEntry.objects.get(action="account.unlock")
    assert entry.actor == staff and entry.data["username"] == "analyst"


@pytest.mark.parametrize("role", [Role.LTO, Role.COORDINATOR, Role.LEGAL, Role.ANALYST])
def test_other_roles_cannot_unlock(client, role):
    client.force_login(make_user(role))
    assert client.get("/accounts/locks/").status_code == 403
    assert client.post("/accounts/locks/", {"username": "x"}).status_code == 403
    assert not AuditEntry.objects.filter(action="account.unlock").exists()


# --- Tokens and passwords -----------------------------------------------------------------


def _token_for(username: str) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def _with(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_token_expires_after_its_lifetime(settings):
    settings.API_TOKEN_TTL_HOURS = 24
    make_user(Role.LTO, "lto")
    token = _token_for("lto")
    assert _token_for("lto") == token  # still valid: the same one
    assert _with(token).get("/api/v1/me/").status_code == 200
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(hours=24, seconds=1))
    expired = _with(token).get("/api/v1/me/")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    assert not Token.objects.filter(key=token).exists()
    assert _token_for("lto") != token


def test_an_expired_token_is_refused_on_the_filing_path_too():
    make_user(Role.LTO, "lto")
    token = _token_for("lto")
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(days=2))
    assert _with(token).get("/api/v1/incidents/").status_code == 401


def test_logout_revokes_the_callers_token():
    user = make_user(Role.LTO, "lto")
    token = _token_for("lto")
    api = _with(token)
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 401
    assert api.post("/api/v1/auth/logout/").status_code == 401
    assert _actions(actor=user) == ["login", "token.create", "token.revoke"]


def test_changing_ones_password_revokes_tokens_and_other_sessions(client):
    user = make_user(Role.ANALYST, "analyst")
    token = _token_for("analyst")
    elsewhere = Client()
    _sign_in(elsewhere, "analyst")
    assert elsewhere.get("/").status_code == 200
    _sign_in(client, "analyst")
    assert client.get("/accounts/password/").status_code == 200

    refused = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "n3w-Secret!x", "new_password2": "n3w-Secret!x"},
    )
    assert refused.status_code == 200 and _with(token).get("/api/v1/me/").status_code == 200

    changed = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-Secret!x",
            "new_password2": "n3w-Secret!x",
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200  # this session stays
    assert elsewhere.get("/").status_code == 302  # the other one is signed out
    assert _with(token).get("/api/v1/me/").status_code == 401
    user.refresh_from_db()
    assert user.check_password("n3w-Secret!x")
    assert "password.change" in _actions(actor=user)
    assert AuditEntry.objects.get(action="token.revoke").data == {"reason": "password changed"}


def test_a_password_set_anywhere_else_revokes_the_tokens_too():
    user = make_user(Role.LTO, "lto")
    token = _token_for("lto")
    user.set_password("set-by-an-admin-1")
    user.save()
    assert _with(token).get("/api/v1/me/").status_code == 401


# --- Audit of sign-ins and profile changes ---------------------------------------------------


def test_sign_ins_and_failures_are_audited_with_the_address(client):
    user = make_user(Role.ANALYST, "analyst")
    _sign_in(client, "analyst", "wrong", REMOTE_ADDR="192.0.2.7")
    _sign_in(client, "nobody", "wrong", REMOTE_ADDR="192.0.2.7")
    _sign_in(client, "analyst", REMOTE_ADDR="192.0.2.7")
    failed = AuditEntry.objects.filter(action="login.failed").order_by("id")
    assert [(e.actor, e.data["username"], e.data["address"]) for e in failed] == [
        (None, "analyst", "192.0.2.7"),
        (None, "nobody", "192.0.2.7"),
    ]
    assert failed[0].object_id == str(user.pk) and failed[1].object_id == ""
    login = AuditEntry.objects.get(action="login")
    assert login.actor == user and login.data == {"address": "192.0.2.7", "via": "page"}


def test_role_and_district_changes_in_the_django_admin_are_audited(client):
    from observation.models import ObserverProfile

    osh, bishkek = make_district(code="OSH"), make_district(code="BSK")
    target = make_user(Role.LTO, "lto", districts=[osh])
    root = make_user(Role.ADMIN, "root", is_staff=True, is_superuser=True)
    client.force_login(root)
    profile = ObserverProfile.objects.get(user=target)
    response = client.post(
        f"/admin/observation/observerprofile/{profile.pk}/change/",
        {"user": target.pk, "role": "coordinator", "districts": [osh.pk, bishkek.pk], "phone": ""},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="observer_profile.update")
    assert entry.actor == root
    assert entry.data["role"] == ["lto", "coordinator"]
    assert entry.data["districts"] == [[osh.pk], sorted([osh.pk, bishkek.pk])]


def _user_change_form(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_changes_of_an_accounts_powers_in_the_django_admin_are_audited(client):
    from django.contrib.auth.models import Group

    target = make_user(Role.ANALYST, "analyst")
    root = make_user(Role.ADMIN, "root", is_staff=True, is_superuser=True)
    group = Group.objects.create(name="editors")
    client.force_login(root)
    url = f"/admin/auth/user/{target.pk}/change/"
    response = client.post(url, _user_change_form(target, is_staff="on", groups=[group.pk]))
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.actor == root and entry.object_id == str(target.pk)
    assert entry.data == {
        "user": "analyst",
        "is_staff": [False, True],
        "groups": [[], ["editors"]],
    }
    # Saving again with nothing changed writes nothing; a name change is not a power.
    target.refresh_from_db()
    client.post(url, _user_change_form(target, first_name="Aida", groups=[group.pk]))
    assert AuditEntry.objects.filter(action="user.update").count() == 1
    target.refresh_from_db()
    client.post(url, _user_change_form(target, is_active="", groups=[group.pk]))
    last = AuditEntry.objects.filter(action="user.update").latest("id")
    assert last.data == {"user": "analyst", "is_active": [True, False]}
    assert "password" not in str(last.data)


def test_accounts_created_and_deleted_in_the_django_admin_are_audited(client):
    root = make_user(Role.ADMIN, "root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newcomer",
            "password1": "a-Long-pass-phrase-9",
            "password2": "a-Long-pass-phrase-9",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    created = AuditEntry.objects.get(action="user.create")
    assert created.data["user"] == "newcomer" and created.data["is_superuser"] is False
    assert "a-Long-pass-phrase-9" not in str(created.data)
    newcomer = get_user_model().objects.get(username="newcomer")
    response = client.post(f"/admin/auth/user/{newcomer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="newcomer").exists()
    deleted = AuditEntry.objects.get(action="user.delete")
    assert deleted.actor == root and deleted.data["user"] == "newcomer"


def test_a_colleagues_sign_in_does_not_clear_anyone_elses_failures(client, throttle):
    make_user(Role.ANALYST, "analyst")
    make_user(Role.ANALYST, "colleague")
    for _ in range(4):
        _sign_in(client, "analyst", "wrong")
    assert _sign_in(Client(), "colleague").status_code == 302  # same address
    _sign_in(client, "analyst", "wrong")  # the fifth
    assert _sign_in(client, "analyst").status_code == 429


# --- API schema and docs; the CSP header ---------------------------------------------------


def test_schema_and_docs_need_a_signed_in_user_in_production():
    from tests.observation.test_settings import run_manage

    script = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/api/schema/', secure=True).status_code, "
        "c.get('/api/docs/', secure=True).status_code)"
    )
    result = run_manage(
        "shell", "-c", script, PRODUCTION="true", SECRET_KEY="x" * 50, ALLOWED_HOSTS="testserver"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "401 401"


def test_schema_and_docs_are_open_in_development(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"<style" not in docs.content  # its inline style is a file (static/css/swagger.css)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/docs/"])
def test_every_page_carries_the_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_templates_hold_no_inline_script_handler_or_style():
    """The CSP refuses them in the browser (tests/e2e/test_csp.py); this finds them first.
    The report's export template is not a page: it is handed to the PDF renderer."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>"
        r"|\son[a-z]+\s*=|\sstyle\s*=|<style\b|hx-on|javascript:",
        re.IGNORECASE,
    )
    comments = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.html")
        if path.parts[-3:-1] != ("reports", "export")
        for match in inline.finditer(comments.sub("", path.read_text()))
    ]
    assert not found, found


def test_the_limits_follow_the_settings(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user(Role.ANALYST, "analyst")
    for _ in range(2):
        _sign_in(client, "analyst", "wrong")
    assert _sign_in(client, "analyst").status_code == 302  # two were not enough
    other = Client()
    for _ in range(3):
        _sign_in(other, "analyst", "wrong")
    assert _sign_in(other, "analyst").status_code == 429
