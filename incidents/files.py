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

ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/heic,video/*,audio/*,application/pdf"
HEAD_BYTES = 8192
MAX_METADATA_BOX = 64 * 1024 * 1024

REFUSED_TYPE = _(
    "This type of file is not accepted. Send a photo (JPEG, PNG, WebP, HEIC), a video "
    "(MP4, WebM, MOV), a sound recording (MP3, OGG, M4A, WAV) or a PDF."
)
DAMAGED = _("This file looks damaged and cannot be opened.")


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


def _image_without_metadata(file: IO[bytes], content_type: str) -> bytes | None:
    """Re-encode without EXIF/XMP/comments (GPS lives there). The orientation is applied
    to the pixels first so the copy is not shown sideways."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(file)
            image.load()
        except Image.DecompressionBombError:
            return None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise EvidenceFileError(DAMAGED) from exc
    fmt = image.format
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    options: dict = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        if upright is image:
            options.update(quality="keep", subsampling="keep")
        else:
            options.update(quality=90)
        # Pillow carries EXIF/XMP over only when asked; ask for none.
        upright.save(out, "JPEG", exif=b"", **options)
    elif fmt == "PNG":
        upright.save(out, "PNG", exif=b"", **options)
    elif fmt == "WEBP":
        upright.save(out, "WEBP", exif=b"", xmp=b"", quality=90, **options)
    else:  # detect_type and Pillow disagree: treat as damaged rather than guess
        raise EvidenceFileError(DAMAGED)
    return out.getvalue()


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
