"""Start ``streamlit run app.py`` on a free local port for browser tests and screenshots.

Used by tests/test_e2e_browser.py and scripts/screenshots.py. The server runs headless with usage
statistics off, its output goes to a log file, and it is stopped (its whole process group) on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_app(
    log_path: Path, data_dir: Path | None = None, timeout: float = 60.0
) -> Iterator[str]:
    """Yield the base URL of a running dashboard; stop it afterwards."""
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if data_dir is not None:
        env["HYBRID_DATA_DIR"] = str(data_dir)
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"streamlit exited with code {proc.returncode}; see {log_path}"
                    )
                try:
                    with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"streamlit did not become healthy in {timeout:.0f} s; see {log_path}"
                    )
                time.sleep(0.25)
            yield base
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)


_SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    if (!document.querySelector('[data-testid="stSidebar"]')) return false;
    if (!document.querySelector('[data-testid="stMain"] h1')) return false;
    // Plotly draws after the script finishes: every chart needs its SVG.
    return Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
        .every(el => el.querySelector('.main-svg') !== null);
}"""


def wait_for_app(page, timeout_ms: int = 30000) -> None:
    """Wait until Streamlit has finished the script run, loaded every element and drawn its charts
    (checked twice, 400 ms apart, so a rerun that starts in between is waited for too)."""
    for _ in range(2):
        page.wait_for_function(_SETTLED, timeout=timeout_ms)
        page.wait_for_timeout(400)
    page.wait_for_function(_SETTLED, timeout=timeout_ms)


def full_page_screenshot(page, path: Path | str, width: int | None = None) -> None:
    """Screenshot the whole page. Streamlit scrolls inside its own container, so the browser's
    full-page mode sees only the viewport: grow the viewport to the content's height instead."""
    width = width or page.viewport_size["width"]
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMainBlockContainer"]');
            const side = document.querySelector('[data-testid="stSidebarContent"]');
            return Math.max(main ? main.scrollHeight + 140 : 1000,
                            side ? side.scrollHeight : 0, 900);
        }"""
    )
    page.set_viewport_size({"width": width, "height": int(height)})
    page.wait_for_timeout(500)
    wait_for_app(page)
    page.screenshot(path=str(path), full_page=True)
