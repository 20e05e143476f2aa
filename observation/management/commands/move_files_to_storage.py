"""Copy an installation's private files from the local disk into the S3 bucket.

Run once after setting ``S3_BUCKET`` on an installation that kept its files under
``PRIVATE_MEDIA_ROOT`` (see docs/storage.md). Every file keeps its name, so the rows that
point at it need no change. Each copy is read back from the bucket and compared by SHA-256;
a file already in the bucket with the same SHA-256 is skipped, so the command is safe to
run again (for instance after an interruption). The local files are left in place.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from observation.kernel.storage import (
    CHUNK,
    StorageUnavailable,
    is_object_storage,
    sha256_of_stream,
)


def _sha256_of_path(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Copy the local private files into the S3 bucket, verify each by SHA-256, and skip "
        "those already there. Safe to run twice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--source",
            help="The folder to copy from (default: PRIVATE_MEDIA_ROOT).",
        )

    def handle(self, *args: Any, source: str | None = None, **options: Any) -> None:
        storage = storages["default"]
        if not is_object_storage(storage):
            raise CommandError("S3_BUCKET is not set: there is no bucket to move the files to.")
        root = Path(source or settings.PRIVATE_MEDIA_ROOT)
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder.")
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        copied = skipped = 0
        failed: list[str] = []
        try:
            for path in files:
                name = path.relative_to(root).as_posix()
                local = _sha256_of_path(path)
                if self._remote_sha256(storage, name) == local:
                    skipped += 1
                    continue
                with path.open("rb") as handle:
                    storage.put(name, handle)
                if self._remote_sha256(storage, name) == local:
                    copied += 1
                    self.stdout.write(f"copied {name}", self.style.SUCCESS)
                else:
                    failed.append(name)
                    self.stderr.write(f"{name}: the copy in the bucket differs (SHA-256)")
        except StorageUnavailable as exc:
            raise CommandError(
                f"The bucket failed after {copied} copied files: {exc.__cause__ or exc}. "
                "Run the command again once it works; copied files are skipped."
            ) from exc
        summary = (
            f"{len(files)} files under {root}: {copied} copied and verified, "
            f"{skipped} already in the bucket (same SHA-256), {len(failed)} failed."
        )
        if failed:
            raise CommandError(summary)
        self.stdout.write(summary)

    @staticmethod
    def _remote_sha256(storage: Any, name: str) -> str | None:
        try:
            body, _size = storage.stream(name)
        except FileNotFoundError:
            return None
        return sha256_of_stream(body)
