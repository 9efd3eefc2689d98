"""The dashboard under hostile uploads (issue 13), in a real browser: the bombs that took the server
to 2 to 14 GB (a YAML alias bomb and a zlib-bomb sketch in statistics files, an Excel sheet past the
row cap, a PDF report whose attachment inflates to 512 MB) are each refused with a message, the
server's resident memory stays under 1 GB throughout (sampled every 50 ms), another session keeps
rendering while they are processed, and a corrupt library file is reported on the Library page.
"""

from __future__ import annotations

import base64
import os
import re
import threading
import time
import zlib
from pathlib import Path

import yaml
from browser_helpers import needs_chromium, no_exceptions

from scripts.streamlit_server import CHROMIUM, CHROMIUM_ARGS, running_app, wait_for_app

ROOT = Path(__file__).resolve().parent.parent

pytestmark = needs_chromium

OUT = ROOT / "test-output" / "hostile"
TIMEOUT_MS = 60_000
MEMORY_CAP = 1024 * 2**20


def _deflate_zeros(n: int, byte: bytes = b"\0") -> bytes:
    c = zlib.compressobj(9)
    block = byte * (16 * 2**20)
    parts = [c.compress(block) for _ in range(n // len(block))]
    return b"".join(parts) + c.flush()


def _bombs(tmp: Path) -> list[tuple[Path, str, str]]:
    """(file, page, words the refusal must contain)."""
    from hostile_files import xlsx

    from hybrid.evidence.limits import MAX_EXCEL_ROWS

    alias = tmp / "alias.stats.yaml"
    alias.write_text(
        "format: hybrid-profile\nversion: 1\nrows: 1\n"
        + 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9))
        + "notes: [*a8,*a8,*a8,*a8,*a8,*a8,*a8,*a8,*a8]\n"
    )
    big = base64.b64encode(_deflate_zeros(2**30)).decode()
    sketch = tmp / "sketch.stats.yaml"
    sketch.write_text(
        yaml.safe_dump(
            {
                "format": "hybrid-profile",
                "version": 1,
                "rows": 1,
                "duplicates": {
                    "hash": "x",
                    "sketch": {"k": 16384, "keys": big, "rows": big, "text": big, "counts": big},
                },
            }
        )
    )
    rows = tmp / "rows.xlsx"
    xlsx(rows, MAX_EXCEL_ROWS + 10, "A1:C10")
    body = _deflate_zeros(512 * 2**20, b" ")
    pdf = tmp / "report.pdf"
    pdf.write_bytes(
        b"%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Filter /FlateDecode /Length "
        + str(len(body)).encode()
        + b" >>\nstream\n"
        + body
        + b"\nendstream\nendobj\n%%EOF\n"
    )
    return [
        (alias, "dataset", "expands to more than"),
        (sketch, "dataset", "decompresses to more than"),
        (rows, "dataset", "data rows"),
        (pdf, "start", "decompresses to more than"),
    ]


def _server_pid(port: str) -> int:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and port.encode() in cmd:
            return int(pid)
    raise AssertionError(f"no streamlit process on port {port}")


class _Peak(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        self.peak = max(self.peak, int(line.split()[1]) * 1024)
            except OSError:
                return
            time.sleep(0.05)


def test_bombs_are_refused_in_bounded_memory_while_others_keep_working(tmp_path, monkeypatch):
    monkeypatch.delenv(
        "HYBRID_DATABASE_URL", raising=False
    )  # the corrupt SQLite file below is the library
    from playwright.sync_api import expect, sync_playwright

    bombs = _bombs(tmp_path)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "hybrid.sqlite").write_bytes(os.urandom(8192))  # a corrupt library file
    with running_app(OUT / "streamlit.log", data_dir=data_dir) as base, sync_playwright() as p:
        peak = _Peak(_server_pid(base.rsplit(":", 1)[1]))
        peak.start()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        attacker = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        try:
            for path, page_path, words in bombs:
                attacker.goto(f"{base}/{page_path}")
                wait_for_app(attacker, TIMEOUT_MS)
                attacker.locator(
                    '[data-testid="stFileUploaderDropzoneInput"]'
                ).first.set_input_files(str(path))
                # While the server works on the bomb, another session loads a page that computes.
                started = time.monotonic()
                other.goto(f"{base}/recommendation")
                wait_for_app(other, TIMEOUT_MS)
                other_seconds = time.monotonic() - started
                assert (
                    other.locator('[data-testid="stMain"] h1').first.inner_text()
                    == "Recommendation"
                )
                no_exceptions(other)
                alert = attacker.locator(
                    '[data-testid="stAlert"]', has_text=re.compile(re.escape(words))
                )
                expect(alert.first).to_be_visible(timeout=TIMEOUT_MS)
                assert path.name in alert.first.inner_text()
                no_exceptions(attacker)
                print(
                    f"{path.name}: refused; other session rendered in {other_seconds:.1f} s; "
                    f"server peak {peak.peak / 2**20:.0f} MB"
                )
                assert other_seconds < 30
                assert peak.peak < MEMORY_CAP, (
                    f"{path.name}: server reached {peak.peak / 2**20:.0f} MB"
                )
            attacker.goto(f"{base}/library")
            wait_for_app(attacker, TIMEOUT_MS)
            expect(
                attacker.locator('[data-testid="stAlert"]', has_text="not a database").first
            ).to_be_visible(timeout=TIMEOUT_MS)
            no_exceptions(attacker)
        finally:
            peak.stop.set()
            browser.close()
    assert 0 < peak.peak < MEMORY_CAP
