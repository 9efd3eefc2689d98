"""Data in object storage: ``s3://bucket/prefix/*.parquet`` wherever a file path is accepted.

Reading goes through pyarrow's own ``S3FileSystem`` (inside the pinned pyarrow wheel; DuckDB's
httpfs extension cannot be installed here, issue 22), with fsspec's ``ArrowFSWrapper`` for globs.
Credentials are found the way AWS tools find them (``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE`` and ``~/.aws``); the endpoint of an S3-compatible store
(MinIO, Ceph, R2) from ``--endpoint``, else ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``. None of
them is printed or written: messages name the URL (without anything after ``?`` and never with
credentials in it), and a URL that carries credentials is refused.

Parquet objects are streamed: the Arrow dataset over the object goes to ``profile_batches``, so no
copy is made. Delimited text, JSON Lines, Excel and statistics files need the local reader's
checks (encodings, delimiters, workbook caps), so each is copied whole into a temporary folder,
one object at a time, under ``max_remote_bytes()``, and deleted after use; the single-file
commands (``learning-curve``, ``evidence``, ``workplan``, ``report --data``) read their one object
the same way. Every failure is one ``InputError`` line naming the URL (docs/object-storage.md).
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hybrid.errors import InputError

# A glob is expanded to at most this many objects (each is profiled and its statistics merged; a
# larger dataset is one for --engine spark).
MAX_OBJECTS = 100_000
# Objects copied to local disk (not Parquet) are refused above this size, before a byte is read;
# HYBRID_MAX_REMOTE_MB changes it.
MAX_REMOTE_MB = 2048
CONNECT_TIMEOUT_S = 10
REQUEST_TIMEOUT_S = 60
_CHUNK = 1 << 20
_GLOB_CHARS = re.compile(r"[*?\[]")
_URL_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.\-_]{1,254}$")
_SECRET_VARS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID")

_ENDPOINT: contextvars.ContextVar[str | None] = contextvars.ContextVar("endpoint", default=None)


def is_url(value: object) -> bool:
    """True for ``scheme://...`` text (only ``s3://`` is read; others are refused by name)."""
    return isinstance(value, str) and bool(_URL_RE.match(value))


@dataclass(frozen=True)
class ObjectRef:
    """One object (or a glob of them) in a bucket."""

    bucket: str
    key: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def path(self) -> str:
        return f"{self.bucket}/{self.key}"

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.key).suffix.lower()


def parse_url(text: str) -> ObjectRef:
    """``s3://bucket/key``; anything else is refused naming the URL (with no credentials in it)."""
    m = _URL_RE.match(text)
    scheme = m.group(1).lower() if m else ""
    rest = text[m.end() :] if m else text
    netloc, _, key = rest.partition("/")
    if "@" in netloc:
        raise InputError(
            f"{scheme}://…@{netloc.rpartition('@')[2]}/{key[:200]}: credentials in a URL are "
            "refused (they would be printed and saved); set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
        )
    shown = f"{scheme}://{netloc}/{key.split('?')[0][:300]}"
    if scheme != "s3":
        raise InputError(
            f"{shown}: only s3:// URLs are read (Amazon S3 and S3-compatible stores such as MinIO: "
            "give --endpoint for those)"
        )
    if "?" in key or "#" in key:
        raise InputError(f"{shown}: a URL with ? or # is not an object name")
    if not _BUCKET_RE.match(netloc):
        raise InputError(f"{shown}: {netloc!r} is not a bucket name")
    if not key or key.endswith("/"):
        raise InputError(
            f"{shown}: name the objects, e.g. s3://{netloc}/{key or 'prefix/'}*.parquet"
        )
    return ObjectRef(netloc, key)


def max_remote_bytes() -> int:
    raw = os.environ.get("HYBRID_MAX_REMOTE_MB")
    if raw:
        try:
            mb = float(raw)
        except ValueError:
            raise InputError(f"HYBRID_MAX_REMOTE_MB: not a number ({raw!r})") from None
        if mb > 0:
            return int(mb * 1024 * 1024)
    return MAX_REMOTE_MB * 1024 * 1024


@contextmanager
def use_endpoint(endpoint: str | None) -> Iterator[None]:
    """Read s3:// URLs from ``endpoint`` (an S3-compatible store) inside the block."""
    token = _ENDPOINT.set(endpoint or None)
    try:
        yield
    finally:
        _ENDPOINT.reset(token)


def endpoint() -> str | None:
    """``--endpoint`` if given, else ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` (as the AWS
    command line reads them), else None (Amazon S3 itself)."""
    return (
        _ENDPOINT.get()
        or os.environ.get("AWS_ENDPOINT_URL_S3")
        or os.environ.get("AWS_ENDPOINT_URL")
        or None
    )


