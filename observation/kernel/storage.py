"""Private files: the local disk, or an S3-compatible bucket when ``S3_BUCKET`` is set.

Everything private (evidence originals and stripped copies, report exports and published
snapshots, import uploads kept between preview and commit) goes through Django's default
storage, so a second web node or a worker on another machine finds the same files. See
docs/storage.md.

Rules kept here, for every backend:

- Downloads stream through Django in chunks (``file_response``), after the caller's
  permission check and audit entry. No presigned URL is handed out: the bucket need not be
  reachable from browsers, nobody can forward a link that works without Baikoo's checks,
  and the security headers of the download stay ours.
- A bucket that fails is ``StorageUnavailable``: a 503 with a message (the API through
  DRF, pages through ``StorageUnavailableMiddleware``), never a half-saved row.
- Nothing is public: no ACL is sent (new objects are private to the bucket's owner, and
  buckets with ACLs disabled accept the request), names are never overwritten, and the
  start-up check refuses a bucket that serves files to unsigned requests.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import IO, Any

from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, default_storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
# An upload is one PUT whose body is read from the (on-disk) upload as it is sent; only
# files over SINGLE_PUT_MAX go in parts, one part of PART_SIZE in memory at a time.
# (boto3's default splits from 8 MB and holds up to ten 8 MB parts in memory.)
SINGLE_PUT_MAX = 4 * 1024**3  # S3 accepts up to 5 GB in one PUT
PART_SIZE = 5 * 1024 * 1024  # the smallest part S3 accepts
PROBE_NAME = ".baikoo-probe"


class StorageUnavailable(APIException):
    """The file storage failed (unreachable, missing bucket, refused credentials)."""

    status_code = 503
    default_detail = _(
        "The file storage is not available right now, so the file was not stored. "
        "Nothing was saved from it; try again in a few minutes."
    )
    default_code = "storage_unavailable"


READ_FAILED = _("The file storage is not available right now. Try again in a few minutes.")


def _translated(detail: Any = None) -> Callable:
    """Turn boto's errors into ``StorageUnavailable``; a missing object stays
    ``FileNotFoundError`` (as on the disk)."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except ClientError as exc:
                error = exc.response.get("Error", {})
                if error.get("Code") in {"NoSuchKey", "404", "NotFound"}:
                    raise FileNotFoundError(str(args[0]) if args else "") from exc
                logger.error("S3 %s failed: %s", method.__name__, exc)
                raise StorageUnavailable(detail) from exc
            except (BotoCoreError, Boto3Error) as exc:
                logger.error("S3 %s failed: %s", method.__name__, exc)
                raise StorageUnavailable(detail) from exc

        return wrapped

    return decorate


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend with Baikoo's rules (see the module's docstring)."""

    def __init__(self, **options: Any) -> None:
        endpoint = options.get("endpoint_url")
        options = {
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            # S3File spools a read to disk after 1 MB instead of keeping it in memory.
            "max_memory_size": 1024 * 1024,
            "transfer_config": TransferConfig(
                multipart_threshold=SINGLE_PUT_MAX,
                multipart_chunksize=PART_SIZE,
                max_concurrency=1,
                use_threads=False,
            ),
            "client_config": Config(
                # MinIO and most self-hosted servers want the bucket in the path.
                s3={"addressing_style": "path" if endpoint else "auto"},
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
            **options,
        }
        super().__init__(**options)

    _save = _translated()(S3Storage._save)
    _open = _translated(READ_FAILED)(S3Storage._open)
    delete = _translated(READ_FAILED)(S3Storage.delete)
    exists = _translated(READ_FAILED)(S3Storage.exists)
    listdir = _translated(READ_FAILED)(S3Storage.listdir)
    size = _translated(READ_FAILED)(S3Storage.size)
    get_modified_time = _translated(READ_FAILED)(S3Storage.get_modified_time)

    def key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    @_translated(READ_FAILED)
    def stream(self, name: str) -> tuple[IO[bytes], int]:
        """The object's body as it arrives from the bucket, and its size: nothing is
        buffered beyond the chunk being read (``S3File`` would download it first)."""
        found = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=self.key(name))
        return found["Body"], found["ContentLength"]

    @_translated()
    def put(self, name: str, content: IO[bytes]) -> None:
        """Write ``content`` under exactly ``name`` (``save`` would pick a free name);
        used by ``move_files_to_storage``."""
        content.seek(0)
        self.bucket.Object(self.key(name)).upload_fileobj(content, Config=self.transfer_config)

    def check(self) -> list[str]:
        """What is wrong with the bucket, in words for the operator (empty: nothing)."""
        return bucket_problems(self)


def is_object_storage(storage: Storage | None = None) -> bool:
    """Whether files go to the bucket (``default_storage`` proxies ``isinstance``)."""
    storage = default_storage if storage is None else storage
    return isinstance(storage, PrivateS3Storage)


def open_stream(stored: FieldFile) -> tuple[IO[bytes], int]:
    """A readable stream of a stored file and its size, without loading it whole."""
    if is_object_storage(stored.storage):
        return stored.storage.stream(stored.name)
    handle = stored.storage.open(stored.name, "rb")
    return handle, handle.size


class _Chunks:
    """The minimum FileResponse needs: ``read`` and ``close`` (no ``name``/``tell``, so it
    does not try to find the size itself)."""

    def __init__(self, body: IO[bytes]) -> None:
        self.body = body

    def read(self, size: int = -1) -> bytes:
        return self.body.read(size)

    def close(self) -> None:
        self.body.close()


def file_response(
    stored: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """Stream one stored file to the client in 64 KB chunks, from the disk or the bucket."""
    body, size = open_stream(stored)
    response = FileResponse(
        _Chunks(body), as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response.block_size = CHUNK
    response["Content-Length"] = str(size)
    return response


def sha256_of_stream(body: IO[bytes]) -> str:
    digest = hashlib.sha256()
    with contextlib.closing(body):
        for chunk in iter(lambda: body.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- start-up check ---------------------------------------------------------------------


def bucket_problems(storage: Any) -> list[str]:
    """Reach the bucket, write and delete a small object, and make sure an unsigned
    request cannot read it. Each problem is a sentence naming what to change."""
    where = f"S3_BUCKET={storage.bucket_name!r}" + (
        f" at S3_ENDPOINT_URL={storage.endpoint_url}" if storage.endpoint_url else ""
    )
    client = storage.connection.meta.client
    try:
        client.head_bucket(Bucket=storage.bucket_name)
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404:
            return [f"{where}: the bucket does not exist; create it (see docs/storage.md)."]
        if status in (401, 403):
            return [
                f"{where}: access denied; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "and that their user may read and write this bucket."
            ]
        return [f"{where}: the server answered {exc}."]
    except BotoCoreError as exc:
        name = type(exc).__name__
        if name == "NoCredentialsError":
            return [f"{where}: no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."]
        return [f"{where}: cannot reach the storage ({exc}); check S3_ENDPOINT_URL and S3_REGION."]
    key = storage.key(f"{PROBE_NAME}-{uuid.uuid4().hex}")
    try:
        client.put_object(Bucket=storage.bucket_name, Key=key, Body=b"baikoo start-up check")
    except (ClientError, BotoCoreError) as exc:
        return [f"{where}: the bucket can be seen but not written to ({exc})."]
    problems = []
    try:
        unsigned = storage.unsigned_connection.meta.client
        unsigned.get_object(Bucket=storage.bucket_name, Key=key)
    except (ClientError, BotoCoreError):
        pass  # refused: as it must be
    else:
        problems.append(
            f"{where}: the bucket lets anyone read its files without signing (a public ACL "
            "or bucket policy); make it private before storing evidence in it."
        )
    with contextlib.suppress(ClientError, BotoCoreError):
        client.delete_object(Bucket=storage.bucket_name, Key=key)
    return problems


def check_on_start_up() -> None:
    """Called when the ``observation`` app is ready: with ``S3_BUCKET`` set, a process
    (web, worker, beat, management command) does not start on a bucket it cannot use."""
    if not getattr(settings, "S3_BUCKET", ""):
        return
    storage = storages["default"]
    if not isinstance(storage, PrivateS3Storage):
        raise ImproperlyConfigured("S3_BUCKET is set but the default storage is not the bucket.")
    problems = storage.check()
    if problems:
        raise ImproperlyConfigured("Object storage: " + " ".join(problems))


# --- pages ------------------------------------------------------------------------------


class StorageUnavailableMiddleware:
    """A page whose file could not be stored or read answers 503 with the reason. (The
    API's views turn the same exception into a JSON 503 through DRF.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, StorageUnavailable):
            return None
        response = render(
            request,
            "storage_unavailable.html",
            {"message": exc.detail},
            status=503,
        )
        response["Retry-After"] = "60"
        return response
