"""Evidence files: what type they really are, their hash, and a copy without location.

The type is read from the content (the name and the browser's claim are the uploader's
word, not a fact). Location metadata is removed from the copy that everyone but head
office gets: images are re-encoded without metadata; MP4/QuickTime/M4A have their
location boxes blanked in place (sizes unchanged, so the media still plays); formats that
carry no standard location field are shared as they are; anything we cannot clean
reliably (HEIC) is withheld from those viewers rather than leaked.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# content type -> (extension for downloads, how location metadata is handled)
ALLOWED: dict[str, tuple[str, str]] = {
    "image/jpeg": ("jpg", "image"),
    "image/png": ("png", "image"),
    "image/webp": ("webp", "image"),
    "image/heic": ("heic", "withhold"),
    "video/mp4": ("mp4", "mp4"),
    "video/quicktime": ("mov", "mp4"),
    "video/webm": ("webm", "none"),
    "audio/mpeg": ("mp3", "none"),
    "audio/ogg": ("ogg", "none"),
    "audio/mp4": ("m4a", "mp4"),
    "audio/x-wav": ("wav", "none"),
    "application/pdf": ("pdf", "none"),
}

PREVIEWABLE = frozenset({"image/jpeg", "image/png", "image/webp"})
"""Evidence shown as a preview scaled on the server (``thumbnail``)."""

ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/heic,video/*,audio/*,application/pdf"
HEAD_BYTES = 8192
MAX_METADATA_BOX = 64 * 1024 * 1024

REFUSED_TYPE = _(
    "This type of file is not accepted. Send a photo (JPEG, PNG, WebP, HEIC), a video "
    "(MP4, WebM, MOV), a sound recording (MP3, OGG, M4A, WAV) or a PDF."
)
DAMAGED = _("This file looks damaged and cannot be opened.")
IMAGE_METHODS = {"image"}


class EvidenceFileError(ValueError):
    """The file is refused; the message is for the uploader."""


@dataclass(frozen=True)
class Cleaned:
    """The result of removing location data: ``copy`` is the file to share (None when the
    original can be shared as is, or when nothing may be shared)."""

    location_data: str  # Evidence.LocationData value
    copy: bytes | IO[bytes] | None


def detect_type(file: IO[bytes]) -> str:
    """The content type from the file's first bytes; refuses what is not evidence."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise EvidenceFileError(REFUSED_TYPE)
    return kind.mime


