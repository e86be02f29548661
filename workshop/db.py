"""The tables (SQLAlchemy 2 ORM), the engine for a URL, and schema migration through Alembic.

Two tables: ``rooms`` (one per workshop question) and ``participants`` (one per person who joined,
holding their prediction and their latest plan). Secrets are stored only as SHA-256 digests: a copy
of the database does not let anyone act as a facilitator or a participant.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import (DateTime, Engine, Float, ForeignKey, Integer, String, Text, create_engine, event,
                        make_url, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Any constant will do: it names the lock two servers starting together on one PostgreSQL share.
PG_MIGRATION_LOCK = 1_020_100_010
#: A writer waits this long for another (SQLite allows one writer at a time, even in WAL mode).
SQLITE_BUSY_MS = 10_000
#: Execution option marking a transaction that reads and then writes (see ``writer``).
WRITER = "zhoucun_writer"


class Base(DeclarativeBase):
    pass


class Room(Base):
    __tablename__ = "rooms"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    spec_json: Mapped[str] = mapped_column(Text)            # a validated ``rooms.RoomSpec``
    status: Mapped[str] = mapped_column(String(10))         # open / locked / archived
    revealed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_code: Mapped[str] = mapped_column(String(12), ForeignKey("rooms.code", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(40), default="")
    joined_at: Mapped[datetime] = mapped_column(DateTime)
    prediction: Mapped[float | None] = mapped_column(Float, nullable=True)
    predicted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    plan_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revisions: Mapped[int] = mapped_column(Integer, default=0)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file gets its folder, WAL journaling and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # WAL: readers (the board) never block the writers
        # The driver's own BEGIN comes late (at the first write) and is DEFERRED: two joins could
        # both count the room before either inserts. SQLAlchemy's recipe: we emit BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # a writer takes the write lock first: count-then-insert is serialised
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITER) else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The engine for read-then-write transactions: on SQLite they begin IMMEDIATE (one at a time, as
    ``SELECT … FOR UPDATE`` makes them on PostgreSQL); readers still use ``engine`` and never wait."""
    return engine.execution_options(**{WRITER: True})


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision (safe to call from every server)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # two servers starting at once migrate one after the other
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
