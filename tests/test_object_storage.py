"""Object storage (issue 22): ``s3://`` URLs give the same results as the same files read locally,
and every failure is one line naming the URL, exit 2, nothing written, no secret anywhere.

A moto server (``moto_server``, from requirements-dev.txt) runs on 127.0.0.1 on a free port for
the whole session, with IAM authentication switched on after the three set-up calls that create
the test user, so wrong credentials are refused as a real store refuses them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from hybrid.cli.main import main
from tests.conftest import ROOT

SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
SCENARIO = str(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml")
BUCKET = "hybrid-test"
FAKE_SECRET = "FAKE-secret-hybrid-0x5EC12E7"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not start")


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    """A moto S3 server with the test data uploaded: shards, CSV, JSON Lines, a statistics file."""
    import boto3
    from pyarrow import fs as pafs

    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"}
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(port, proc)
        url = f"http://127.0.0.1:{port}"
        iam = boto3.client(
            "iam",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="setup",
            aws_secret_access_key="setup",
        )
        iam.create_user(UserName="hybrid")
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}
        policy["Statement"][0]["Resource"] = "*"
        iam.put_user_policy(UserName="hybrid", PolicyName="all", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="hybrid")["AccessKey"]
        fs = pafs.S3FileSystem(
            access_key=key["AccessKeyId"],
            secret_key=key["SecretAccessKey"],
            endpoint_override=f"127.0.0.1:{port}",
            scheme="http",
            region="us-east-1",
            allow_bucket_creation=True,
        )
        fs.create_dir(BUCKET)
        local = tmp_path_factory.mktemp("shards")
        frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
        for i in range(3):
            frame.iloc[i::3].to_parquet(local / f"part-{i}.parquet", index=False)
        shutil.copy(SAMPLE, local / "tickets.csv")
        frame.to_json(local / "tickets.jsonl", orient="records", lines=True, force_ascii=False)
        shutil.copy(SAMPLE.with_suffix(".stats.yaml"), local / "tickets.stats.yaml")
        big = pd.concat([frame] * 3)
        big.to_csv(local / "big.csv", index=False)
        noise = pd.concat([frame] * 10, ignore_index=True)
        noise["noise"] = [os.urandom(24).hex() for _ in range(len(noise))]
        noise.to_parquet(local / "big.parquet", index=False)
        for f in sorted(local.iterdir()):
            pafs.copy_files(str(f), f"{BUCKET}/data/{f.name}", destination_filesystem=fs)
        yield {
            "endpoint": url,
            "port": port,
            "key": key["AccessKeyId"],
            "secret": key["SecretAccessKey"],
            "local": local,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def aws(store, monkeypatch, tmp_path):
    """The test user's credentials and the server as AWS tools read them, for one test."""
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "HYBRID_MAX_REMOTE_MB"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", store["key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", store["secret"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", store["endpoint"])
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("TMPDIR", str(_tmpdir(tmp_path)))
    return store


def _tmpdir(tmp_path: Path) -> Path:
    d = tmp_path / "tmpdir"
    d.mkdir(exist_ok=True)
    return d


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    import tempfile

    tempfile.tempdir = None  # TMPDIR is read again
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _stats(path: Path) -> dict:
    import yaml

    data = yaml.safe_load(path.read_text())
    data.pop("generator", None)
    data.pop("inputs", None)
    return data


URL = f"s3://{BUCKET}/data"


def test_profile_of_a_glob_of_parquet_shards_equals_the_local_files(aws, capsys, tmp_path):
    local = sorted(str(p) for p in aws["local"].glob("part-*.parquet"))
    code, out, _ = _run(capsys, "profile", *local, "-o", str(tmp_path / "local.yaml"), "--json")
    assert code == 0
    code, out_remote, _ = _run(
        capsys, "profile", f"{URL}/part-*.parquet", "-o", str(tmp_path / "s3.yaml"), "--json"
    )
    assert code == 0
    assert _stats(tmp_path / "s3.yaml") == _stats(tmp_path / "local.yaml")
    assert f"{URL}/part-0.parquet" in out_remote
    assert json.loads(out_remote.replace(f"{URL}/", f"{aws['local']}/")) == json.loads(out)


