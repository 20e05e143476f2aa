"""docker-compose cannot run here; these tests keep it honest by reading it."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_compose_has_the_five_services():
    assert set(compose()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_web_migrates_then_serves_the_wsgi_app_with_gunicorn():
    web = compose()["services"]["web"]
    command = command_of(web)
    assert command.index("migrate --noinput") < command.index("gunicorn")
    module, attr = re.search(r"gunicorn (\S+):(\S+)", command).groups()
    assert (ROOT / (module.replace(".", "/") + ".py")).exists()
    assert attr == "application"


def test_worker_and_beat_run_the_projects_celery_app():
    services = compose()["services"]
    assert "celery -A observation worker" in command_of(services["worker"])
    assert "celery -A observation beat" in command_of(services["beat"])
    assert (ROOT / "observation" / "config" / "celery.py").exists()


def test_app_services_share_one_environment_file_and_reach_postgres_and_redis():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["env_file"] == "baikoo.env"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert set(service["depends_on"]) == {"postgres", "redis"}
    assert (ROOT / "baikoo.env.example").exists()
    assert (ROOT / "Dockerfile").exists()


# Every environment variable is documented in one table, in docs/configuration.md.
CONFIGURATION_DOC = ROOT / "docs" / "configuration.md"


def test_every_variable_the_settings_read_is_documented_in_the_configuration_page():
    settings_source = (ROOT / "observation" / "config" / "settings.py").read_text()
    used = set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', settings_source))
    documented = CONFIGURATION_DOC.read_text()
    undocumented = sorted(name for name in used if f"`{name}`" not in documented)
    assert not undocumented, f"not in docs/configuration.md: {undocumented}"


def test_env_example_only_sets_documented_variables():
    documented = CONFIGURATION_DOC.read_text()
    for line in (ROOT / "baikoo.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("=", 1)[0]
            assert f"`{name}`" in documented, name
