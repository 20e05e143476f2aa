from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from observation.config.env import StrictEnv

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The subprocess sees a clean deployment: none of the test run's own switches.
    dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "raw, expected", [("true", True), ("0", False), ("Yes", True), ("off", False)]
)
def test_bool_accepts_the_usual_spellings(raw, expected):
    assert StrictEnv({"DEBUG": raw}).bool("DEBUG") is expected


def test_bool_refuses_anything_else_and_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        StrictEnv({"DEBUG": "maybe"}).bool("DEBUG", False)


def test_int_refuses_text_and_values_below_the_minimum():
    with pytest.raises(ImproperlyConfigured, match="EVIDENCE_MAX_BYTES='25MB'"):
        StrictEnv({"EVIDENCE_MAX_BYTES": "25MB"}).int("EVIDENCE_MAX_BYTES")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT=0 must be at least 1"):
        StrictEnv({"EMAIL_PORT": "0"}).int("EMAIL_PORT", minimum=1)


def test_missing_required_variable_is_named():
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable SECRET_KEY"):
        StrictEnv({}).str("SECRET_KEY")


def test_list_refuses_empty_items():
    assert StrictEnv({"ALLOWED_HOSTS": "a.org, b.org"}).list("ALLOWED_HOSTS") == ["a.org", "b.org"]
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        StrictEnv({"ALLOWED_HOSTS": "a.org,,b.org"}).list("ALLOWED_HOSTS")


def test_database_url_defaults_to_sqlite_and_refuses_other_engines():
    env = StrictEnv({})
    assert env.db("DATABASE_URL", "sqlite:////tmp/x.sqlite3")["ENGINE"].endswith("sqlite3")
    pg = StrictEnv({"DATABASE_URL": "postgres://u@127.0.0.1:5432/baikoo"}).db("DATABASE_URL")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert pg["NAME"] == "baikoo"
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must be a postgres"):
        StrictEnv({"DATABASE_URL": "mysql://u@h/db"}).db("DATABASE_URL")


def test_redis_url_must_be_a_redis_url():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL='localhost:6379'"):
        StrictEnv({"REDIS_URL": "localhost:6379"}).url("REDIS_URL", ("redis", "rediss"), "")


def test_bad_value_stops_start_up_with_the_variable_named():
    result = run_manage("check", DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_production_requires_secret_key():
    result = run_manage("check", PRODUCTION="true", ALLOWED_HOSTS="baikoo.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="true",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="baikoo.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_redis_url_selects_redis_as_broker_and_cache():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert "redis://127.0.0.1:6379/3 django.core.cache.backends.redis.RedisCache" in result.stdout


def test_without_redis_the_broker_is_the_filesystem_transport():
    result = run_manage(
        "shell", "-c", "from django.conf import settings as s; print(s.CELERY_BROKER_URL)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "filesystem://"


def test_int_list_names_the_variable_and_the_bad_item():
    env = StrictEnv({"ESCALATION_RETRY_DELAYS": "30, 120,600"})
    assert env.int_list("ESCALATION_RETRY_DELAYS", minimum=1) == [30, 120, 600]
    with pytest.raises(ImproperlyConfigured, match="ESCALATION_RETRY_DELAYS has '2m'"):
        StrictEnv({"ESCALATION_RETRY_DELAYS": "30,2m"}).int_list("ESCALATION_RETRY_DELAYS")
    with pytest.raises(ImproperlyConfigured, match="ESCALATION_RETRY_DELAYS has 0"):
        StrictEnv({"ESCALATION_RETRY_DELAYS": "30,0"}).int_list(
            "ESCALATION_RETRY_DELAYS", minimum=1
        )


def test_a_fresh_clone_gets_its_var_folder_for_the_sqlite_file(tmp_path):
    var = tmp_path / "fresh" / "var"
    result = run_manage("migrate", "--noinput", BAIKOO_VAR_DIR=str(var))
    assert result.returncode == 0, result.stderr
    assert (var / "baikoo.sqlite3").exists()


def test_the_content_security_policy_lets_the_map_load_tiles_from_their_host_only():
    show_img_src = (
        "from django.conf import settings as s; "
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    result = run_manage(
        "shell",
        "-c",
        show_img_src,
        MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png",
    )
    assert result.returncode == 0, result.stderr
    assert "'https://*.tile.example.org'" in result.stdout
    without_tiles = run_manage("shell", "-c", show_img_src)
    assert without_tiles.stdout.strip().splitlines()[-1] == "[\"'self'\", 'data:']"
