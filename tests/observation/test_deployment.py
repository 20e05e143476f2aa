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


APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_compose_has_its_services():
    assert set(compose()["services"]) == {
        "postgres", "redis", "minio", "createbucket", "migrate", "web", "worker", "beat",
        "nginx",
    }  # fmt: skip


def test_web_serves_the_wsgi_app_with_gunicorn_and_does_not_migrate():
    web = compose()["services"]["web"]
    command = command_of(web)
    assert "migrate" not in command
    module, attr = re.search(r"gunicorn (\S+):(\S+)", command).groups()
    assert (ROOT / (module.replace(".", "/") + ".py")).exists()
    assert attr == "application"


def test_web_and_the_image_run_gunicorn_with_the_projects_config():
    """One gunicorn configuration (gunicorn.conf.py), for production and the benchmarks."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    for command in (command_of(compose()["services"]["web"]), dockerfile):
        assert '--config", "gunicorn.conf.py' in command or "--config gunicorn.conf.py" in command
    config: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 (our own file)
    assert (config["bind"], config["workers"], config["timeout"]) == ("0.0.0.0:8000", 3, 60)
    assert callable(config["post_worker_init"])


def test_migrations_run_once_in_a_one_shot_service_that_web_and_worker_wait_for():
    services = compose()["services"]
    migrate = services["migrate"]
    assert command_of(migrate) == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_web_and_worker_can_be_scaled_and_beat_cannot_be_doubled_by_accident():
    services = compose()["services"]
    for name in ("web", "worker"):
        service = services[name]
        assert "container_name" not in service, name
        assert "ports" not in service, f"{name}: a fixed host port stops --scale"
    assert services["web"]["expose"] == ["8000"]
    assert "deploy" not in services["beat"] or services["beat"]["deploy"].get("replicas") == 1


def test_nginx_fronts_web_with_the_config_in_the_repository():
    nginx = compose()["services"]["nginx"]
    mount = next(v for v in nginx["volumes"] if "nginx.conf" in v)
    source, target, mode = mount.split(":")
    assert (ROOT / source).is_file() and target == "/etc/nginx/conf.d/default.conf"
    assert mode == "ro"
    conf = (ROOT / source).read_text()
    assert re.search(r"proxy_pass \$baikoo_web;", conf)
    assert "set $baikoo_web http://web:8000;" in conf
    assert "resolver 127.0.0.11" in conf  # every replica of web, also after rescaling


def nginx_directive(name: str) -> str:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    lines = [line.split("#", 1)[0].strip() for line in conf.splitlines()]
    values = [line[len(name) :].strip(" ;") for line in lines if line.startswith(name + " ")]
    assert len(values) == 1, (name, values)
    return values[0]


def test_nginx_accepts_one_evidence_file_buffers_slow_uploads_and_compresses():
    from django.conf import settings

    limit = nginx_directive("client_max_body_size")
    assert limit.endswith("m")
    limit_bytes = int(limit[:-1]) * 1024 * 1024
    # The largest file plus the multipart envelope, but not a door for anything bigger.
    assert settings.EVIDENCE_MAX_BYTES < limit_bytes <= settings.EVIDENCE_MAX_BYTES + 8 * 1024**2
    assert nginx_directive("proxy_request_buffering") == "on"
    assert nginx_directive("gzip") == "on"
    assert "application/json" in nginx_directive("gzip_types")
    assert nginx_directive("proxy_set_header X-Forwarded-Proto") == "$scheme"
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "TLS termination" in conf and "listen 443 ssl" in conf


def test_private_files_go_to_the_minio_bucket_made_by_a_one_shot_service():
    services = compose()["services"]
    create = services["createbucket"]
    script = " ".join(create["command"])
    assert "mc mb --ignore-existing baikoo/baikoo" in script
    assert "mc anonymous set none baikoo/baikoo" in script  # private, never public
    assert create["depends_on"]["minio"] == {"condition": "service_healthy"}
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["S3_BUCKET"] == "baikoo"
        assert environment["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert (
            environment["AWS_SECRET_ACCESS_KEY"]
            == services["minio"]["environment"]["MINIO_ROOT_PASSWORD"]
        )
        assert environment["AWS_SECRET_ACCESS_KEY"] in script
        assert services[name]["depends_on"]["createbucket"] == {
            "condition": "service_completed_successfully"
        }
    # Nothing private is kept on an application container's disk any more.
    assert "volumes" not in services["web"] and "volumes" not in services["worker"]


def test_worker_and_beat_run_the_projects_celery_app():
    services = compose()["services"]
    assert "celery -A observation worker" in command_of(services["worker"])
    assert "celery -A observation beat" in command_of(services["beat"])
    assert (ROOT / "observation" / "config" / "celery.py").exists()


def test_app_services_share_one_environment_file_and_reach_postgres_and_redis():
    services = compose()["services"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["env_file"] == "baikoo.env"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        for backing in ("postgres", "redis"):
            assert service["depends_on"][backing] == {"condition": "service_healthy"}
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
