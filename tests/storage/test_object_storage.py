"""Private files in an S3-compatible bucket (docs/storage.md), against a real local S3
server (moto in server mode, see conftest): what is stored where, who gets which copy,
what a failing bucket does, the start-up check, ``move_files_to_storage`` and memory."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tracemalloc
import urllib.error
import urllib.request

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from incidents.models import Evidence
from incidents.services import filing
from observation.kernel.roles import Role
from observation.kernel.storage import StorageUnavailable, check_on_start_up
from observation.models import AuditEntry
from reports.models import ExportJob
from tests.factories import make_user
from tests.incidents.conftest import file_incident, jpeg_with_gps
from tests.observation.test_candidate_import import GOOD, csv_file
from tests.reports.factories import build_world, make_report
from tests.storage.conftest import ROOT, s3_environment, storage_options

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def has_gps(content: bytes) -> bool:
    return 0x8825 in Image.open(io.BytesIO(content)).getexif()


# --- what goes where, who gets what -----------------------------------------------------


def test_evidence_is_stored_in_the_bucket_and_each_role_gets_its_copy(client, world, s3):
    incident = file_incident(world)
    content = jpeg_with_gps()
    evidence, _ = filing.evidence_add(
        actor=world.user("lto_bishkek"), incident=incident, file=upload("photo.jpg", content)
    )
    assert s3.names() == sorted([evidence.file.name, evidence.stripped_file.name])
    assert s3.read(evidence.file.name) == content

    for role, original in (("headoffice", True), ("legal", False), ("lto_bishkek", False)):
        client.force_login(world.user(role))
        response = client.get(f"/incidents/evidence/{evidence.pk}/")
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert has_gps(body) is original
        assert int(response["Content-Length"]) == len(body)
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    entries = AuditEntry.objects.filter(action="incident.evidence_download").order_by("id")
    assert [(e.actor.username, e.data["copy"]) for e in entries] == [
        ("headoffice", "file"),
        ("legal", "stripped_file"),
        ("lto-bishkek", "stripped_file"),
    ]
    # Those who cannot see the incident get nothing, and nothing is audited.
    client.force_login(world.user("lto_osh"))
    assert client.get(f"/incidents/evidence/{evidence.pk}/").status_code == 404
    assert entries.count() == 3


def test_nothing_in_the_bucket_is_readable_without_a_signature(world, s3, s3_endpoint):
    evidence, _ = filing.evidence_add(
        actor=world.user("lto_bishkek"),
        incident=file_incident(world),
        file=upload("photo.jpg", jpeg_with_gps()),
    )
    for key in s3.names():
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{s3_endpoint}/{s3.name}/{key}", timeout=5)
        assert refused.value.code == 403
    assert evidence.file.name in s3.names()


def test_the_prefix_keeps_baikoo_under_one_folder_of_a_shared_bucket(world, s3, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_options(
            settings.STORAGES["default"]["OPTIONS"]["endpoint_url"], s3.name, "baikoo/prod"
        ),
    }
    evidence, _ = filing.evidence_add(
        actor=world.user("lto_bishkek"),
        incident=file_incident(world),
        file=upload("scan.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    assert s3.names() == [f"baikoo/prod/{evidence.file.name}"]


def test_a_pdf_export_is_built_into_the_bucket_and_streamed_back(
    client, s3, django_capture_on_commit_callbacks
):
    report = make_report(build_world(districts=1).election)
    analyst = make_user(Role.ANALYST)
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/{report.pk}/exports/", {"format": "pdf"})
    job = ExportJob.objects.get()
    assert job.status == "done" and job.file.name in s3.names()
    download = client.get(f"/reports/{report.pk}/exports/{job.pk}/download/")
    assert b"".join(download.streaming_content) == s3.read(job.file.name)
    assert AuditEntry.objects.filter(action="report.export_downloaded", actor=analyst).count() == 1


def test_an_import_is_kept_in_the_bucket_between_preview_and_commit(client, s3, election, lists):
    client.force_login(make_user(Role.ANALYST))
    preview = client.post("/candidates/import/", {"election": election.pk, "file": csv_file(GOOD)})
    [kept] = s3.names()
    assert kept.startswith("imports/")
    token = preview.context["confirm"].initial["token"]
    done = client.post("/candidates/import/", {"election": election.pk, "token": token})
    assert done.status_code == 302
    assert s3.names() == []  # discarded once imported


# --- a failing bucket -------------------------------------------------------------------


@pytest.fixture
def missing_bucket(settings, s3_endpoint):
    settings.S3_BUCKET = "baikoo-no-such-bucket"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_options(s3_endpoint, "baikoo-no-such-bucket"),
    }


def test_an_upload_the_bucket_refuses_is_a_503_page_and_no_row(client, world, missing_bucket):
    incident = file_incident(world)
    client.force_login(world.user("lto_bishkek"))
    response = client.post(
        f"/incidents/{incident.pk}/evidence/", {"evidence": [upload("scan.pdf", b"%PDF-1.4\n")]}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "the file was not stored" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action="incident.evidence_add").exists()


def test_an_upload_the_bucket_refuses_is_a_503_in_the_api_and_no_row(api, world, missing_bucket):
    incident = file_incident(world)
    response = api(world.user("lto_bishkek")).post(
        f"/api/v1/incidents/{incident.pk}/evidence/",
        {"file": upload("scan.pdf", b"%PDF-1.4\n")},
        format="multipart",
    )
    assert response.status_code == 503
    assert "the file was not stored" in response.json()["detail"]
    assert not Evidence.objects.exists()


def test_the_service_raises_storage_unavailable_and_leaves_nothing(world, missing_bucket):
    with pytest.raises(StorageUnavailable):
        filing.evidence_add(
            actor=world.user("lto_bishkek"),
            incident=file_incident(world),
            file=upload("photo.jpg", jpeg_with_gps()),
        )
    assert not Evidence.objects.exists()


# --- start-up check ---------------------------------------------------------------------


def test_start_up_accepts_a_working_bucket_and_leaves_nothing_behind(s3):
    check_on_start_up()
    assert s3.names() == []


def test_start_up_names_a_missing_bucket(missing_bucket):
    with pytest.raises(ImproperlyConfigured, match="'baikoo-no-such-bucket'.*does not exist"):
        check_on_start_up()


def test_start_up_names_an_unreachable_endpoint(settings):
    settings.S3_BUCKET = "baikoo-x"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_options("http://127.0.0.1:9", "baikoo-x"),
    }
    with pytest.raises(ImproperlyConfigured, match="cannot reach the storage.*S3_ENDPOINT_URL"):
        check_on_start_up()


def test_start_up_refuses_a_bucket_anyone_can_read(s3):
    s3.client.put_bucket_policy(
        Bucket=s3.name,
        Policy=(
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", '
            f'"Action": "s3:GetObject", "Resource": "arn:aws:s3:::{s3.name}/*"}}]}}'
        ),
    )
    with pytest.raises(ImproperlyConfigured, match="without signing"):
        check_on_start_up()


def test_a_process_does_not_start_on_a_missing_bucket(s3_endpoint, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(s3_environment(s3_endpoint, "baikoo-no-such-bucket"), BAIKOO_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "S3_BUCKET='baikoo-no-such-bucket'" in result.stderr
    assert "does not exist; create it" in result.stderr


# --- moving an installation -------------------------------------------------------------


def test_move_files_to_storage_copies_verifies_and_is_safe_to_run_twice(s3, settings, tmp_path):
    root = tmp_path / "private"
    files = {
        "evidence/1/abc": os.urandom(300_000),
        "evidence/1/stripped-def": b"copy",
        "reports/7/exports/report-7.pdf": b"%PDF-1.4 ...",
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    settings.PRIVATE_MEDIA_ROOT = root

    def run() -> str:
        out = io.StringIO()
        call_command("move_files_to_storage", stdout=out)
        return out.getvalue()

    assert "3 copied and verified, 0 already in the bucket" in run()
    assert s3.names() == sorted(files)
    assert all(s3.read(name) == content for name, content in files.items())

    assert "0 copied and verified, 3 already in the bucket (same SHA-256), 0 failed" in run()

    # A copy that differs (say, an interrupted earlier run) is copied again.
    s3.client.put_object(Bucket=s3.name, Key="evidence/1/abc", Body=b"truncated")
    assert "1 copied and verified, 2 already in the bucket" in run()
    assert s3.read("evidence/1/abc") == files["evidence/1/abc"]
    assert (root / "evidence/1/abc").exists()  # the local files are left in place


def test_move_files_to_storage_needs_a_bucket(tmp_path):
    with pytest.raises(CommandError, match="S3_BUCKET is not set"):
        call_command("move_files_to_storage", source=str(tmp_path))


def test_move_files_to_storage_reports_a_failing_bucket(missing_bucket, tmp_path):
    (tmp_path / "a").write_bytes(b"x")
    with pytest.raises(CommandError, match="The bucket failed after 0 copied files"):
        call_command("move_files_to_storage", source=str(tmp_path))


# --- memory -----------------------------------------------------------------------------


def video(path, size: int) -> File:
    """An MP4 of ``size`` bytes on disk (as Django keeps uploads over 2.5 MB), with a
    location box in its moov, so a stripped copy is made too."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return (8 + len(payload)).to_bytes(4, "big") + kind + payload

    ftyp = box(b"ftyp", b"isom" + (512).to_bytes(4, "big") + b"isomiso2avc1mp41")
    xyz = box(b"\xa9xyz", (17).to_bytes(2, "big") + b"\x15\xc7" + b"+42.8746+074.5698/")
    moov = box(b"moov", box(b"mvhd", bytes(100)) + box(b"udta", xyz))
    head = ftyp + moov
    body = size - len(head) - 8
    with path.open("wb") as out:
        out.write(head + (8 + body).to_bytes(4, "big") + b"mdat")
        for _ in range(body // MB):
            out.write(os.urandom(MB))
        out.write(os.urandom(body % MB))
    return File(path.open("rb"), name="clip.mp4")


def test_a_25_mb_video_goes_in_and_out_in_a_few_mb(client, world, s3, tmp_path):
    """What Python allocates while a 25 MB video is checked, hashed, stripped and stored,
    then while it is served, above what the process held before (tracemalloc; the S3
    client is made and one request served first, as in a web worker that has been up
    for a while)."""
    clip = video(tmp_path / "clip.mp4", 25 * MB)
    incident = file_incident(world)
    client.force_login(world.user("headoffice"))
    default_storage.exists("warm-up")
    warm_up = filing.evidence_add(
        actor=world.user("lto_bishkek"), incident=incident, file=upload("a.pdf", b"%PDF-1.4")
    )[0]
    b"".join(client.get(f"/incidents/evidence/{warm_up.pk}/").streaming_content)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        evidence, _ = filing.evidence_add(
            actor=world.user("lto_bishkek"), incident=incident, file=clip
        )
        stored = tracemalloc.get_traced_memory()[1] - before
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        response = client.get(f"/incidents/evidence/{evidence.pk}/")
        digest = hashlib.sha256()
        for chunk in response.streaming_content:
            digest.update(chunk)
        response.close()
        served = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
        clip.close()
    assert evidence.size == 25 * MB and evidence.location_data == "stripped"
    assert digest.hexdigest() == evidence.sha256
    print(f"\n25 MB video: {stored / MB:.1f} MB more to store, {served / MB:.1f} MB more to serve")
    assert stored < 4 * MB
    assert served < 2 * MB