def sha256_of(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def extension_for(content_type: str) -> str:
    return ALLOWED.get(content_type, ("bin", ""))[0]


def check_image_size(file: IO[bytes], content_type: str) -> None:
    """Refuse a picture of more than ``EVIDENCE_MAX_PIXELS`` pixels from its header alone,
    before anything decodes it: a small compressed file can declare a huge picture (a
    "decompression bomb") that would take gigabytes to decode (docs/incidents.md#evidence).
    Other types pass."""
    if ALLOWED.get(content_type, ("", ""))[1] not in IMAGE_METHODS:
        return
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:  # reads the header only
                width, height = image.size
    except Image.DecompressionBombError:
        raise EvidenceFileError(_too_large(None)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise EvidenceFileError(DAMAGED) from exc
    finally:
        file.seek(0)
    if width * height > settings.EVIDENCE_MAX_PIXELS:
        raise EvidenceFileError(_too_large(width * height))


def _too_large(pixels: int | None) -> str:
    limit = settings.EVIDENCE_MAX_PIXELS / 1_000_000
    if pixels is None:
        return gettext_now(
            "This picture is too large: at most %(limit)g million pixels are accepted."
        ) % {"limit": limit}
    return gettext_now(
        "This picture is too large (%(pixels)g million pixels): at most %(limit)g million "
        "pixels are accepted."
    ) % {"pixels": round(pixels / 1_000_000, 1), "limit": limit}


def remove_location(file: IO[bytes], content_type: str) -> Cleaned:
    method = ALLOWED[content_type][1]
    file.seek(0)
    try:
        if method == "image":
            return Cleaned("stripped", _image_without_metadata(file, content_type))
        if method == "mp4":
            copy = _mp4_without_location(file)
            return Cleaned("stripped", copy) if copy is not None else Cleaned("withheld", None)
        if method == "none":
            return Cleaned("none", None)
        return Cleaned("withheld", None)
    finally:
        file.seek(0)


def _image_without_metadata(file: IO[bytes], content_type: str) -> bytes:
    """Re-encode with nothing but the pixels (and the colour profile): no EXIF, XMP,
    IPTC, JPEG comments or PNG text, where GPS and other traces live. The orientation is
    applied to the pixels first so the copy is not shown sideways. The picture's size is
    checked from its header before it is decoded (``check_image_size``), and the copy is
    checked for metadata before it is returned."""
    check_image_size(file, content_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(file)
            image.load()
        except Image.DecompressionBombError:
            raise EvidenceFileError(_too_large(None)) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise EvidenceFileError(DAMAGED) from exc
    fmt = image.format
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    # Pillow copies what ``info`` holds (a JPEG's comment, EXIF, XMP) into what it saves:
    # keep none of it.
    upright.info = {}
    image.info = {}
    out = io.BytesIO()
    options: dict = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        if upright is image:
            options.update(quality="keep", subsampling="keep")
        else:
            options.update(quality=90)
        upright.save(out, "JPEG", exif=b"", comment=b"", **options)
    elif fmt == "PNG":
        upright.save(out, "PNG", exif=b"", **options)
    elif fmt == "WEBP":
        upright.save(out, "WEBP", exif=b"", xmp=b"", quality=90, **options)
    else:  # detect_type and Pillow disagree: treat as damaged rather than guess
        raise EvidenceFileError(DAMAGED)
    data = out.getvalue()
    leftover = metadata_in(data)
    if leftover:  # never expected; refuse rather than share a copy that still has them
        raise EvidenceFileError(DAMAGED)
    return data


# What a stripped picture may keep: the segments and chunks needed to show it, and its
# colour profile. Everything else (EXIF, XMP, IPTC, comments, text) is metadata.
_JPEG_KEPT = {0xE0: b"JFIF\0", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}
_JPEG_IMAGE_MARKERS = {0xC4, 0xCC, 0xDB, 0xDD} | (set(range(0xC0, 0xD0)) - {0xC8})
_PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
    b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip
_WEBP_KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}


def metadata_in(data: bytes) -> list[str]:
    """The metadata segments (JPEG), chunks (PNG, WebP) of an encoded picture beyond
    what showing it needs, e.g. ``["COM", "APP1"]``; empty for a clean copy."""
    if data[:2] == b"\xff\xd8":
        return _jpeg_metadata(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _chunks_metadata(data, 8, ">", _PNG_KEPT)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _chunks_metadata(data, 12, "<", _WEBP_KEPT)
    return ["unknown format"]


def _jpeg_metadata(data: bytes) -> list[str]:
    found, pos = [], 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return [*found, "malformed"]
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan: the rest is image data
            return found
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        body = data[pos + 4 : pos + 2 + length]
        if marker in _JPEG_KEPT:
            if not body.startswith(_JPEG_KEPT[marker]):
                found.append(f"APP{marker - 0xE0}")
        elif marker == 0xFE:
            found.append("COM")
        elif 0xE0 <= marker <= 0xEF:
            found.append(f"APP{marker - 0xE0}")
        elif marker not in _JPEG_IMAGE_MARKERS:
            found.append(f"0x{marker:02X}")
        pos += 2 + length
    return found


def _chunks_metadata(data: bytes, pos: int, order: str, kept: set[bytes]) -> list[str]:
    found = []
    little = order == "<"
    while pos + 8 <= len(data):
        if little:  # RIFF: fourcc, then a little-endian size, padded to even
            kind = data[pos : pos + 4]
            size = int.from_bytes(data[pos + 4 : pos + 8], "little")
            step = 8 + size + (size & 1)
        else:  # PNG: a big-endian length, the type, the data, a CRC
            size = int.from_bytes(data[pos : pos + 4], "big")
            kind = data[pos + 4 : pos + 8]
            step = 12 + size
        if kind not in kept:
            found.append(kind.decode("latin-1"))
        pos += step
    return found


# --- MP4 / QuickTime / M4A --------------------------------------------------------------

_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
_LOCATION_BOXES = {b"\xa9xyz", b"loci", b"XMP_"}
_CONTAINERS = {b"moov", b"trak", b"udta", b"mdia", b"minf"}
_TOP_LEVEL_METADATA = {b"moov", b"meta", b"udta", b"uuid"}


def _boxes(buf: bytearray, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        size = int.from_bytes(buf[pos : pos + 4], "big")
        kind = bytes(buf[pos + 4 : pos + 8])
        header = 8
        if size == 1:
            size = int.from_bytes(buf[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("malformed box")
        yield pos, kind, header, size
        pos += size


def _blank(buf: bytearray, pos: int, header: int, size: int) -> None:
    """Turn a box into a ``free`` box of the same size: players skip it."""
    buf[pos + header - 4 : pos + header] = b"free"
    buf[pos + header : pos + size] = bytes(size - header)


def _scrub_meta(buf: bytearray, body: int, end: int) -> bool:
    # QuickTime's meta holds boxes directly; ISO's starts with 4 bytes of version/flags.
    inner = body if buf[body + 4 : body + 8] == b"hdlr" else body + 4
    changed = False
    location_keys: set[int] = set()
    for pos, kind, header, size in _boxes(buf, inner, end):
        if kind == b"keys":
            entry = pos + header + 8  # after version/flags and entry count
            index = 1
            while entry + 8 <= pos + size:
                key_size = int.from_bytes(buf[entry : entry + 4], "big")
                if key_size < 8:
                    raise ValueError("malformed keys")
                if b"location" in bytes(buf[entry + 8 : entry + key_size]).lower():
                    location_keys.add(index)
                entry += key_size
                index += 1
    for pos, kind, header, size in _boxes(buf, inner, end):
        if kind == b"ilst":
            for item_pos, item_kind, item_header, item_size in _boxes(
                buf, pos + header, pos + size
            ):
                if int.from_bytes(item_kind, "big") in location_keys or item_kind == b"\xa9xyz":
                    _blank(buf, item_pos, item_header, item_size)
                    changed = True
        elif kind in _LOCATION_BOXES:
            _blank(buf, pos, header, size)
            changed = True
    return changed


def _scrub(buf: bytearray, start: int, end: int) -> bool:
    changed = False
    for pos, kind, header, size in _boxes(buf, start, end):
        body = pos + header
        if kind in _LOCATION_BOXES or (kind == b"uuid" and buf[body : body + 16] == _XMP_UUID):
            _blank(buf, pos, header, size)
            changed = True
        elif kind == b"meta":
            changed |= _scrub_meta(buf, body, pos + size)
        elif kind in _CONTAINERS:
            changed |= _scrub(buf, body, pos + size)
    return changed


def _still_has_location(buf: bytes) -> bool:
    return any(marker in buf for marker in (b"\xa9xyz", b"ISO6709", b"exif:GPS", b"loci"))


def _mp4_without_location(file: IO[bytes]) -> IO[bytes] | None:
    """A copy with location boxes blanked, or None if the file cannot be cleaned with
    confidence (then only head office sees it)."""
    file.seek(0, io.SEEK_END)
    total = file.tell()
    file.seek(0)
    copy = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (returned)
    shutil.copyfileobj(file, copy)
    pos = 0
    try:
        while pos + 8 <= total:
            file.seek(pos)
            header = file.read(16)
            size = int.from_bytes(header[0:4], "big")
            kind = header[4:8]
            if size == 1:
                size = int.from_bytes(header[8:16], "big")
            elif size == 0:
                size = total - pos
            if size < 8 or pos + size > total:
                return None
            if kind in _TOP_LEVEL_METADATA:
                if size > MAX_METADATA_BOX:
                    return None
                file.seek(pos)
                buf = bytearray(file.read(size))
                if _scrub(buf, 0, size):
                    copy.seek(pos)
                    copy.write(buf)
                if _still_has_location(bytes(buf)):
                    return None
            pos += size
    except ValueError:
        return None
    finally:
        file.seek(0)
    copy.seek(0)
    return copy


def thumbnail(stored: IO[bytes] | object, size: int) -> bytes | None:
    """``stored`` (an image file) scaled to fit ``size`` × ``size``, turned upright,
    re-encoded as JPEG with no metadata; None when it cannot be read as an image."""
    try:
        with stored.open("rb") as handle, warnings.catch_warnings():  # type: ignore[union-attr]
            # accepted pictures are at most EVIDENCE_MAX_PIXELS (checked at upload)
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(handle) as image:
                image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale
                image = ImageOps.exif_transpose(image)
                image.thumbnail((size, size))
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                out = io.BytesIO()
                image.save(out, "JPEG", quality=80)
                return out.getvalue()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        return None
