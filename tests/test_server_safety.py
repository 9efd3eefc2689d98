"""The dashboard server, started the way the README says (``bash scripts/run``), listens on this
machine only and sends nothing off it at start-up; ``--share`` is the one way to listen on the
network, and it warns that there is no login.

The server runs with a ``sitecustomize`` module that records every ``socket.connect`` and every name
look-up (``getaddrinfo``) the process makes; the test also reads the process's own sockets from
/proc (their inodes under /proc/PID/fd, their addresses in /proc/net/tcp and tcp6). Streamlit's
defaults fail both checks: it listens on every interface, and headless it connects a UDP socket to
8.8.8.8 and asks checkip.amazonaws.com for the machine's external address.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scripts.streamlit_server import free_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/net/tcp").exists(), reason="reads the process's sockets from /proc"
)

SITECUSTOMIZE = """
import json, os, socket

_LOG = os.environ["HYBRID_NET_LOG"]


def _record(kind, address):
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps({"kind": kind, "address": repr(address)}) + "\\n")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    _record("connect", address)
    return _connect(self, address)


def connect_ex(self, address):
    _record("connect", address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    _record("lookup", host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
"""

LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", "None"}


def _hex_address(text: str) -> str:
    """An address from /proc/net/tcp or tcp6 ("0100007F:1F90") as text."""
    host, _port = text.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return str(ipaddress.IPv6Address(words))


def process_sockets(pid: int) -> list[tuple[str, str, str]]:
    """(state, local address, remote address) of every TCP socket the process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    out = []
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            cols = line.split()
            if cols[9] in inodes:
                state = "listen" if cols[3] == "0A" else "connection"
                out.append((state, _hex_address(cols[1]), _hex_address(cols[2])))
    return out


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def start_server(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, int, Path]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "net.jsonl"
    log.touch()
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "HYBRID_NET_LOG": str(log),
        "HYBRID_VENV": sys.prefix,
        "HYBRID_DATA_DIR": str(tmp_path / "var"),
    }
    proc = subprocess.Popen(
        ["bash", "scripts/run", "--no-install", *args, "--server.port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, proc.stdout.read()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not start in 90 s"
        time.sleep(0.25)
    # Past the start-up banner, where Streamlit's address look-ups happen.
    time.sleep(3)
    return proc, port, log


def stop(proc: subprocess.Popen) -> str:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=15)
    return out


def outside_traffic(log: Path) -> list[dict]:
    """Every recorded connect to, or name look-up of, anything but this machine."""
    bad = []
    for line in log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        address = event["address"]
        if event["kind"] == "lookup":
            if address.strip("'") not in LOCAL_NAMES:
                bad.append(event)
            continue
        if not address.startswith("("):
            continue  # a Unix socket path
        host = address[1:].split(",")[0].strip("'")
        try:
            if not is_loopback(host):
                bad.append(event)
        except ValueError:
            if host not in LOCAL_NAMES:
                bad.append(event)
    return bad


def test_by_default_the_server_listens_on_this_machine_only_and_sends_nothing_out(tmp_path):
    proc, port, log = start_server(tmp_path)
    try:
        sockets = process_sockets(proc.pid)
    finally:
        out = stop(proc)
    listening = [local for state, local, _ in sockets if state == "listen"]
    assert listening, (sockets, out)
    assert all(is_loopback(a) for a in listening), f"listens beyond loopback: {listening}"
    remote = [r for state, _, r in sockets if state == "connection" and not is_loopback(r)]
    assert not remote, f"connections off the machine: {remote}"
    assert not outside_traffic(log), outside_traffic(log)
    assert "http://localhost:" in out


def test_share_listens_on_the_network_with_a_warning_and_still_sends_nothing_out(tmp_path):
    proc, port, log = start_server(tmp_path, "--share")
    try:
        sockets = process_sockets(proc.pid)
    finally:
        out = stop(proc)
    listening = [local for state, local, _ in sockets if state == "listen"]
    assert "0.0.0.0" in listening, (sockets, out)
    assert "no login" in out
    assert not outside_traffic(log), outside_traffic(log)


def test_outside_traffic_is_seen(tmp_path):
    """The checker is not blind: a look-up of checkip.amazonaws.com and a UDP connect to 8.8.8.8
    (what Streamlit does headless without browser.serverAddress) are both reported."""
    log = tmp_path / "net.jsonl"
    events = [
        {"kind": "lookup", "address": "'checkip.amazonaws.com'"},
        {"kind": "connect", "address": "('8.8.8.8', 1)"},
        {"kind": "connect", "address": "('127.0.0.1', 8501)"},
        {"kind": "lookup", "address": "'localhost'"},
    ]
    log.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    assert outside_traffic(log) == events[:2]