@pytest.mark.parametrize("name", ["tickets.csv", "tickets.jsonl", "tickets.stats.yaml"])
def test_profile_of_other_kinds_equals_the_local_file(aws, capsys, tmp_path, name):
    code, _, _ = _run(
        capsys, "profile", str(aws["local"] / name), "-o", str(tmp_path / "local.yaml")
    )
    assert code == 0
    code, _, _ = _run(capsys, "profile", f"{URL}/{name}", "-o", str(tmp_path / "s3.yaml"))
    assert code == 0
    assert _stats(tmp_path / "s3.yaml") == _stats(tmp_path / "local.yaml")
    assert not list(_tmpdir(tmp_path).iterdir())  # the local copy is gone


def test_evidence_on_a_url_equals_the_local_file(aws, capsys, tmp_path):
    args = ["--label", "label", "--max-rows", "0", "--json", "--quiet"]
    local = str(aws["local"] / "tickets.csv")
    code, out_local, _ = _run(capsys, "evidence", local, *args)
    assert code == 0
    code, out_remote, _ = _run(capsys, "evidence", f"{URL}/tickets.csv", *args)
    assert code == 0
    assert json.loads(out_remote.replace(f"{URL}/tickets.csv", local)) == json.loads(out_local)
    assert not list(_tmpdir(tmp_path).iterdir())


def test_workplan_and_report_data_on_a_url_equal_the_local_file(aws, capsys, tmp_path):
    args = ["--slice", "channel", "--label", "label", "--annotators", "annotator_1,annotator_2"]
    local = str(aws["local"] / "part-1.parquet")
    code, out_local, _ = _run(capsys, "workplan", SCENARIO, "--data", local, *args, "--json")
    assert code == 0
    url = f"{URL}/part-1.parquet"
    code, out_remote, _ = _run(capsys, "workplan", SCENARIO, "--data", url, *args, "--json")
    assert code == 0
    assert json.loads(out_remote) == json.loads(out_local)
    report = ["report", SCENARIO, "--format", "md", "--date", "2026-01-01T00:00:00Z", *args]
    code, md_local, _ = _run(capsys, *report, "--data", local)
    assert code == 0 and "Work plan" in md_local
    code, md_remote, _ = _run(capsys, *report, "--data", url)
    assert code == 0
    assert md_remote.replace(url, local) == md_local


def test_learning_curve_on_a_url_equals_the_local_file(aws, capsys):
    args = ["--label", "label", "--json", "--quiet", "--max-rows", "600"]
    local = str(aws["local"] / "tickets.csv")
    code, out_local, _ = _run(capsys, "learning-curve", local, *args)
    assert code == 0
    code, out_remote, _ = _run(capsys, "learning-curve", f"{URL}/tickets.csv", *args)
    assert code == 0
    assert json.loads(out_remote) == json.loads(out_local)


def test_credentials_from_a_named_profile(aws, capsys, monkeypatch, tmp_path):
    """No keys in the environment: AWS_PROFILE names a section of the shared credentials file, as
    for the AWS command line."""
    creds = tmp_path / "credentials"
    creds.write_text(
        f"[team]\naws_access_key_id = {aws['key']}\naws_secret_access_key = {aws['secret']}\n"
    )
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_PROFILE", "team")
    code, out, err = _run(capsys, "profile", f"{URL}/tickets.csv", "--json")
    assert code == 0, err
    assert json.loads(out)["rows"] == 2000