def _endpoint_parts(url: str) -> tuple[str, str]:
    m = re.match(r"^(https?)://([^/?#]+)/?$", url.strip())
    if not m or "@" in m.group(2):
        raise InputError(
            "--endpoint: expected http://HOST:PORT or https://HOST (no credentials, no path)"
        )
    return m.group(1), m.group(2)


def filesystem():
    """A pyarrow ``S3FileSystem`` with the AWS credential chain and the endpoint in force."""
    from pyarrow import fs as pafs

    options: dict = {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "request_timeout": REQUEST_TIMEOUT_S,
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=3),
    }
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    ep = endpoint()
    if ep:
        scheme, host = _endpoint_parts(ep)
        options.update(endpoint_override=host, scheme=scheme, region=region or "us-east-1")
    elif region:
        options["region"] = region
    return pafs.S3FileSystem(**options)


def scrub(text: str) -> str:
    """``text`` with the values of the AWS secret variables blanked, whatever a library put in."""
    for var in _SECRET_VARS:
        value = os.environ.get(var)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def storage_error(url: str, exc: BaseException, *, reading: bool = False) -> InputError:
    """One line for a failed request: what went wrong, naming the URL and never a secret."""
    msg = str(exc)
    low = msg.lower()
    if any(
        s in msg
        for s in ("ACCESS_DENIED", "INVALID_ACCESS_KEY_ID", "SIGNATURE_DOES_NOT_MATCH", "403")
    ) or any(s in low for s in ("accessdenied", "invalidaccesskeyid", "signaturedoesnotmatch")):
        return InputError(
            f"{url}: access denied; check the credentials (AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and that they may read this bucket"
        )
    if "NO_SUCH_BUCKET" in msg or "nosuchbucket" in low:
        return InputError(f"{url}: no such bucket")
    if isinstance(exc, FileNotFoundError) or "NO_SUCH_KEY" in msg or "nosuchkey" in low:
        return InputError(f"{url}: no such object")
    if any(s in msg for s in ("NETWORK_CONNECTION", "curlCode", "Could not connect", "timed out")):
        where = endpoint() or "Amazon S3"
        if reading:
            return InputError(
                f"{url}: the connection to {where} dropped while reading; nothing was written, "
                "try again"
            )
        return InputError(f"{url}: cannot reach the object store at {where}")
    first = scrub(msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__)
    return InputError(f"{url}: cannot be read from object storage ({first[:200]})")


def _bucket_missing(fs, ref: ObjectRef) -> bool:
    from pyarrow import fs as pafs

    return fs.get_file_info(ref.bucket).type == pafs.FileType.NotFound


def expand(url: str, fs=None) -> list[tuple[str, int]]:
    """The objects a URL names, as (URL, size in bytes), sorted: one object, or every match of a
    glob (``*``, ``?``, ``[...]``). A missing bucket or object, or a glob matching nothing, is an
    ``InputError`` naming the URL."""
    from fsspec.implementations.arrow import ArrowFSWrapper
    from pyarrow import fs as pafs

    ref = parse_url(url)
    fs = fs or filesystem()
    try:
        if _GLOB_CHARS.search(ref.key):
            if _bucket_missing(fs, ref):
                raise InputError(f"{ref.url}: no such bucket")
            wrapper = ArrowFSWrapper(fs)
            found = wrapper.glob(ref.path, detail=True)
            files = sorted(
                (p, int(d.get("size") or 0)) for p, d in found.items() if d.get("type") == "file"
            )
            if not files:
                raise InputError(f"{ref.url}: matches no object")
            if len(files) > MAX_OBJECTS:
                raise InputError(
                    f"{ref.url}: matches {len(files):,} objects, more than the {MAX_OBJECTS:,} "
                    "one profile run reads; profile it with --engine spark"
                )
            return [(f"s3://{p}", size) for p, size in files]
        info = fs.get_file_info(ref.path)
        if info.type == pafs.FileType.NotFound:
            if _bucket_missing(fs, ref):
                raise InputError(f"{ref.url}: no such bucket")
            raise InputError(f"{ref.url}: no such object")
        if info.type == pafs.FileType.Directory:
            raise InputError(f"{ref.url}: a folder (prefix); name the objects, e.g. {ref.url}/*")
        return [(ref.url, int(info.size or 0))]
    except OSError as exc:
        raise storage_error(ref.url, exc) from None


def read_head(url: str, fs=None, nbytes: int = 1 << 16) -> bytes:
    """The first bytes of an object (one ranged request), for content sniffing."""
    ref = parse_url(url)
    fs = fs or filesystem()
    try:
        with fs.open_input_file(ref.path) as fh:
            return fh.read(nbytes)
    except OSError as exc:
        raise storage_error(ref.url, exc, reading=True) from None


