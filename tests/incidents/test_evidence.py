"""Evidence: type from content, size and count limits, SHA-256 de-duplication, location
metadata removed from the shared copy, private storage and download rights."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incidents import files as evidence_files
from incidents.models import Evidence, IncidentEvent
from incidents.services import filing
from tests.incidents.conftest import file_incident, jpeg_with_gps, mp4_with_location, png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def add(world, incident, name, content, user="lto_bishkek"):
    return filing.evidence_add(
        actor=world.user(user), incident=incident, file=upload(name, content)
    )


@pytest.fixture
def incident(world):
    return file_incident(world)


def test_a_photo_is_stored_with_type_size_and_hash(world, incident):
    content = jpeg_with_gps()
    evidence, created = add(world, incident, "photo.jpg", content)
    assert created
    assert evidence.content_type == "image/jpeg"
    assert evidence.size == len(content)
    import hashlib

    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.original_name == "photo.jpg"
    assert IncidentEvent.objects.filter(incident=incident, kind="evidence_added").count() == 1


@pytest.mark.parametrize("name, content, expected", [
    ("scan.pdf", PDF, "application/pdf"),
    ("picture.png", None, "image/png"),
    ("clip.mp4", None, "video/mp4"),
])  # fmt: skip
def test_accepted_types(world, incident, name, content, expected):
    content = content or {"picture.png": png_bytes, "clip.mp4": mp4_with_location}[name]()
    evidence, _ = add(world, incident, name, content)
    assert evidence.content_type == expected


@pytest.mark.parametrize("name, content", [
    ("notes.txt", b"Just some text about what happened."),
    ("archive.zip", b"PK\x03\x04" + bytes(60)),
    ("picture.gif", b"GIF89a" + bytes(40)),
])  # fmt: skip
def test_wrong_types_are_refused(world, incident, name, content):
    with pytest.raises(ValidationError) as exc:
        add(world, incident, name, content)
    assert "file" in exc.value.message_dict
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("content", [
    b"<!doctype html><html><script>alert(1)</script></html>",
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200),  # a Windows .exe
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
])  # fmt: skip
def test_a_disguised_file_named_jpg_is_refused(world, incident, content):
    with pytest.raises(ValidationError):
        add(world, incident, "holiday.jpg", content)
    assert not Evidence.objects.exists()


def test_a_file_with_a_jpeg_header_but_no_picture_is_refused(world, incident):
    with pytest.raises(ValidationError):
        add(world, incident, "photo.jpg", b"\xff\xd8\xff\xe0" + b"<html>not a picture</html>" * 20)


def test_the_type_comes_from_the_content_not_the_name(world, incident):
    evidence, _ = add(world, incident, "document.pdf", png_bytes())
    assert evidence.content_type == "image/png"


def test_oversize_file_is_refused(world, incident, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        add(world, incident, "big.pdf", PDF + bytes(1000))
    assert "larger than" in str(exc.value)


def test_empty_file_is_refused(world, incident):
    with pytest.raises(ValidationError):
        add(world, incident, "empty.jpg", b"")


def test_the_same_file_twice_is_stored_once(world, incident):
    content = jpeg_with_gps()
    first, created_first = add(world, incident, "photo.jpg", content)
    second, created_second = add(world, incident, "photo-copy.jpg", content)
    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert Evidence.objects.count() == 1


def test_the_same_file_on_two_incidents_is_stored_twice(world, incident):
    other = file_incident(world)
    content = png_bytes()
    add(world, incident, "a.png", content)
    add(world, other, "a.png", content)
    assert Evidence.objects.count() == 2


def test_count_limit(world, incident, settings):
    settings.EVIDENCE_MAX_FILES = 2
    add(world, incident, "1.pdf", PDF + b"1")
    add(world, incident, "2.pdf", PDF + b"2")
    with pytest.raises(ValidationError) as exc:
        add(world, incident, "3.pdf", PDF + b"3")
    assert "file" in exc.value.message_dict
    # a file already attached is still answered, not refused
    assert add(world, incident, "1-again.pdf", PDF + b"1")[1] is False


def test_gps_is_removed_from_the_shared_copy_only(world, incident):
    evidence, _ = add(world, incident, "photo.jpg", jpeg_with_gps())
    assert evidence.location_data == "stripped"
    with evidence.file.open("rb") as original:
        assert 0x8825 in Image.open(original).getexif()
    with evidence.stripped_file.open("rb") as copy:
        image = Image.open(copy)
        assert 0x8825 not in image.getexif()
        assert image.size == (32, 24)


def test_xmp_location_is_removed_from_the_shared_copy(world, incident):
    out = io.BytesIO()
    xmp = b'<x:xmpmeta><rdf:Description exif:GPSLatitude="42,52.5N"/></x:xmpmeta>'
    Image.new("RGB", (8, 8)).save(out, "JPEG", xmp=xmp)
    evidence, _ = add(world, incident, "photo.jpg", out.getvalue())
    with evidence.stripped_file.open("rb") as copy:
        assert b"GPSLatitude" not in copy.read()


def test_video_location_box_is_blanked_in_the_shared_copy(world, incident):
    content = mp4_with_location()
    evidence, _ = add(world, incident, "clip.mp4", content)
    assert evidence.location_data == "stripped"
    with evidence.stripped_file.open("rb") as copy:
        cleaned = copy.read()
    assert b"+42.8746" not in cleaned and b"\xa9xyz" not in cleaned
    assert len(cleaned) == len(content)  # same layout: offsets into mdat still hold
    assert evidence_files.detect_type(io.BytesIO(cleaned)) == "video/mp4"


def test_a_pdf_has_no_location_to_remove(world, incident):
    evidence, _ = add(world, incident, "scan.pdf", PDF)
    assert evidence.location_data == "none"
    assert not evidence.stripped_file


def test_files_live_in_private_storage_under_a_generated_name(world, incident, settings):
    evidence, _ = add(world, incident, "../../etc/passwd.jpg", jpeg_with_gps())
    assert evidence.original_name == "passwd.jpg"
    assert evidence.file.name.startswith(f"evidence/{incident.pk}/")
    assert "passwd" not in evidence.file.name
    assert evidence.file.path.startswith(settings.STORAGES["default"]["OPTIONS"]["location"])
    assert not evidence.file.path.startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize("role, allowed", [
    ("lto_bishkek", True), ("lto_bishkek_2", False), ("lto_osh", False),
    ("coordinator_bishkek", True), ("headoffice", True), ("admin", True),
    ("legal", False), ("analyst", False),
])  # fmt: skip
def test_who_may_add_evidence(world, incident, role, allowed):
    if allowed:
        assert add(world, incident, "scan.pdf", PDF, user=role)[1]
    else:
        with pytest.raises(PermissionDenied):
            add(world, incident, "scan.pdf", PDF, user=role)


# --- download ---------------------------------------------------------------------------


@pytest.fixture
def photo(world, incident):
    return add(world, incident, "photo.jpg", jpeg_with_gps())[0]


def download(client, user, evidence):
    client.force_login(user)
    return client.get(f"/incidents/evidence/{evidence.pk}/")


@pytest.mark.parametrize("role, status", [
    ("lto_bishkek", 200), ("lto_bishkek_2", 404), ("lto_osh", 404),
    ("coordinator_bishkek", 200), ("headoffice", 200), ("legal", 200), ("analyst", 200),
    ("admin", 200),
])  # fmt: skip
def test_download_only_for_those_who_see_the_incident(client, world, photo, role, status):
    assert download(client, world.user(role), photo).status_code == status


def test_download_is_an_attachment_that_is_not_sniffed(client, world, photo):
    response = download(client, world.user("lto_bishkek"), photo)
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="photo.jpg"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("role, has_gps", [
    ("headoffice", True), ("admin", True), ("lto_bishkek", False), ("legal", False),
    ("coordinator_bishkek", False), ("analyst", False),
])  # fmt: skip
def test_only_head_office_downloads_the_original_with_location(client, world, photo, role, has_gps):
    response = download(client, world.user(role), photo)
    content = b"".join(response.streaming_content)
    assert (0x8825 in Image.open(io.BytesIO(content)).getexif()) is has_gps


def test_withheld_files_are_not_served_to_others(client, world, incident):
    evidence, _ = add(
        world, incident, "photo.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    )
    assert evidence.location_data == "withheld"
    assert download(client, world.user("legal"), evidence).status_code == 403
    assert download(client, world.user("headoffice"), evidence).status_code == 200


def test_download_needs_sign_in(client, photo):
    response = client.get(f"/incidents/evidence/{photo.pk}/")
    assert response.status_code == 302


# --- API --------------------------------------------------------------------------------


def evidence_url(incident):
    return f"/api/v1/incidents/{incident.pk}/evidence/"


def test_api_upload_answers_201_then_200_for_the_same_file(world, api, incident):
    client = api(world.user("lto_bishkek"))
    content = jpeg_with_gps()
    first = client.post(
        evidence_url(incident), {"file": upload("p.jpg", content)}, format="multipart"
    )
    second = client.post(
        evidence_url(incident), {"file": upload("p.jpg", content)}, format="multipart"
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["location_data"] == "stripped"
    listed = client.get(evidence_url(incident)).json()
    assert [row["id"] for row in listed] == [first.json()["id"]]


def test_api_refuses_a_disguised_file_with_400(world, api, incident):
    response = api(world.user("lto_bishkek")).post(
        evidence_url(incident), {"file": upload("x.jpg", b"<html></html>")}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()


def test_api_upload_without_a_file_is_a_400(world, api, incident):
    response = api(world.user("lto_bishkek")).post(evidence_url(incident), {}, format="multipart")
    assert response.status_code == 400


def test_api_evidence_of_an_invisible_incident_is_a_404(world, api, incident):
    client = api(world.user("lto_osh"))
    assert client.get(evidence_url(incident)).status_code == 404
    response = client.post(
        evidence_url(incident), {"file": upload("s.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 404


def test_api_legal_sees_evidence_but_cannot_add(world, api, incident):
    client = api(world.user("legal"))
    assert client.get(evidence_url(incident)).status_code == 200
    response = client.post(
        evidence_url(incident), {"file": upload("s.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 403


def test_a_script_downloads_with_its_api_token(client, world, photo):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.user("legal"))
    response = client.get(
        f"/incidents/evidence/{photo.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 200
    response = client.get(f"/incidents/evidence/{photo.pk}/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 302


# --- metadata beyond GPS, decompression bombs, downloads audited (issue 12) ---------------------


def _jpeg_with_everything() -> bytes:
    """A JPEG with a COM segment naming the place, EXIF with GPS, XMP and IPTC (APP13)."""
    image = Image.new("RGB", (40, 30), (10, 120, 30))
    exif = Image.Exif()
    exif[0x010E] = "GPS 42.8751N 74.5698E"
    exif.get_ifd(0x8825)[2] = (42.0, 52.0, 30.0)
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        comment=b"GPS 42.8751N 74.5698E",
        exif=exif.tobytes(),
        xmp=b"<x:xmpmeta><exif:GPSLatitude>42,52.5N</exif:GPSLatitude></x:xmpmeta>",
    )
    data = out.getvalue()
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0c\x1c\x02\x5a\x00\x07Bishkek"
    app13 = b"\xff\xed" + (len(iptc) + 2).to_bytes(2, "big") + iptc
    return data[:2] + app13 + data[2:]


def _png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 42.8751N 74.5698E")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(out, "PNG", pnginfo=info, icc_profile=b"")
    return out.getvalue()


@pytest.mark.parametrize(
    "name, content, before",
    [
        ("photo.jpg", _jpeg_with_everything(), {"COM", "APP1", "APP13"}),
        ("photo.png", _png_with_text(), {"tEXt", "iTXt"}),
    ],
)
def test_the_stripped_copy_keeps_no_metadata_at_all(world, incident, name, content, before):
    assert before <= set(evidence_files.metadata_in(content))
    evidence, _ = add(world, incident, name, content)
    assert evidence.location_data == "stripped"
    copy = evidence.stripped_file.read()
    assert evidence_files.metadata_in(copy) == []
    assert b"GPS" not in copy and b"42.87" not in copy and b"Bishkek" not in copy
    assert Image.open(io.BytesIO(copy)).size == Image.open(io.BytesIO(content)).size
    # the original is kept as uploaded for head office
    assert evidence.file.read() == content


def test_metadata_in_reads_segments_and_chunks():
    assert evidence_files.metadata_in(png_bytes()) == []
    clean = io.BytesIO()
    Image.new("RGB", (4, 4)).save(clean, "JPEG")
    assert evidence_files.metadata_in(clean.getvalue()) == []
    assert "APP1" in evidence_files.metadata_in(jpeg_with_gps())


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` × ``height`` pixels (the data is one
    compressed row; nothing here ever decodes it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("width, height", [(12_000, 12_000), (100_000, 100_000)])
def test_a_decompression_bomb_is_refused_before_decoding(
    world, incident, monkeypatch, width, height
):
    """144 million pixels (over the limit, under Pillow's own) and 10 billion (over both):
    refused from the header, a 400 message naming the limit, nothing stored, nothing
    decoded."""
    from PIL import ImageFile

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a picture over the limit")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ValidationError) as refused:
        add(world, incident, "bomb.png", _png_declaring(width, height))
    assert "too large" in str(refused.value.message_dict["file"])
    assert "50 million" in str(refused.value.message_dict["file"])
    assert not Evidence.objects.exists()


def test_the_limit_is_a_setting_and_the_api_answers_400(world, incident, settings):
    from rest_framework.test import APIClient

    settings.EVIDENCE_MAX_PIXELS = 63
    client = APIClient()
    client.force_authenticate(world.user("lto_bishkek"))
    url = f"/api/v1/incidents/{incident.pk}/evidence/"
    small = client.post(url, {"file": upload("a.png", png_bytes())}, format="multipart")
    assert small.status_code == 400 and "too large" in small.json()["file"][0]
    settings.EVIDENCE_MAX_PIXELS = 64
    ok = client.post(url, {"file": upload("a.png", png_bytes())}, format="multipart")
    assert ok.status_code == 201


def test_a_stripped_row_without_its_copy_is_not_served(client, world, photo):
    """Rows recorded before the bomb check, as stripped without a copy: a 403 for those
    who need the copy, never a 500."""
    Evidence.objects.filter(pk=photo.pk).update(stripped_file="")
    assert download(client, world.user("legal"), photo).status_code == 403
    assert download(client, world.user("headoffice"), photo).status_code == 200


@pytest.mark.parametrize("role, copy", [("headoffice", "file"), ("legal", "stripped_file")])
def test_every_download_is_audited(client, world, photo, role, copy):
    from observation.kernel.models import AuditEntry

    assert download(client, world.user(role), photo).status_code == 200
    entry = AuditEntry.objects.get(action="incident.evidence_download")
    assert entry.actor == world.user(role) and entry.object_id == str(photo.incident_id)
    assert entry.data["copy"] == copy and entry.data["evidence_id"] == str(photo.pk)
    download(client, world.user("lto_bishkek_2"), photo)  # may not see it: 404, not audited
    assert AuditEntry.objects.filter(action="incident.evidence_download").count() == 1