def test_endpoint_option_overrides_the_environment(aws, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    code, out, _ = _run(
        capsys, "profile", f"{URL}/tickets.csv", "--endpoint", aws["endpoint"], "--json"
    )
    assert code == 0 and json.loads(out)["rows"] == 2000


# --- failures: one line naming the URL, exit 2, nothing written --------------------------------


def _fails(capsys, tmp_path, argv, expected: str, url: str) -> str:
    out_file = tmp_path / "out.yaml"
    code, out, err = _run(capsys, *argv, "-o", str(out_file))
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert expected in lines[0] and url.split("*")[0] in lines[0], lines[0]
    assert "Traceback" not in err
    assert not out_file.exists()
    assert not list(_tmpdir(tmp_path).iterdir())
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://no-such-bucket/data/x.parquet", "no such bucket"),
        ("s3://no-such-bucket/data/*.parquet", "no such bucket"),
        (f"{URL}/missing.parquet", "no such object"),
        (f"{URL}/*.xlsx", "matches no object"),
        (f"{URL}/", "name the objects"),
        (f"s3://{BUCKET}/data", "a folder"),
        ("gs://bucket/x.parquet", "only s3:// URLs"),
    ],
)
def test_missing_bucket_object_or_match(aws, capsys, tmp_path, url, expected):
    _fails(capsys, tmp_path, ["profile", url], expected, url)


def test_bad_credentials_never_show_the_secret(aws, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    for url in (f"{URL}/tickets.csv", f"{URL}/part-*.parquet"):
        line = _fails(capsys, tmp_path, ["profile", url], "access denied", url)
        assert FAKE_SECRET not in line


def test_unreachable_store(aws, capsys, tmp_path):
    url = f"{URL}/tickets.csv"
    _fails(
        capsys,
        tmp_path,
        ["profile", url, "--endpoint", f"http://127.0.0.1:{free_port()}"],
        "cannot reach the object store",
        url,
    )


def test_credentials_in_the_url_are_refused_and_not_shown(aws, capsys, tmp_path):
    url = f"s3://AKIAX:{FAKE_SECRET}@{BUCKET}/data/tickets.csv"
    line = _fails(capsys, tmp_path, ["profile", url], "credentials in a URL are refused", "s3://")
    assert FAKE_SECRET not in line and "AKIAX" not in line


def test_size_cap_is_checked_before_reading(aws, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_MAX_REMOTE_MB", "0.1")
    url = f"{URL}/tickets.csv"
    _fails(capsys, tmp_path, ["profile", url], "HYBRID_MAX_REMOTE_MB", url)
    code, _, err = _run(capsys, "learning-curve", url, "--label", "label")
    assert code == 2 and "more than the 0 MB" not in err and "HYBRID_MAX_REMOTE_MB" in err


def test_an_extension_that_lies_is_named_as_for_a_local_file(aws, capsys, tmp_path):
    from pyarrow import fs as pafs

    fs = pafs.S3FileSystem(
        access_key=aws["key"],
        secret_key=aws["secret"],
        endpoint_override=f"127.0.0.1:{aws['port']}",
        scheme="http",
        region="us-east-1",
    )
    with fs.open_output_stream(f"{BUCKET}/odd/fake.parquet") as out:
        out.write(SAMPLE.read_bytes()[:5000])
    url = f"s3://{BUCKET}/odd/fake.parquet"
    _fails(capsys, tmp_path, ["profile", url], "the extension says Parquet", url)
    with fs.open_output_stream(f"{BUCKET}/odd/broken.parquet") as out:
        out.write(b"PAR1" + b"\x00" * 5000)
    url = f"s3://{BUCKET}/odd/broken.parquet"
    _fails(capsys, tmp_path, ["profile", url], "not a readable Parquet file", url)


class _CuttingProxy:
    """A TCP proxy to the store that closes each connection after ``limit`` response bytes: small
    requests (listing, sizes) pass, reading an object's body drops mid-way."""

    def __init__(self, port: int, limit: int):
        self.target, self.limit = port, limit
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, self.limit), daemon=True
            ).start()

    @staticmethod
    def _pipe(src, dst, limit) -> None:
        sent = 0
        try:
            while data := src.recv(65536):
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[: limit - sent])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.server.close()


