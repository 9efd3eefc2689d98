"""Object storage on the command line: ``storage_session`` puts ``--endpoint`` in force for a
command, and ``input_path`` gives a command a local file for an ``s3://`` URL (a copy deleted when
the command ends; hybrid.evidence.remote).
"""

from __future__ import annotations

import argparse
import contextvars
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from hybrid.errors import InputError

_STACK: contextvars.ContextVar[ExitStack | None] = contextvars.ContextVar("stack", default=None)


@contextmanager
def storage_session(args: argparse.Namespace) -> Iterator[None]:
    """The endpoint of ``--endpoint`` in force, and local copies deleted at the end."""
    from hybrid.evidence.remote import use_endpoint

    with use_endpoint(getattr(args, "endpoint", None)), ExitStack() as stack:
        token = _STACK.set(stack)
        try:
            yield
        finally:
            _STACK.reset(token)


def input_path(value: str) -> Path:
    """A local path for a command's one data file: an ``s3://`` URL is copied (under the size cap)
    and the copy deleted when the command ends; a path is returned as it is."""
    from hybrid.evidence.remote import is_url, local_copy

    if not is_url(value):
        return Path(value)
    stack = _STACK.get()
    if stack is None:
        raise InputError(f"{value}: object storage is read only inside a command")
    return stack.enter_context(local_copy(value))
