"""The Dataset page's "Read from object storage" field: an ``s3://`` URL (a glob of shards too)
profiled where it lives by ``hybrid.evidence.remote`` and handed to the upload section as the
statistics file it produces, so the page shows and applies it exactly as an uploaded statistics
file (ui/upload.py).

Credentials are the server's, found as the AWS tools find them (environment, ``AWS_PROFILE``);
the page never asks for them and shows none. Nothing is read until the button is pressed.
"""

from __future__ import annotations

import streamlit as st

from hybrid.errors import InputError
from ui import state, upload

KEY = "dataset.remote"
URL_KEY = "dataset.remote.url"
ENDPOINT_KEY = "dataset.remote.endpoint"


def read_url(url: str, endpoint: str | None = None) -> tuple[str, bytes]:
    """The statistics file (name, YAML bytes) of the objects ``url`` names."""
    import yaml

    from hybrid.evidence.profile import profile_files
    from hybrid.evidence.remote import is_url, parse_url, use_endpoint

    url = url.strip()
    if not is_url(url):
        raise InputError(f"{url[:80]!r}: give an s3:// URL, e.g. s3://bucket/prefix/*.parquet")
    shown = parse_url(url).url
    with use_endpoint(endpoint.strip() if endpoint else None):
        prof = profile_files([url])
    text = yaml.safe_dump(
        prof.to_stats(), sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return f"{shown}.stats.yaml", text.encode()


def _read() -> None:
    ss = st.session_state
    url = ss.get(URL_KEY) or ""
    if not url.strip():
        state.set_error(KEY, None, "give an s3:// URL first")
        return
    try:
        name, data = read_url(url, ss.get(ENDPOINT_KEY) or None)
    except InputError as exc:
        state.set_error(KEY, None, str(exc))
        return
    state.set_error(KEY, None, None)
    upload.use_bytes(name, data)


def section() -> None:
    with st.expander("Read from object storage (S3, MinIO and other S3-compatible stores)"):
        st.text_input(
            "Objects to profile",
            key=URL_KEY,
            placeholder="s3://bucket/prefix/*.parquet",
            help="One object or a glob of shards: Parquet, CSV, JSON Lines, Excel or statistics "
            "files. Parquet is read in place; other kinds are copied one at a time.",
        )
        st.text_input(
            "S3-compatible endpoint (optional)",
            key=ENDPOINT_KEY,
            placeholder="http://127.0.0.1:9000",
            help="Leave empty for Amazon S3 (or the server's AWS_ENDPOINT_URL).",
        )
        st.button("Read and profile", key="dataset.remote.read", on_click=_read)
        state.field_error(KEY, "Read from object storage")
        st.caption(
            "Credentials are this server's, as the AWS tools find them (AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE); they are never asked for, shown or saved. "
            "Only the counts are kept, as for an uploaded statistics file."
        )