@pytest.mark.parametrize("name", ["big.csv", "big.parquet"])
def test_a_connection_dropped_mid_read(aws, capsys, tmp_path, name):
    proxy = _CuttingProxy(aws["port"], limit=40_000)
    try:
        url = f"{URL}/{name}"
        _fails(
            capsys,
            tmp_path,
            ["profile", url, "--endpoint", f"http://127.0.0.1:{proxy.port}"],
            "dropped",
            url,
        )
    finally:
        proxy.close()


def test_no_secret_in_any_output(aws, capsys, tmp_path, monkeypatch):
    """Every output of every command that reads a URL, files included, holds neither the key id
    nor the secret (the real ones, and a recognisable fake one)."""
    secrets = [aws["secret"], aws["key"]]
    outputs: list[str] = []
    url = f"{URL}/tickets.csv"
    runs = [
        # The shards and tickets.csv hold the same rows: profiled together they would be refused as
        # the same shard given twice, so the shards are profiled on their own.
        ["profile", f"{URL}/part-*.parquet", "-o", str(tmp_path / "stats.yaml")],
        ["profile", url, "--json"],
        [
            "evidence",
            url,
            "--label",
            "label",
            "--scenario",
            SCENARIO,
            "-o",
            str(tmp_path / "scenario.yaml"),
            "--max-rows",
            "600",
        ],
        ["workplan", SCENARIO, "--data", url, "--slice", "channel", "-o", str(tmp_path / "p.csv")],
        [
            "report",
            SCENARIO,
            "--format",
            "html",
            "--data",
            url,
            "--slice",
            "channel",
            "-o",
            str(tmp_path / "r.html"),
        ],
    ]
    for argv in runs:
        code, out, err = _run(capsys, *argv)
        assert code == 0, err
        outputs += [out, err]
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    for argv in runs:
        code, out, err = _run(capsys, *argv)
        assert code == 2
        outputs += [out, err]
    files = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 4
    for text in outputs + files:
        for secret in [*secrets, FAKE_SECRET]:
            assert secret not in text


# --- the Dataset page's "Read from object storage" field -----------------------------------------


def _dataset_page():
    from apptest_helpers import ok
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    ok(at.run())
    return ok(at.switch_page("pages/3_dataset.py").run())


def test_dataset_page_reads_a_url_as_the_cli_profiles_it(aws, tmp_path):
    from apptest_helpers import ok, scenario

    from hybrid.evidence.profile import profile_files, profile_to_dataset

    url = f"{URL}/part-*.parquet"
    at = _dataset_page()
    at.text_input(key="dataset.remote.url").set_value(url)
    ok(at.button(key="dataset.remote.read").click().run())
    assert not at.error, [e.value for e in at.error]
    expected = profile_to_dataset(profile_files([url]))
    got = scenario(at).dataset
    for field in ("human_examples", "synthetic_examples", "classes", "tail_share", "kappa"):
        assert getattr(got, field) == getattr(expected, field), field
    shown = " ".join(m.value for m in at.markdown)
    assert "hybrid-test/data/part-" in shown.replace("\\", "")
    assert aws["secret"] not in shown and aws["key"] not in shown


def test_dataset_page_shows_a_bad_url_as_one_error_without_the_secret(aws, monkeypatch):
    from apptest_helpers import ok, scenario

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    at = _dataset_page()
    before = scenario(at).dataset
    at.text_input(key="dataset.remote.url").set_value(f"{URL}/tickets.csv")
    ok(at.button(key="dataset.remote.read").click().run())
    assert len(at.error) == 1 and "access denied" in at.error[0].value
    assert FAKE_SECRET not in at.error[0].value
    assert scenario(at).dataset == before