@contextmanager
def local_copy(
    url: str, *, fs=None, max_bytes: int | None = None, cap_name: str = "HYBRID_MAX_REMOTE_MB"
) -> Iterator[Path]:
    """A local copy of one object in a fresh temporary folder, deleted when the block ends.

    Refused before a byte is read when the object is larger than ``max_bytes`` (default
    ``max_remote_bytes()``) or than the free space of the temporary folder; a dropped connection
    leaves nothing behind. The copy keeps the object's name, so its extension is checked as a local
    file's would be."""
    fs = fs or filesystem()
    objects = expand(url, fs)
    if len(objects) != 1:
        raise InputError(f"{parse_url(url).url}: matches {len(objects):,} objects; name one")
    obj_url, size = objects[0]
    ref = parse_url(obj_url)
    cap = max_remote_bytes() if max_bytes is None else max_bytes
    if size > cap:
        raise InputError(
            f"{obj_url}: {size / 2**20:,.3g} MB, more than the {cap / 2**20:,.4g} MB copied from "
            f"object storage ({cap_name}); profile it where it lives and read the statistics file"
        )
    with tempfile.TemporaryDirectory(prefix="hybrid-remote-") as tmp:
        free = shutil.disk_usage(tmp).free
        if size > free:
            raise InputError(
                f"{obj_url}: {size / 2**20:,.1f} MB does not fit in the {free / 2**20:,.0f} MB "
                "free in the temporary folder (TMPDIR)"
            )
        dest = Path(tmp) / (PurePosixPath(ref.key).name or "object")
        copied = 0
        try:
            with fs.open_input_stream(ref.path) as src, dest.open("wb") as out:
                while chunk := src.read(_CHUNK):
                    copied += len(chunk)
                    if copied > max(size, 0) or copied > cap:
                        raise InputError(
                            f"{obj_url}: the store sent more than the {size:,} bytes it announced"
                        )
                    out.write(chunk)
        except OSError as exc:
            raise storage_error(obj_url, exc, reading=True) from None
        if copied != size:
            raise InputError(
                f"{obj_url}: the connection dropped after {copied:,} of {size:,} bytes; nothing "
                "was written, try again"
            )
        yield dest


def _storage_cause(exc: BaseException) -> BaseException | None:
    """The network or permission error behind a reader's message, if there was one (DuckDB
    reports a failed Arrow read as its own error, which the reader turns into a file message)."""
    seen = exc.__cause__ or exc.__context__
    while seen is not None:
        text = str(seen)
        if "AWS Error" in text or "curlCode" in text or isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def profile_object(url: str, size: int, fs, read_file, **options):
    """The profile of one object: a Parquet object streamed through ``profile_batches``, any other
    kind read from a local copy by ``read_file`` (``profile.profile_file``, passed in because it
    calls this module); the URL names the object in messages and ``inputs``."""
    from hybrid.evidence.batches import profile_batches
    from hybrid.evidence.readers import classify_file

    ref = parse_url(url)
    if size == 0:
        raise InputError(f"{url}: the file is empty")
    head = read_head(url, fs)
    kind = classify_file(PurePosixPath(ref.key), url, head)
    if kind != "parquet":
        roles = options.pop("roles", None)
        if roles is not None:
            options.update(
                label=roles.label,
                annotators=list(roles.annotators) or None,
                source=roles.source,
                text=roles.text,
                slice=roles.slice,
            )
        from hybrid.safeload import MAX_STATS_BYTES

        stats = kind == "stats"
        with local_copy(
            url,
            fs=fs,
            max_bytes=MAX_STATS_BYTES if stats else None,
            cap_name="the statistics file cap" if stats else "HYBRID_MAX_REMOTE_MB",
        ) as path:
            return read_file(path, name=url, **options)
    import pyarrow as pa
    import pyarrow.dataset as pads

    try:
        data = pads.dataset(ref.path, filesystem=fs, format="parquet")
        return profile_batches(data, name=url, file_format="parquet", **options)
    except OSError as exc:
        raise storage_error(url, exc, reading=True) from None
    except pa.ArrowInvalid:  # the footer or schema cannot be read, as the local reader says
        raise InputError(f"{url}: not a readable Parquet file") from None
    except InputError as exc:
        cause = _storage_cause(exc)
        if cause is not None:
            raise storage_error(url, cause, reading=True) from None
        raise


def profile_url(url: str, read_file, **options) -> list:
    """Profiles of every object a URL names (a glob profiles each match), in key order."""
    fs = filesystem()
    return [profile_object(u, size, fs, read_file, **options) for u, size in expand(url, fs)]
