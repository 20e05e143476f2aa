"""Test set-up shared by every app.

Tests that need PostgreSQL, Redis or a browser carry the markers ``postgres``, ``redis``
or ``browser``. Where the service is not configured they skip with the reason; CI sets
``BAIKOO_REQUIRE_SERVICES=1`` and then a missing service fails the test instead, so CI
always runs them.
"""

from __future__ import annotations

import os
import shutil
import threading
import weakref

import pytest
from django.conf import settings as django_settings

REQUIRE_SERVICES = os.environ.get("BAIKOO_REQUIRE_SERVICES", "") in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config: pytest.Config) -> None:
    # Persistent connections outlive live_server threads and make PostgreSQL refuse to
    # drop the test database at the end ("being accessed by other users").
    django_settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Transactional tests empty the database with one TRUNCATE of every table; the audit
    # trail's trigger refuses that unless the session allows it (observation migration
    # 0003). Only the test suite's connections do.
    from django.db.backends.signals import connection_created

    connection_created.connect(_allow_audit_truncate, dispatch_uid="tests.allow_audit_truncate")


OPENED: weakref.WeakSet = weakref.WeakSet()
"""Every database connection the tests' process opened (``close_stray_connections``)."""


def close_stray_connections() -> None:
    """Close every connection this thread opened, wherever Django keeps it.

    While Playwright's event loop runs in the test's thread, asgiref keeps Django's
    connections per context rather than per thread, so an ORM call made by a browser test
    opens a second connection that ``connections.close_all()`` no longer reaches: it made
    PostgreSQL refuse to drop the test database at the end ("being accessed by other
    users"). Connections of other threads (the live server's) close themselves."""
    here = threading.get_ident()
    for wrapper in list(OPENED):
        if wrapper.connection is not None and wrapper._thread_ident == here:
            wrapper.close()


def _allow_audit_truncate(sender, connection, **kwargs) -> None:
    OPENED.add(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET baikoo.allow_audit_truncate = 'on'")


def _missing_service(marker: str) -> str | None:
    postgres = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if marker == "postgres" and not postgres:
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not django_settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if marker == "browser" and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing_service(marker)
        if reason is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"BAIKOO_REQUIRE_SERVICES is set but this test {reason}")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    # Tests exercise the after-commit publishing path; without a worker the task runs
    # in-process. Tests with a real worker (marker ``redis``) switch this off.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from observation.config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Russian or Kyrgyz leaves that language active in the thread (Django's
    LocaleMiddleware activates it and nothing deactivates it): start every test in the
    project's default language, whatever the previous one asked for."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)
