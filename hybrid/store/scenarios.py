"""The scenario library: named scenarios with their full history, in SQLite or PostgreSQL.

A team comes back to a decision weeks later, edits it, compares it with last quarter's and hands it
to a colleague; so every save is a new version (who, when, what it was based on), and the promise
is that nothing a user saved is ever lost:

- every write is one database transaction: a crash mid-save leaves the last good version;
- two people saving the same scenario both keep a version. ``save(..., expected_version=N)`` is
  optimistic concurrency control: if someone else saved since version ``N`` was opened, it raises
  ``ConflictError`` instead of silently stacking an edit on work its author never saw;
  ``on_conflict="new_version"`` keeps both;
- delete moves a scenario to the trash, from which it can be restored; nothing is purged;
- restoring an old version writes a new version with the old content, so history only grows.

The same SQLAlchemy Core code serves a single-user SQLite file (the default, ``var/hybrid.sqlite``
under the repository, or ``$HYBRID_DATA_DIR/hybrid.sqlite``) and a team's PostgreSQL
(``$HYBRID_DATABASE_URL``). On SQLite the file runs in WAL mode (readers never block the writer,
and a torn write is rolled back on the next open), with a busy timeout and ``BEGIN IMMEDIATE`` for
every write, so that concurrent processes queue for the write lock instead of failing half-way
(SQLite docs: "Write-Ahead Logging", "Atomic Commit In SQLite", "BEGIN TRANSACTION"). The schema is
versioned by the app itself: ``schema_version`` records each applied step of ``MIGRATIONS``.

Stored content is ``Scenario.to_yaml()``; everything read back is validated again by
``Scenario.from_yaml``, so a hand-edited or old row fails with a message instead of a wrong answer.
See docs/store.md.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, IntegrityError

from hybrid.atomic import write_text
from hybrid.bundled import default_store_dir
from hybrid.errors import InputError
from hybrid.model.scenario import Scenario, read_text_file
from hybrid.safetext import file_stem

ENV_DATABASE_URL = "HYBRID_DATABASE_URL"
ENV_DATA_DIR = "HYBRID_DATA_DIR"
ENV_AUTHOR = "HYBRID_AUTHOR"
SQLITE_FILENAME = "hybrid.sqlite"
# Long enough for a queue of writers of small rows; a writer that waits longer than this is stuck.
SQLITE_BUSY_TIMEOUT_MS = 30_000
MAX_NAME_LENGTH = 200
MAX_AUTHOR_LENGTH = 200
MAX_NOTE_LENGTH = 500
# Transient failures (a PostgreSQL deadlock, two creators of one name) are retried this many times.
WRITE_ATTEMPTS = 8
# pg_advisory_xact_lock key so that two app servers starting at once migrate one after the other.
_PG_MIGRATION_LOCK = 7_302_514_411
_PG_TRANSIENT = {"40001", "40P01", "55P03"}

OnConflict = Literal["error", "new_version"]
T = TypeVar("T")


class ConflictError(InputError):
    """Someone else saved the scenario since the version this edit started from."""


class NotFoundError(InputError):
    """No live scenario (or version) by that name."""


class StoreError(InputError):
    """The store cannot be opened or used (bad URL, unreachable server, newer schema, busy)."""


# --- schema -------------------------------------------------------------------------------------


def _define_v1(md: sa.MetaData) -> dict[str, sa.Table]:
    """Schema version 1. Frozen: a later change is a new step in MIGRATIONS, never an edit here."""
    scenarios = sa.Table(
        "scenarios",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(MAX_NAME_LENGTH), nullable=False),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(MAX_AUTHOR_LENGTH), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(MAX_AUTHOR_LENGTH), nullable=True),
    )
    live = scenarios.c.deleted_at.is_(None)
    # A name is unique among live scenarios only, so the trash may hold older holders of a name.
    sa.Index(
        "uq_scenarios_live_name",
        scenarios.c.name,
        unique=True,
        sqlite_where=live,
        postgresql_where=live,
    )
    versions = sa.Table(
        "scenario_versions",
        md,
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("author", sa.String(MAX_AUTHOR_LENGTH), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("based_on", sa.Integer, nullable=True),
        sa.Column("note", sa.String(MAX_NOTE_LENGTH), nullable=False),
    )
    events = sa.Table(
        "scenario_events",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(MAX_AUTHOR_LENGTH), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(MAX_NOTE_LENGTH), nullable=False),
    )
    sa.Index("ix_scenario_events_scenario", events.c.scenario_id)
    return {"scenarios": scenarios, "scenario_versions": versions, "scenario_events": events}


def _migrate_to_v1(conn: Connection) -> None:
    md = sa.MetaData()
    _define_v1(md)
    md.create_all(conn)


# Ordered steps; step i (1-based) takes the schema from version i-1 to i. Append, never reorder.
MIGRATIONS: tuple[tuple[str, Callable[[Connection], None]], ...] = (
    ("scenarios, versions and events", _migrate_to_v1),
)
SCHEMA_VERSION = len(MIGRATIONS)

_metadata = sa.MetaData()
_schema_version = sa.Table(
    "schema_version",
    _metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)
_tables = _define_v1(_metadata)
scenarios_t = _tables["scenarios"]
versions_t = _tables["scenario_versions"]
events_t = _tables["scenario_events"]


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioInfo:
    """One library entry: its name, latest version and who last touched it."""

    id: int
    name: str
    latest_version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    deleted_at: datetime | None = None
    deleted_by: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    """One saved version: ``based_on`` is the version the editor started from, if known."""

    name: str
    version: int
    author: str
    saved_at: datetime
    note: str
    based_on: int | None
    content_sha256: str


@dataclass(frozen=True)
class StoredScenario:
    """A version with its YAML text and the validated scenario (named as in the library)."""

    info: VersionInfo
    yaml_text: str
    scenario: Scenario


@dataclass(frozen=True)
class Event:
    """A change that is not a version: renamed, deleted, undeleted."""

    kind: str
    actor: str
    at: datetime
    detail: str


@dataclass(frozen=True)
class ImportResult:
    """What import did with one file: ``created``, ``updated`` or ``unchanged``."""

    source: str
    name: str
    version: int
    status: str


# --- helpers ------------------------------------------------------------------------------------


def default_database_url() -> str:
    """``$HYBRID_DATABASE_URL``, else SQLite at ``$HYBRID_DATA_DIR`` (default ``<repo>/var`` in a
    clone, ``hybrid.bundled.default_store_dir`` for an installed package)."""
    url = os.environ.get(ENV_DATABASE_URL, "").strip()
    if url:
        return url
    folder = os.environ.get(ENV_DATA_DIR, "").strip()
    data_dir = Path(folder).expanduser() if folder else default_store_dir()
    return f"sqlite:///{(data_dir / SQLITE_FILENAME).resolve()}"


def default_author() -> str:
    """Who is saving: ``$HYBRID_AUTHOR``, else the login name."""
    name = os.environ.get(ENV_AUTHOR, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name: object, what: str = "scenario name") -> str:
    if not isinstance(name, str):
        raise InputError(f"{what}: expected text, got {type(name).__name__}")
    cleaned = name.strip()
    if not cleaned:
        raise InputError(f"{what}: must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InputError(f"{what}: at most {MAX_NAME_LENGTH} characters (got {len(cleaned)})")
    if _CONTROL.search(cleaned):
        raise InputError(f"{what} {cleaned!r}: must not contain control characters")
    return cleaned


def _clean_author(author: object) -> str:
    if author is None:
        return default_author()
    return clean_name(author, "author")[:MAX_AUTHOR_LENGTH]


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normalised_yaml(scenario: Scenario, name: str, source: str) -> str:
    """The stored text: the scenario named as in the library, proven to load back."""
    if not isinstance(scenario, Scenario):
        raise InputError(f"{source}: expected a Scenario, got {type(scenario).__name__}")
    text = scenario.model_copy(update={"name": name}).to_yaml()
    Scenario.from_yaml(text, source)
    return text


def _is_transient(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in _PG_TRANSIENT


def _is_read_only_error(exc: StoreError) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open database file" in text


def _connect_read_only(path: str):
    """A read-only connection to a SQLite file in a folder that cannot be written.

    ``mode=ro`` reads a WAL database when its -wal and -shm files exist; when they do not and
    cannot be created, ``immutable=1`` reads the file as it is (nothing can write it from here)."""
    import sqlite3
    from urllib.parse import quote

    uri = "file:" + quote(str(Path(path).resolve()))
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _normalise_url(url: str) -> sa.URL:
    try:
        parsed = sa.make_url(url)
    except ArgumentError:
        raise StoreError(f"{ENV_DATABASE_URL}: not a database URL: {url!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"{ENV_DATABASE_URL}: unsupported database {backend!r}; use sqlite or postgresql"
        )
    return parsed


# The one file-stem rule (hybrid.safetext.file_stem), under the name the library code uses.
safe_filename = file_stem


# --- the store ----------------------------------------------------------------------------------


class ScenarioStore:
    """A library of named, versioned scenarios. Safe to use from several processes at once.

    ``url`` is a SQLAlchemy URL (``sqlite:///path`` or ``postgresql://user@host/db``); None means
    ``default_database_url()``. The schema is created or migrated on open.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = _normalise_url(url or default_database_url())
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # True when the SQLite file or its folder cannot be written: the library is then opened
        # read-only, so it can still be listed, opened and exported, and every change is refused.
        self.read_only = False
        self.engine = self._create_engine()
        self._writer = self.engine.execution_options(hybrid_begin="IMMEDIATE")
        try:
            try:
                self._migrate()
            except StoreError as exc:
                if not (self.is_sqlite and _is_read_only_error(exc) and self._sqlite_file_exists()):
                    raise
                self.engine.dispose()
                self.read_only = True
                self.engine = self._create_engine()
                self._writer = self.engine.execution_options(hybrid_begin="IMMEDIATE")
                self._migrate()
        except BaseException:
            self.engine.dispose()
            raise

    def _sqlite_file_exists(self) -> bool:
        database = self.url.database or ""
        return bool(database) and database != ":memory:" and Path(database).is_file()

    # lifecycle

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ScenarioStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ScenarioStore({self.url.render_as_string(hide_password=True)!r})"

    @property
    def location(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def _create_engine(self) -> Engine:
        if not self.is_sqlite:
            return sa.create_engine(self.url, pool_pre_ping=True)
        database = self.url.database or ""
        if (
            database
            and database != ":memory:"
            and not database.startswith("file:")
            and not self.read_only
        ):
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{Path(database).parent}: cannot create the data folder ({exc.strerror})"
                ) from None
        if self.read_only:
            engine = sa.create_engine("sqlite://", creator=lambda: _connect_read_only(database))
        else:
            engine = sa.create_engine(
                self.url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            # pysqlite's own implicit BEGIN would defeat BEGIN IMMEDIATE; we issue BEGIN below.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if not self.read_only:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("hybrid_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    # transactions

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except DatabaseError as exc:
            if isinstance(exc, IntegrityError):
                raise
            raise self._store_error(exc) from None

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying transient conflicts from the start."""
        if self.read_only:
            raise StoreError(
                f"scenario store {self.location}: the library is read-only here (its folder or "
                f"file "
                "cannot be written); it can be listed, opened and exported, but not changed"
            )
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._writer.begin() as conn:
                    return work(conn)
            except DBAPIError as exc:
                if attempt + 1 < WRITE_ATTEMPTS and _is_transient(exc):
                    continue
                if isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError):
                    raise self._store_error(exc) from None
                raise
        raise AssertionError("unreachable")

    def _store_error(self, exc: DBAPIError) -> StoreError:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if self.is_sqlite and "not a database" in reason:
            reason = (
                f"{reason}: the file is damaged or is not a scenario library; move it aside (the "
                f"app then starts a new library there) or point {ENV_DATA_DIR} elsewhere"
            )
        return StoreError(f"scenario store {self.location}: {reason}")

    def _migrate(self) -> None:
        try:
            with self.engine.connect() as conn:
                current = self._schema_version(conn)
                if current == 0:
                    self._check_not_foreign(conn)
        except DatabaseError as exc:
            raise self._store_error(exc) from None
        if current == SCHEMA_VERSION:
            return
        self._check_not_newer(current)
        if self.read_only:
            raise StoreError(
                f"scenario store {self.location}: the library needs a schema upgrade, and it is "
                "read-only here; open it once where it can be written"
            )

        def step_all(conn: Connection) -> None:
            if not self.is_sqlite:
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
            _schema_version.create(conn, checkfirst=True)
            done = self._schema_version(conn)
            self._check_not_newer(done)
            for number, (description, step) in enumerate(MIGRATIONS, start=1):
                if number <= done:
                    continue
                step(conn)
                conn.execute(
                    sa.insert(_schema_version).values(
                        version=number, description=description, applied_at=_now()
                    )
                )

        self._write(step_all)

    @staticmethod
    def _schema_version(conn: Connection) -> int:
        if not sa.inspect(conn).has_table("schema_version"):
            return 0
        return int(conn.execute(sa.select(sa.func.max(_schema_version.c.version))).scalar() or 0)

    def _check_not_foreign(self, conn: Connection) -> None:
        """A database without our schema_version but with tables of our names belongs to something
        else; creating ours beside them would fail half-way, so it is refused by name."""
        ours = {"scenarios", "scenario_versions", "scenario_events"}
        clash = sorted(ours & set(sa.inspect(conn).get_table_names()))
        if clash:
            raise StoreError(
                f"scenario store {self.location}: not a scenario library (it has table "
                f"{', '.join(clash)} but no schema_version); point {ENV_DATA_DIR} or "
                f"{ENV_DATABASE_URL} at another database"
            )

    def _check_not_newer(self, found: int) -> None:
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"scenario store {self.location}: schema version {found} is newer than this app "
                f"understands ({SCHEMA_VERSION}); upgrade the app before using this database"
            )

    def schema_version(self) -> int:
        with self._read() as conn:
            return self._schema_version(conn)

    # queries

    def _live_row(self, conn: Connection, name: str) -> sa.Row:
        row = conn.execute(
            sa.select(scenarios_t).where(
                scenarios_t.c.name == name, scenarios_t.c.deleted_at.is_(None)
            )
        ).first()
        if row is None:
            raise NotFoundError(f"scenario {name!r}: not in the library{self._hint(conn, name)}")
        return row

    @staticmethod
    def _hint(conn: Connection, name: str) -> str:
        trashed = conn.execute(
            sa.select(sa.func.count()).where(
                scenarios_t.c.name == name, scenarios_t.c.deleted_at.is_not(None)
            )
        ).scalar()
        return " (it is in the trash: undelete it to restore)" if trashed else ""

    def _info_query(self) -> sa.Select:
        v = versions_t
        return sa.select(
            scenarios_t, v.c.saved_at.label("updated_at"), v.c.author.label("updated_by")
        ).join(
            v,
            sa.and_(
                v.c.scenario_id == scenarios_t.c.id, v.c.version == scenarios_t.c.latest_version
            ),
        )

    @staticmethod
    def _to_info(row: sa.Row) -> ScenarioInfo:
        return ScenarioInfo(
            id=row.id,
            name=row.name,
            latest_version=row.latest_version,
            created_at=_utc(row.created_at),
            created_by=row.created_by,
            updated_at=_utc(row.updated_at),
            updated_by=row.updated_by,
            deleted_at=_utc(row.deleted_at),
            deleted_by=row.deleted_by,
        )

    @staticmethod
    def _to_version(name: str, row: sa.Row) -> VersionInfo:
        return VersionInfo(
            name=name,
            version=row.version,
            author=row.author,
            saved_at=_utc(row.saved_at),
            note=row.note,
            based_on=row.based_on,
            content_sha256=row.content_sha256,
        )

    def list_scenarios(self) -> list[ScenarioInfo]:
        """Live scenarios, by name."""
        with self._read() as conn:
            rows = conn.execute(
                self._info_query()
                .where(scenarios_t.c.deleted_at.is_(None))
                .order_by(scenarios_t.c.name)
            )
            return [self._to_info(r) for r in rows]

    def names(self) -> list[str]:
        return [info.name for info in self.list_scenarios()]

    def trash(self) -> list[ScenarioInfo]:
        """Deleted scenarios, most recently deleted first; each can be undeleted."""
        with self._read() as conn:
            rows = conn.execute(
                self._info_query()
                .where(scenarios_t.c.deleted_at.is_not(None))
                .order_by(scenarios_t.c.deleted_at.desc(), scenarios_t.c.id.desc())
            )
            return [self._to_info(r) for r in rows]

    def info(self, name: str) -> ScenarioInfo:
        name = clean_name(name)
        with self._read() as conn:
            row = conn.execute(
                self._info_query().where(
                    scenarios_t.c.name == name, scenarios_t.c.deleted_at.is_(None)
                )
            ).first()
            if row is None:
                raise NotFoundError(
                    f"scenario {name!r}: not in the library{self._hint(conn, name)}"
                )
            return self._to_info(row)

    def exists(self, name: str) -> bool:
        try:
            self.info(name)
        except NotFoundError:
            return False
        return True

    def history(self, name: str) -> list[VersionInfo]:
        """Every version of a live scenario, oldest first."""
        name = clean_name(name)
        with self._read() as conn:
            sid = self._live_row(conn, name).id
            rows = conn.execute(
                sa.select(versions_t)
                .where(versions_t.c.scenario_id == sid)
                .order_by(versions_t.c.version)
            )
            return [self._to_version(name, r) for r in rows]

    def events(self, name: str) -> list[Event]:
        """Renames, deletions and undeletions of a live scenario, oldest first."""
        name = clean_name(name)
        with self._read() as conn:
            sid = self._live_row(conn, name).id
            rows = conn.execute(
                sa.select(events_t).where(events_t.c.scenario_id == sid).order_by(events_t.c.id)
            )
            return [Event(r.kind, r.actor, _utc(r.at), r.detail) for r in rows]

    def get(self, name: str, version: int | None = None) -> StoredScenario:
        """A version (default: the latest) with its text and validated scenario."""
        name = clean_name(name)
        with self._read() as conn:
            return self._get(conn, name, version)

    def _get(self, conn: Connection, name: str, version: int | None) -> StoredScenario:
        row = self._live_row(conn, name)
        wanted = row.latest_version if version is None else version
        if not isinstance(wanted, int) or isinstance(wanted, bool):
            raise InputError(f"scenario {name!r}: version must be a whole number")
        vrow = conn.execute(
            sa.select(versions_t).where(
                versions_t.c.scenario_id == row.id, versions_t.c.version == wanted
            )
        ).first()
        if vrow is None:
            raise NotFoundError(
                f"scenario {name!r}: no version {wanted} (versions are 1 to {row.latest_version})"
            )
        scenario = Scenario.from_yaml(vrow.content, f"scenario {name!r} version {wanted}")
        if scenario.name != name:
            scenario = scenario.model_copy(update={"name": name})
        return StoredScenario(self._to_version(name, vrow), vrow.content, scenario)

    def load(self, name: str, version: int | None = None) -> Scenario:
        """The scenario (default: latest version), validated, named as in the library."""
        return self.get(name, version).scenario

    # writes

    def save(
        self,
        name: str,
        scenario: Scenario,
        author: str | None = None,
        expected_version: int | None = None,
        on_conflict: OnConflict = "error",
        note: str = "",
    ) -> VersionInfo:
        """Save ``scenario`` as the next version of ``name`` (creating it if new).

        ``expected_version`` is the version the editor opened (0: "I am creating it"). When it is
        no longer the latest, ``on_conflict="error"`` raises ``ConflictError`` and saves nothing;
        ``"new_version"`` saves anyway as the next version, keeping the other person's version.
        """
        name = clean_name(name)
        author = _clean_author(author)
        if on_conflict not in ("error", "new_version"):
            raise InputError(f"on_conflict: must be 'error' or 'new_version' (got {on_conflict!r})")
        if expected_version is not None and (
            not isinstance(expected_version, int)
            or isinstance(expected_version, bool)
            or expected_version < 0
        ):
            raise InputError(
                f"expected_version: must be a whole number >= 0 (got {expected_version!r})"
            )
        content = _normalised_yaml(scenario, name, f"scenario {name!r}")
        note = str(note or "")[:MAX_NOTE_LENGTH]

        def work(conn: Connection) -> VersionInfo:
            return self._save_in(conn, name, content, author, expected_version, on_conflict, note)

        return self._write(work)

    def _save_in(
        self,
        conn: Connection,
        name: str,
        content: str,
        author: str,
        expected_version: int | None,
        on_conflict: OnConflict,
        note: str,
    ) -> VersionInfo:
        now = _now()
        s = scenarios_t
        # One statement both locks the row and claims the next number, so concurrent savers on
        # PostgreSQL queue on the row lock and each gets its own version.
        bumped = conn.execute(
            sa.update(s)
            .where(s.c.name == name, s.c.deleted_at.is_(None))
            .values(latest_version=s.c.latest_version + 1)
            .returning(s.c.id, s.c.latest_version)
        ).first()
        if bumped is None:
            if expected_version not in (None, 0) and on_conflict == "error":
                raise ConflictError(
                    f"scenario {name!r}: you opened version {expected_version}, but it is no "
                    "longer in the library (renamed or deleted since); nothing was saved. Save "
                    "with on_conflict='new_version' to keep your copy under this name"
                )
            sid = conn.execute(
                sa.insert(s).values(name=name, latest_version=1, created_at=now, created_by=author)
            ).inserted_primary_key[0]
            version = 1
        else:
            sid, version = bumped.id, bumped.latest_version
            previous = version - 1
            if expected_version is not None and expected_version != previous:
                if on_conflict == "error" and expected_version == 0:
                    raise ConflictError(
                        f"scenario {name!r}: already exists (latest version {previous}); nothing "
                        "was saved. Choose another name, or save with on_conflict='new_version' "
                        "to add yours as its next version"
                    )
                if on_conflict == "error":
                    latest = conn.execute(
                        sa.select(versions_t.c.author, versions_t.c.saved_at).where(
                            versions_t.c.scenario_id == sid, versions_t.c.version == previous
                        )
                    ).one()
                    raise ConflictError(
                        f"scenario {name!r}: you opened version {expected_version}, but "
                        f"{latest.author} saved version {previous} at "
                        f"{_utc(latest.saved_at):%Y-%m-%d %H:%M UTC}; nothing was saved. Reload "
                        "it, or save with on_conflict='new_version' to keep both"
                    )
                conflict_note = f"saved over a concurrent edit (opened version {expected_version})"
                note = f"{note}; {conflict_note}" if note else conflict_note
        based_on = expected_version if expected_version else (version - 1 or None)
        return self._insert_version(conn, sid, name, version, content, author, now, based_on, note)

    def _insert_version(
        self,
        conn: Connection,
        scenario_id: int,
        name: str,
        version: int,
        content: str,
        author: str,
        now: datetime,
        based_on: int | None,
        note: str,
    ) -> VersionInfo:
        digest = _sha256(content)
        note = note[:MAX_NOTE_LENGTH]
        conn.execute(
            sa.insert(versions_t).values(
                scenario_id=scenario_id,
                version=version,
                content=content,
                content_sha256=digest,
                author=author,
                saved_at=now,
                based_on=based_on,
                note=note,
            )
        )
        return VersionInfo(name, version, author, now, note, based_on, digest)

    def restore(self, name: str, version: int, author: str | None = None) -> VersionInfo:
        """Make an earlier version current again, as a new version; history only grows."""
        name = clean_name(name)
        author = _clean_author(author)

        def work(conn: Connection) -> VersionInfo:
            old = self._get(conn, name, version)
            return self._save_in(
                conn,
                name,
                old.yaml_text,
                author,
                None,
                "new_version",
                f"restored from version {old.info.version}",
            )

        return self._write(work)

    def rename(self, name: str, new_name: str, author: str | None = None) -> ScenarioInfo:
        """Give a scenario a new name; its history comes with it."""
        name = clean_name(name)
        new_name = clean_name(new_name, "new name")
        author = _clean_author(author)

        def work(conn: Connection) -> None:
            row = self._live_row(conn, name)
            if new_name == name:
                return
            self._require_free(conn, new_name)
            conn.execute(
                sa.update(scenarios_t).where(scenarios_t.c.id == row.id).values(name=new_name)
            )
            self._event(conn, row.id, "renamed", author, f"from {name!r} to {new_name!r}")

        self._write(work)
        return self.info(new_name)

    def duplicate(
        self, name: str, new_name: str, author: str | None = None, version: int | None = None
    ) -> VersionInfo:
        """Start a new scenario from a copy of ``name`` (default: its latest version)."""
        name = clean_name(name)
        new_name = clean_name(new_name, "new name")
        author = _clean_author(author)

        def work(conn: Connection) -> VersionInfo:
            old = self._get(conn, name, version)
            self._require_free(conn, new_name)
            content = _normalised_yaml(old.scenario, new_name, f"scenario {new_name!r}")
            return self._save_in(
                conn,
                new_name,
                content,
                author,
                0,
                "error",
                f"duplicated from {name!r} version {old.info.version}",
            )

        return self._write(work)

    def delete(self, name: str, author: str | None = None) -> ScenarioInfo:
        """Move a scenario to the trash. Its history is kept; ``undelete`` brings it back."""
        name = clean_name(name)
        author = _clean_author(author)

        def work(conn: Connection) -> int:
            row = self._live_row(conn, name)
            conn.execute(
                sa.update(scenarios_t)
                .where(scenarios_t.c.id == row.id)
                .values(deleted_at=_now(), deleted_by=author)
            )
            self._event(conn, row.id, "deleted", author, "moved to the trash")
            return row.id

        sid = self._write(work)
        return next(i for i in self.trash() if i.id == sid)

    def undelete(
        self, name: str, author: str | None = None, new_name: str | None = None
    ) -> ScenarioInfo:
        """Bring back the most recently deleted scenario called ``name`` (as ``new_name``)."""
        name = clean_name(name)
        target = clean_name(new_name, "new name") if new_name is not None else name
        author = _clean_author(author)

        def work(conn: Connection) -> None:
            row = conn.execute(
                sa.select(scenarios_t)
                .where(scenarios_t.c.name == name, scenarios_t.c.deleted_at.is_not(None))
                .order_by(scenarios_t.c.deleted_at.desc(), scenarios_t.c.id.desc())
                .limit(1)
            ).first()
            if row is None:
                raise NotFoundError(f"scenario {name!r}: not in the trash")
            if conn.execute(
                sa.select(scenarios_t.c.id).where(
                    scenarios_t.c.name == target, scenarios_t.c.deleted_at.is_(None)
                )
            ).first():
                raise InputError(
                    f"scenario {target!r}: a live scenario already has this name; undelete it "
                    "under a new name"
                )
            conn.execute(
                sa.update(scenarios_t)
                .where(scenarios_t.c.id == row.id)
                .values(name=target, deleted_at=None, deleted_by=None)
            )
            detail = "restored from the trash" + (f" as {target!r}" if target != name else "")
            self._event(conn, row.id, "undeleted", author, detail)

        self._write(work)
        return self.info(target)

    @staticmethod
    def _require_free(conn: Connection, name: str) -> None:
        taken = conn.execute(
            sa.select(scenarios_t.c.id).where(
                scenarios_t.c.name == name, scenarios_t.c.deleted_at.is_(None)
            )
        ).first()
        if taken:
            raise InputError(f"scenario {name!r}: the name is already taken in the library")

    @staticmethod
    def _event(conn: Connection, scenario_id: int, kind: str, actor: str, detail: str) -> None:
        conn.execute(
            sa.insert(events_t).values(
                scenario_id=scenario_id,
                kind=kind,
                actor=actor,
                at=_now(),
                detail=detail[:MAX_NOTE_LENGTH],
            )
        )

    # import and export

    def export_yaml(self, name: str, version: int | None = None) -> str:
        """The scenario as a YAML file's text, loadable by ``load_scenario`` anywhere."""
        return self.load(name, version).to_yaml()

    def export(self, name: str, path: str | Path, version: int | None = None) -> Path:
        """Write one scenario to ``path`` (a file, or an existing folder to write into)."""
        text = self.export_yaml(name, version)
        target = Path(path)
        if target.is_dir():
            target = target / f"{safe_filename(clean_name(name))}.yaml"
        self._write_file(target, text)
        return target

    def export_all(self, directory: str | Path) -> list[Path]:
        """Write every live scenario's latest version to ``directory``, one YAML file each."""
        folder = Path(directory)
        if folder.exists() and not folder.is_dir():
            raise InputError(f"{folder}: exists and is not a folder")
        with self._read() as conn:
            names = [
                r.name
                for r in conn.execute(
                    sa.select(scenarios_t.c.name)
                    .where(scenarios_t.c.deleted_at.is_(None))
                    .order_by(scenarios_t.c.name)
                )
            ]
            texts = [(n, self._get(conn, n, None).scenario.to_yaml()) for n in names]
        written: list[Path] = []
        used: set[str] = set()
        for name, text in texts:
            stem = safe_filename(name)
            candidate, n = stem, 2
            while candidate.lower() in used:
                candidate, n = f"{stem}-{n}", n + 1
            used.add(candidate.lower())
            target = folder / f"{candidate}.yaml"
            self._write_file(target, text)
            written.append(target)
        return written

    @staticmethod
    def _write_file(target: Path, text: str) -> None:
        try:
            # hybrid.atomic: whole or not at all, with the same permissions as every other file
            # the project writes (a library export was owner-only, 0600, where reports are 0644).
            write_text(target, text, mkdir=True)
        except OSError as exc:
            raise InputError(f"{target}: cannot write ({exc.strerror})") from None

    def import_path(self, path: str | Path, author: str | None = None) -> list[ImportResult]:
        """Import one YAML file or every ``*.yaml``/``*.yml`` in a folder, all or nothing.

        Each scenario goes in under its ``name``: new names are created, existing ones get a new
        version, and content identical to the latest version is left alone, so re-importing the
        same export is harmless. Every file is validated before anything is written.
        """
        author = _clean_author(author)
        source = Path(path)
        if source.is_dir():
            files = sorted(
                p for p in source.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml")
            )
            if not files:
                raise InputError(f"{source}: no .yaml or .yml files in this folder")
        elif source.exists():
            files = [source]
        else:
            raise InputError(f"{source}: file or folder not found")
        parsed: list[tuple[str, str, str]] = []
        for file in files:
            scenario = Scenario.from_yaml(read_text_file(file), str(file))
            name = clean_name(scenario.name, f"{file}: name")
            parsed.append((str(file), name, _normalised_yaml(scenario, name, str(file))))
        # Sorted by name so concurrent imports on PostgreSQL lock rows in one order (no deadlock).
        ordered = sorted(parsed, key=lambda item: item[1])

        def work(conn: Connection) -> list[ImportResult]:
            results = []
            for file, name, content in ordered:
                latest = conn.execute(
                    sa.select(versions_t.c.content_sha256, versions_t.c.version)
                    .join(scenarios_t, versions_t.c.scenario_id == scenarios_t.c.id)
                    .where(
                        scenarios_t.c.name == name,
                        scenarios_t.c.deleted_at.is_(None),
                        versions_t.c.version == scenarios_t.c.latest_version,
                    )
                ).first()
                if latest is not None and latest.content_sha256 == _sha256(content):
                    results.append(ImportResult(file, name, latest.version, "unchanged"))
                    continue
                saved = self._save_in(
                    conn,
                    name,
                    content,
                    author,
                    None,
                    "new_version",
                    f"imported from {Path(file).name}",
                )
                status = "created" if latest is None else "updated"
                results.append(ImportResult(file, name, saved.version, status))
            order = {file: i for i, file in enumerate(f for f, _, _ in parsed)}
            return sorted(results, key=lambda r: order[r.source])

        return self._write(work)


def open_store(url: str | None = None) -> ScenarioStore:
    """The store at ``url``, or where the environment says (see ``default_database_url``)."""
    return ScenarioStore(url)


def sqlite_integrity_check(store: ScenarioStore) -> str:
    """``PRAGMA integrity_check`` of a SQLite store: ``"ok"`` when the file is sound."""
    if not store.is_sqlite:
        raise InputError("integrity_check applies to SQLite stores only")
    with store.engine.connect() as conn:
        rows: Sequence[sa.Row] = conn.exec_driver_sql("PRAGMA integrity_check").all()
    return "; ".join(str(r[0]) for r in rows)
