"""The scenario library keeps every version, survives concurrent writers and killed processes.

Every store test runs against SQLite in a temporary folder, and again against PostgreSQL when
``HYBRID_DATABASE_URL`` points at one (each test in its own throwaway schema); otherwise the
PostgreSQL cases are skipped.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from hybrid.cli.main import main
from hybrid.errors import InputError
from hybrid.model.scenario import Scenario, load_scenario
from hybrid.store.scenarios import (
    SCHEMA_VERSION,
    ConflictError,
    NotFoundError,
    ScenarioStore,
    StoreError,
    _normalise_url,
    default_database_url,
    sqlite_integrity_check,
    versions_t,
)

REPO_ROOT = Path(__file__).resolve().parent.parent

PG_URL = (
    os.environ.get("HYBRID_TEST_DATABASE_URL") or os.environ.get("HYBRID_DATABASE_URL", "")
).strip()  # see conftest.py
HAS_PG = bool(PG_URL) and PG_URL.split(":", 1)[0].startswith("postgres")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not HAS_PG, reason="HYBRID_DATABASE_URL (PostgreSQL) not set"),
    ),
]


def make_scenario(name: str = "x", budget: float = 1000, **extra: object) -> Scenario:
    data = {
        "name": name,
        "economics": {
            "budget": budget,
            "human_cost_per_example": 1,
            "synthetic_cost_per_example": 0.1,
            "review_cost_per_example": 0.2,
            "synthetic_label_accuracy": 0.9,
            "target_metric": 0.9,
            "learning_curve": {"points": [[100, 0.5], [200, 0.6], [400, 0.7]]},
        },
    }
    data.update(extra)
    return Scenario.from_dict(data)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'hybrid.sqlite'}"
        return
    schema = f"hybrid_test_{uuid.uuid4().hex[:12]}"
    base = _normalise_url(PG_URL)
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(db_url: str):
    with ScenarioStore(db_url) as s:
        yield s


# --- saving, versions, restore ------------------------------------------------------------------


def test_save_creates_version_one_and_loads_it_back(store: ScenarioStore) -> None:
    saved = store.save("Churn", make_scenario("whatever", domain="telco"), "alice")
    assert (saved.name, saved.version, saved.author, saved.based_on) == ("Churn", 1, "alice", None)
    assert saved.saved_at.utcoffset().total_seconds() == 0
    loaded = store.load("Churn")
    assert loaded.name == "Churn"
    assert loaded.domain == "telco"
    assert loaded.model_dump(exclude={"name"}) == make_scenario().model_dump(exclude={"name"}) | {
        "domain": "telco"
    }
    [info] = store.list_scenarios()
    assert (info.name, info.latest_version, info.created_by, info.updated_by) == (
        "Churn",
        1,
        "alice",
        "alice",
    )


def test_each_save_is_a_new_version_and_old_ones_stay(store: ScenarioStore) -> None:
    for i, author in enumerate(["alice", "bob", "carol"]):
        store.save("plan", make_scenario(budget=1000 * (i + 1)), author)
    history = store.history("plan")
    assert [(v.version, v.author) for v in history] == [(1, "alice"), (2, "bob"), (3, "carol")]
    assert [v.based_on for v in history] == [None, 1, 2]
    assert [store.load("plan", v).economics.budget for v in (1, 2, 3)] == [1000, 2000, 3000]
    assert store.load("plan").economics.budget == 3000
    with pytest.raises(NotFoundError, match="no version 4"):
        store.load("plan", 4)


def test_restore_copies_an_old_version_into_a_new_one(store: ScenarioStore) -> None:
    store.save("plan", make_scenario(budget=100), "alice")
    store.save("plan", make_scenario(budget=200), "bob")
    store.save("plan", make_scenario(budget=300), "carol")
    restored = store.restore("plan", 1, "dan")
    assert restored.version == 4
    assert restored.note == "restored from version 1"
    assert store.load("plan").economics.budget == 100
    assert [store.load("plan", v).economics.budget for v in (1, 2, 3, 4)] == [100, 200, 300, 100]
    assert store.history("plan")[0].content_sha256 == store.history("plan")[3].content_sha256


def test_rename_keeps_history_and_refuses_a_taken_name(store: ScenarioStore) -> None:
    store.save("old", make_scenario(budget=1), "alice")
    store.save("old", make_scenario(budget=2), "alice")
    store.save("other", make_scenario(), "alice")
    with pytest.raises(InputError, match="already taken"):
        store.rename("old", "other", "bob")
    info = store.rename("old", "new", "bob")
    assert info.latest_version == 2
    assert store.load("new").name == "new"
    assert store.load("new", 1).economics.budget == 1
    assert store.names() == ["new", "other"]
    with pytest.raises(NotFoundError):
        store.load("old")
    [event] = store.events("new")
    assert (event.kind, event.actor) == ("renamed", "bob")
    assert "'old'" in event.detail


def test_duplicate_starts_an_independent_history(store: ScenarioStore) -> None:
    store.save("base", make_scenario(budget=1), "alice")
    store.save("base", make_scenario(budget=2), "alice")
    copy = store.duplicate("base", "copy", "bob")
    assert (copy.version, copy.author) == (1, "bob")
    assert "'base' version 2" in copy.note
    store.save("copy", make_scenario(budget=99), "bob")
    assert store.load("base").economics.budget == 2
    assert len(store.history("base")) == 2
    assert [v.version for v in store.history("copy")] == [1, 2]
    assert store.load("copy", 1).economics.budget == 2
    with pytest.raises(InputError, match="already taken"):
        store.duplicate("base", "copy", "bob")


def test_delete_is_a_soft_delete_and_undelete_brings_everything_back(store: ScenarioStore) -> None:
    store.save("gone", make_scenario(budget=1), "alice")
    store.save("gone", make_scenario(budget=2), "alice")
    deleted = store.delete("gone", "bob")
    assert deleted.deleted_by == "bob"
    assert store.names() == []
    assert [t.name for t in store.trash()] == ["gone"]
    with pytest.raises(NotFoundError, match="in the trash"):
        store.load("gone")

    store.save("gone", make_scenario(budget=50), "carol")
    with pytest.raises(InputError, match="already has this name"):
        store.undelete("gone", "bob")
    back = store.undelete("gone", "bob", new_name="gone (restored)")
    assert back.latest_version == 2
    assert store.load("gone (restored)", 1).economics.budget == 1
    assert store.load("gone (restored)").economics.budget == 2
    assert store.load("gone").economics.budget == 50
    assert [e.kind for e in store.events("gone (restored)")] == ["deleted", "undeleted"]
    assert store.trash() == []
    with pytest.raises(NotFoundError, match="not in the trash"):
        store.undelete("never", "bob")


def test_stale_expected_version_raises_conflict_and_saves_nothing(store: ScenarioStore) -> None:
    store.save("shared", make_scenario(budget=1), "alice", expected_version=0)
    opened = store.info("shared").latest_version
    store.save("shared", make_scenario(budget=2), "bob", expected_version=opened)
    with pytest.raises(ConflictError, match="bob saved version 2") as caught:
        store.save("shared", make_scenario(budget=3), "carol", expected_version=opened)
    assert isinstance(caught.value, InputError)
    assert len(store.history("shared")) == 2
    assert store.load("shared").economics.budget == 2

    kept = store.save(
        "shared",
        make_scenario(budget=3),
        "carol",
        expected_version=opened,
        on_conflict="new_version",
    )
    assert kept.version == 3
    assert kept.based_on == opened
    assert "concurrent edit" in kept.note
    assert [store.load("shared", v).economics.budget for v in (1, 2, 3)] == [1, 2, 3]

    with pytest.raises(ConflictError, match="already exists"):
        store.save("shared", make_scenario(), "dan", expected_version=0)
    store.delete("shared", "dan")
    with pytest.raises(ConflictError, match="no longer"):
        store.save("shared", make_scenario(), "carol", expected_version=3)
    assert store.names() == []


def test_bad_arguments_are_input_errors(store: ScenarioStore) -> None:
    for bad in ["", "   ", "x" * 201, "tab\there"]:
        with pytest.raises(InputError, match="scenario name"):
            store.save(bad, make_scenario(), "alice")
    with pytest.raises(InputError, match="expected a Scenario"):
        store.save("x", {"name": "x"}, "alice")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="on_conflict"):
        store.save("x", make_scenario(), "alice", on_conflict="overwrite")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="expected_version"):
        store.save("x", make_scenario(), "alice", expected_version=-1)
    assert store.names() == []


def test_a_corrupted_row_fails_loudly_naming_scenario_and_version(store: ScenarioStore) -> None:
    store.save("plan", make_scenario(), "alice")
    with store.engine.begin() as conn:
        conn.execute(sa.update(versions_t).values(content="name: plan\neconomics:\n  budget: -5\n"))
    with pytest.raises(InputError, match=r"'plan' version 1: economics\.budget"):
        store.load("plan")


# --- schema -------------------------------------------------------------------------------------


def test_schema_is_created_once_and_a_newer_schema_is_refused(db_url: str) -> None:
    with ScenarioStore(db_url) as first:
        assert first.schema_version() == SCHEMA_VERSION
        first.save("kept", make_scenario(), "alice")
    with ScenarioStore(db_url) as again:
        assert again.schema_version() == SCHEMA_VERSION
        assert again.names() == ["kept"]
        with again.engine.begin() as conn:
            rows = conn.exec_driver_sql("SELECT version FROM schema_version").all()
            assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))
            conn.exec_driver_sql(
                "INSERT INTO schema_version (version, description, applied_at) "
                "VALUES (99, 'from the future', CURRENT_TIMESTAMP)"
            )
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        ScenarioStore(db_url)


def test_default_location_is_var_under_the_repo_or_hybrid_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HYBRID_DATABASE_URL", raising=False)
    monkeypatch.delenv("HYBRID_DATA_DIR", raising=False)
    assert default_database_url() == f"sqlite:///{REPO_ROOT / 'var' / 'hybrid.sqlite'}"
    folder = tmp_path / "nested" / "data"
    monkeypatch.setenv("HYBRID_DATA_DIR", str(folder))
    with ScenarioStore() as s, s.engine.connect() as conn:
        s.save("here", make_scenario(), "alice")
        assert s.is_sqlite
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert (folder / "hybrid.sqlite").is_file()
    assert mode == "wal"
    monkeypatch.setenv("HYBRID_DATABASE_URL", "mysql://nobody@localhost/x")
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        ScenarioStore()
    monkeypatch.setenv("HYBRID_DATABASE_URL", "::not a url::")
    with pytest.raises(StoreError, match="not a database URL"):
        ScenarioStore()


# --- concurrency and crashes --------------------------------------------------------------------


def _writer(url: str, worker: int, count: int, start) -> None:  # type: ignore[no-untyped-def]
    with ScenarioStore(url) as s:
        start.wait(timeout=60)
        for j in range(count):
            s.save(
                "shared",
                make_scenario(budget=1000 + worker * 100 + j),
                f"writer-{worker}",
                note=f"w{worker}-{j}",
            )


def test_concurrent_processes_saving_one_name_lose_nothing(db_url: str) -> None:
    ScenarioStore(db_url).close()
    workers, saves = 12, 10
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(workers)
    procs = [ctx.Process(target=_writer, args=(db_url, w, saves, start)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * workers
    with ScenarioStore(db_url) as s:
        history = s.history("shared")
        assert [v.version for v in history] == list(range(1, workers * saves + 1))
        assert sorted(v.note for v in history) == sorted(
            f"w{w}-{j}" for w in range(workers) for j in range(saves)
        )
        for w in range(workers):
            mine = [int(v.note.split("-")[1]) for v in history if v.author == f"writer-{w}"]
            assert mine == list(range(saves))
        budgets = {s.load("shared", v.version).economics.budget for v in history[::10]}
        assert len(budgets) == len(history[::10])
        if s.is_sqlite:
            assert sqlite_integrity_check(s) == "ok"


def test_threads_sharing_one_store_lose_nothing(store: ScenarioStore) -> None:
    """The dashboard pattern: one cached store, many sessions saving at once."""
    errors: list[BaseException] = []

    def save_many(worker: int) -> None:
        try:
            for j in range(10):
                store.save("busy", make_scenario(budget=1 + j), f"session-{worker}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=save_many, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    history = store.history("busy")
    assert [v.version for v in history] == list(range(1, 61))
    assert sorted(collections.Counter(v.author for v in history).values()) == [10] * 6


KILLED_WRITER = """
import sys, time
from hybrid.store.scenarios import ScenarioStore

