"""A real local S3 server for the object-storage tests (docs/storage.md).

moto's server mode runs as a subprocess on a free port (never in this process, so the
memory measured here is Baikoo's alone); each test gets an empty bucket of its own and
the default storage pointed at it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.incidents.conftest import api, world  # noqa: F401  (fixtures)
from tests.observation.test_candidate_import import election, lists  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
KEY_ID, SECRET = "baikoo-test", "baikoo-test-secret"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url} exited:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/moto-api/", proc, log)
        yield url
    finally:
        stop(proc)


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        region_name=REGION,
    )


@pytest.fixture
def bucket(s3_endpoint) -> str:
    name = f"baikoo-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


def storage_options(endpoint: str, bucket_name: str, prefix: str = "") -> dict:
    return {
        "BACKEND": "observation.kernel.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint,
            "region_name": REGION,
            "access_key": KEY_ID,
            "secret_key": SECRET,
            "location": prefix,
            "querystring_expire": 60,
        },
    }


def s3_environment(endpoint: str, bucket_name: str) -> dict[str, str]:
    """What a deployment sets to use the bucket (for subprocesses)."""
    return {
        "S3_BUCKET": bucket_name,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": REGION,
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
    }


@pytest.fixture
def s3(settings, s3_endpoint, bucket):
    """The default storage is the bucket for this test; returns a boto3 client on it."""
    settings.S3_BUCKET = bucket
    settings.STORAGES = {**settings.STORAGES, "default": storage_options(s3_endpoint, bucket)}
    return Bucket(s3_client(s3_endpoint), bucket)


@dataclass
class Bucket:
    client: Any
    name: str

    def names(self) -> list[str]:
        found = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return sorted(item["Key"] for item in found)

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
