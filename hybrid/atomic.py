"""Every file the project writes is written whole or not at all.

The content goes to a temporary file beside the target (same folder, so the same file system),
is flushed and fsync'ed, and is then renamed over the target with ``os.replace``, which POSIX and
Windows make atomic. A full disk, a quota, a kill or a crash mid-write leaves the old file (or no
file) and never a 0-byte or half-written one; the temporary file is removed on failure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hybrid.errors import InputError


def _default_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


# mkstemp makes files readable by their owner only; a written report keeps the usual permissions.
_MODE = _default_mode()


def write_bytes(path: str | Path, data: bytes, *, mkdir: bool = False) -> None:
    target = Path(path)
    if target.exists() and not target.is_file() and not target.is_dir():
        # A device or a pipe (-o /dev/stdout): it cannot be renamed over, so write to it directly.
        try:
            with target.open("wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise InputError(f"{target}: cannot write ({exc.strerror or exc})") from None
        return
    if target.is_dir():
        raise InputError(f"{target}: is a folder, expected a file name")
    tmp: str | None = None
    try:
        if mkdir:
            target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=str(target.parent) or ".", prefix=f".{target.name}.", suffix=".tmp"
        )
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), target.stat().st_mode & 0o7777 if target.exists() else _MODE)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise InputError(
            f"{target}: cannot write ({exc.strerror or exc}); nothing was written"
        ) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def write_text(path: str | Path, text: str, *, mkdir: bool = False) -> None:
    write_bytes(path, text.encode("utf-8"), mkdir=mkdir)