store = ScenarioStore(sys.argv[1])
original = ScenarioStore._insert_version

def stall_before_commit(self, conn, *args, **kwargs):
    result = original(self, conn, *args, **kwargs)
    print("in-transaction", flush=True)
    time.sleep(120)
    return result

ScenarioStore._insert_version = stall_before_commit
half = store.load("victim").model_copy(update={"domain": "half-written"})
store.save("victim", half, "killed-writer")
"""


def test_a_writer_killed_mid_transaction_leaves_the_last_good_version(db_url: str) -> None:
    with ScenarioStore(db_url) as s:
        s.save("victim", make_scenario(budget=1), "alice")
        s.save("victim", make_scenario(budget=2, domain="good"), "alice")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    try:
        line = child.stdout.readline().strip()
        assert line == "in-transaction", child.stderr.read()
        with ScenarioStore(db_url) as reader:
            assert reader.load("victim").domain == "good"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    with ScenarioStore(db_url) as s:
        if s.is_sqlite:
            assert sqlite_integrity_check(s) == "ok"
        assert [v.version for v in s.history("victim")] == [1, 2]
        assert s.load("victim").domain == "good"
        assert "killed-writer" not in {v.author for v in s.history("victim")}
        after = s.save("victim", make_scenario(budget=3), "bob")
        assert after.version == 3


# --- import and export --------------------------------------------------------------------------


def test_export_then_import_round_trips_a_library(tmp_path: Path, db_url: str) -> None:
    names = ["Churn model", "fraud/labels: v2", "Ünïcode"]
    with ScenarioStore(db_url) as s:
        for i, name in enumerate(names):
            s.save(name, make_scenario(budget=100 * (i + 1), domain=f"d{i}"), "alice")
        s.save("deleted one", make_scenario(), "alice")
        s.delete("deleted one", "alice")
        written = s.export_all(tmp_path / "export")
        single = s.export("Churn model", tmp_path / "one.yaml")
    assert len(written) == 3
    assert all(p.parent == tmp_path / "export" and p.suffix == ".yaml" for p in written)
    assert load_scenario(single).name == "Churn model"
    assert sorted(load_scenario(p).name for p in written) == sorted(names)

    other_url = f"sqlite:///{tmp_path / 'other' / 'hybrid.sqlite'}"
    with ScenarioStore(other_url) as other, ScenarioStore(db_url) as s:
        results = other.import_path(tmp_path / "export", "bob")
        assert sorted((r.name, r.status, r.version) for r in results) == sorted(
            (n, "created", 1) for n in names
        )
        for name in names:
            assert other.load(name) == s.load(name)
        assert {v.author for n in names for v in other.history(n)} == {"bob"}

        again = other.import_path(tmp_path / "export", "bob")
        assert {r.status for r in again} == {"unchanged"}
        edited = tmp_path / "export" / written[0].name
        text = edited.read_text(encoding="utf-8").replace("domain: d", "domain: edited-d")
        edited.write_text(text, encoding="utf-8")
        changed = other.import_path(edited, "carol")
        assert [(r.status, r.version) for r in changed] == [("updated", 2)]
        assert other.load(changed[0].name).domain.startswith("edited-d")


def test_import_validates_every_file_before_writing_any(
    tmp_path: Path, store: ScenarioStore
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text(make_scenario("good").to_yaml(), encoding="utf-8")
    (folder / "b.yaml").write_text("name: bad\neconomics:\n  budget: 10\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"b\.yaml: economics\.human_cost_per_example"):
        store.import_path(folder, "alice")
    assert store.names() == []
    with pytest.raises(InputError, match="not found"):
        store.import_path(tmp_path / "missing", "alice")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no .yaml"):
        store.import_path(empty, "alice")


# --- CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HYBRID_DATABASE_URL", db_url)
    monkeypatch.setenv("HYBRID_AUTHOR", "cli-user")
    return db_url


def test_cli_import_list_show_history_restore_export(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "plan.yaml"
    src.write_text(make_scenario("Plan A", budget=100).to_yaml(), encoding="utf-8")
    assert main(["scenarios", "import", str(src)]) == 0
    assert "created 'Plan A' version 1" in capsys.readouterr().out
    src.write_text(make_scenario("Plan A", budget=200).to_yaml(), encoding="utf-8")
    assert main(["scenarios", "import", str(src), "--author", "dana"]) == 0
    assert "updated 'Plan A' version 2" in capsys.readouterr().out

    assert main(["scenarios", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["NAME", "VERSION", "SAVED", "BY"]
    assert out[1].startswith("Plan A") and out[1].split()[2] == "2" and out[1].endswith("dana")

    assert main(["scenarios", "show", "Plan A", "--version", "1"]) == 0
    assert Scenario.from_yaml(capsys.readouterr().out).economics.budget == 100

    assert main(["scenarios", "restore", "Plan A", "1"]) == 0
    assert "as version 3" in capsys.readouterr().out
    assert main(["scenarios", "history", "Plan A"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3"]
    assert "cli-user" in lines[1] and "dana" in lines[2] and "restored from version 1" in lines[3]

    assert main(["scenarios", "export", "Plan A"]) == 0
    assert Scenario.from_yaml(capsys.readouterr().out).economics.budget == 100
    assert main(["scenarios", "export", "--all", "-o", str(tmp_path / "out")]) == 0
    [exported] = (tmp_path / "out").glob("*.yaml")
    assert load_scenario(exported).name == "Plan A"


def test_cli_rename_duplicate_delete_undelete(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScenarioStore(cli_env) as s:
        s.save("one", make_scenario(), "alice")
    assert main(["scenarios", "rename", "one", "two"]) == 0
    assert main(["scenarios", "duplicate", "two", "three"]) == 0
    assert main(["scenarios", "delete", "two"]) == 0
    capsys.readouterr()
    assert main(["scenarios", "list", "--trash"]) == 0
    trash = capsys.readouterr().out.splitlines()
    assert trash[1].split()[0] == "two" and trash[1].endswith("cli-user")
    assert main(["scenarios", "undelete", "two", "--as", "two again"]) == 0
    with ScenarioStore(cli_env) as s:
        assert s.names() == ["three", "two again"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["scenarios", "show", "nope"], "not in the library"),
        (["scenarios", "restore", "nope", "1"], "not in the library"),
        (["scenarios", "export"], "give a scenario name or --all"),
        (["scenarios", "export", "--all"], "needs -o FOLDER"),
        (["scenarios", "import", "/definitely/missing.yaml"], "not found"),
        (["scenarios", "rename", "nope", ""], "new name: must not be empty"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    cli_env: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err


def test_cli_import_of_invalid_yaml_exits_2(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    assert main(["scenarios", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and err.count("\n") == 1
