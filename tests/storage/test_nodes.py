"""Any node serves any file (docs/storage.md): two web processes (gunicorn) and a Celery
worker, each its own process, share only PostgreSQL, a private Redis and the local S3
server. A file that one of them stored is read by another.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image
from rest_framework.authtoken.models import Token

from incidents.models import Evidence
from observation.kernel.roles import Role
from observation.models import AuditEntry, Candidate
from reports.models import ExportJob
from tests.factories import make_user
from tests.incidents.conftest import file_incident, jpeg_with_gps
from tests.observation.test_candidate_import import GOOD, csv_file
from tests.reports.factories import build_world, make_report
from tests.storage.conftest import (
    ROOT,
    free_port,
    s3_client,
    s3_environment,
    wait_until_up,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

BIN = Path(sys.executable).parent
WORKER = ROOT / "tests" / "incidents" / "celery_worker_for_tests.py"


class Node:
    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        self.proc = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


class Cluster:
    """Web nodes A and B, a worker, a private Redis, all on one bucket."""

    def __init__(self, tmp: Path, database_url: str, endpoint: str, bucket: str) -> None:
        self.bucket, self.endpoint = bucket, endpoint
        redis_port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(
            s3_environment(endpoint, bucket),
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            CONN_MAX_AGE="0",
            BAIKOO_VAR_DIR=str(tmp / "var"),
            PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        self.nodes: list[Node] = []
        self.redis = self._start(
            "redis",
            [shutil.which("redis-server") or "redis-server", "--port", str(redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            env, tmp,
        )  # fmt: skip
        self.urls = []
        for name in ("a", "b"):
            port = free_port()
            self._start(
                f"web-{name}",
                [str(BIN / "gunicorn"), "tests.storage.wsgi_for_tests:application",
                 "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"],
                env, tmp,
            )  # fmt: skip
            self.urls.append(f"http://127.0.0.1:{port}")
        self.worker = self._start(
            "worker",
            [sys.executable, str(WORKER), "--pool=solo", "--loglevel=INFO", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"storage-{redis_port}@%h"],
            env, tmp,
        )  # fmt: skip
        self.logs = [node.log for node in self.nodes]
        for url, node in zip(self.urls, self.nodes[1:3], strict=True):
            wait_until_up(f"{url}/accounts/login/", node.proc, node.log, timeout=60)
        deadline = time.monotonic() + 60
        while " ready." not in self.worker.log.read_text():
            assert self.worker.proc.poll() is None, self.worker.log.read_text()[-3000:]
            assert time.monotonic() < deadline, self.worker.log.read_text()[-3000:]
            time.sleep(0.1)

    def _start(self, name: str, args: list[str], env: dict[str, str], tmp: Path) -> Node:
        node = Node(name, args, env, tmp / f"{name}.log")
        self.nodes.append(node)
        return node

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, s3_endpoint, tmp_path_factory) -> Iterator:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    bucket = f"baikoo-nodes-{uuid.uuid4().hex[:8]}"
    s3_client(s3_endpoint).create_bucket(Bucket=bucket)
    running = Cluster(tmp_path_factory.mktemp("nodes"), database_url, s3_endpoint, bucket)
    try:
        yield running
    finally:
        running.stop()


# --- HTTP without a client library ----------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(url: str, *, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with _opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            .encode()
        )  # fmt: skip
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def token_for(user) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def has_gps(content: bytes) -> bool:
    return 0x8825 in Image.open(io.BytesIO(content)).getexif()


def s3_client_names(cluster: Cluster) -> set[str]:
    found = s3_client(cluster.endpoint).list_objects_v2(Bucket=cluster.bucket).get("Contents", [])
    return {item["Key"] for item in found}


# --- the tests --------------------------------------------------------------------------


def test_evidence_uploaded_through_one_node_is_downloaded_through_another(cluster, world):
    node_a, node_b = cluster.urls
    incident = file_incident(world)
    content = jpeg_with_gps()
    content_type, body = multipart({}, {"file": ("photo.jpg", content)})
    status, _, answer = http(
        f"{node_a}/api/v1/incidents/{incident.pk}/evidence/",
        data=body,
        headers={"Content-Type": content_type, **token_for(world.user("lto_bishkek"))},
    )
    assert status == 201, answer
    evidence = Evidence.objects.get(pk=json.loads(answer)["id"])
    assert s3_client_names(cluster) >= {evidence.file.name, evidence.stripped_file.name}

    status, headers, original = http(
        f"{node_b}/incidents/evidence/{evidence.pk}/", headers=token_for(world.user("headoffice"))
    )
    assert status == 200 and original == content and has_gps(original)
    assert headers["Content-Length"] == str(len(content))
    status, _, shared = http(
        f"{node_b}/incidents/evidence/{evidence.pk}/", headers=token_for(world.user("legal"))
    )
    assert status == 200 and not has_gps(shared)
    status, _, _ = http(
        f"{node_b}/incidents/evidence/{evidence.pk}/", headers=token_for(world.user("lto_osh"))
    )
    assert status == 404
    assert AuditEntry.objects.filter(action="incident.evidence_download").count() == 2


def test_an_import_previewed_on_one_node_is_committed_on_another(cluster, client, election, lists):
    node_a, node_b = cluster.urls
    client.force_login(make_user(Role.ANALYST))
    csrf = uuid.uuid4().hex
    cookies = {"Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}"}
    upload = csv_file(GOOD)
    content_type, body = multipart(
        {"election": str(election.pk), "csrfmiddlewaretoken": csrf},
        {"file": ("candidates.csv", upload.read())},
    )
    status, _, page = http(
        f"{node_a}/candidates/import/", data=body, headers={"Content-Type": content_type, **cookies}
    )
    assert status == 200, page[-2000:]
    token = re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()
    assert not Candidate.objects.exists()

    form = urllib.parse.urlencode(
        {"election": election.pk, "token": token, "csrfmiddlewaretoken": csrf}
    ).encode()
    status, headers, page = http(
        f"{node_b}/candidates/import/",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", **cookies},
    )
    assert status == 302, page[-2000:]
    assert Candidate.objects.count() == 4


def test_a_pdf_built_by_the_worker_is_downloaded_through_any_node(cluster):
    node_a, node_b = cluster.urls
    report = make_report(build_world(districts=1).election)
    analyst = token_for(make_user(Role.ANALYST))
    status, _, answer = http(
        f"{node_a}/api/v1/reports/{report.pk}/export-jobs/",
        data=json.dumps({"format": "pdf"}).encode(),
        headers={"Content-Type": "application/json", **analyst},
    )
    assert status == 202, answer
    job_id = json.loads(answer)["id"]
    deadline = time.monotonic() + 90
    while ExportJob.objects.get(pk=job_id).status not in {"done", "failed"}:
        assert time.monotonic() < deadline, cluster.worker.log.read_text()[-3000:]
        time.sleep(0.2)
    job = ExportJob.objects.get(pk=job_id)
    assert job.status == "done", job.error
    assert job.file.name in s3_client_names(cluster)
    for node in (node_b, node_a):
        status, headers, pdf = http(
            f"{node}/api/v1/report-exports/{job_id}/download/", headers=analyst
        )
        assert status == 200 and pdf.startswith(b"%PDF")
        assert headers["Content-Length"] == str(len(pdf))
