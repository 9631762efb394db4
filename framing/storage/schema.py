"""The version of framing's tables in a study database, and the migrations between them.

``framing_schema`` holds one row: the version of framing's own tables (Optuna versions
its tables itself). Opening a database:

- no framing tables yet: they are created at :data:`CURRENT` and stamped;
- framing tables but no ``framing_schema``: version 1, the tables as framing created them
  before they were versioned (on MySQL/MariaDB with ``TEXT`` columns, which hold only
  64 KB: a longer answer was cut); migrated step by step up to :data:`CURRENT`;
- version 2: ``framing_calibrations`` (created when first used, not with the others)
  may be at the database's default collation on MySQL/MariaDB, often case-insensitive,
  so the calibrations of studies "Pilot" and "pilot" overwrote each other; migrated to
  version 3, where it is ``utf8mb4_bin`` like every table of framing;
- an older version: migrated; a newer one: refused (upgrade framing), nothing written.

Migrations are idempotent (a worker opening the database at the same moment may run
the same step), so they need no lock. :func:`create_tables` is how every table of
framing is created (the versioned ones and the tables other modules keep apart).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from framing.errors import StorageError
from framing.storage import url as database

#: the version this framing writes
CURRENT = 3

_metadata = sa.MetaData()
schema_table = sa.Table(
    "framing_schema",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
)


def table(name: str, metadata: sa.MetaData, *columns: sa.Column[Any]) -> sa.Table:
    """One of framing's tables. On MySQL/MariaDB it is ``utf8mb4`` (full Unicode: any
    language's answers, emoji) with a binary collation, so keys and ids (study names,
    hashes, sample ids) compare case-exact, as on PostgreSQL and SQLite."""
    return sa.Table(name, metadata, *columns, mysql_charset="utf8mb4",
                    mysql_collate="utf8mb4_bin")


#: a table framing has always created: its presence without ``framing_schema`` is v1
_FIRST_TABLE = "framing_responses"
#: text columns that were ``TEXT`` before version 2 (MySQL/MariaDB only)
_LONG_TEXT = (("framing_responses", "text"), ("framing_judgements", "reason"),
              ("framing_studies", "config"))


def _v1_to_v2(conn: Connection) -> None:
    """MySQL/MariaDB: TEXT → LONGTEXT (answers, judge reasons and study settings over
    64 KB). Nothing to change on SQLite and PostgreSQL, whose TEXT is unbounded."""
    if conn.dialect.name not in ("mysql", "mariadb"):
        return
    tables = set(sa.inspect(conn).get_table_names())
    for table, column in _LONG_TEXT:
        if table in tables:
            conn.execute(sa.text(
                f"ALTER TABLE {table} MODIFY {column} LONGTEXT "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"))


#: created by :mod:`framing.judging.calibration` when first used, not with the others
_CALIBRATIONS = "framing_calibrations"


def _v2_to_v3(conn: Connection) -> None:
    """MySQL/MariaDB: the calibrations table to ``utf8mb4_bin``. Before version 3 it was
    created without framing's charset and collation, so it took the database's default
    (e.g. ``utf8mb4_general_ci``): study names compared case-insensitively, and saving
    the calibration of study "Pilot" replaced that of "pilot". Converting again changes
    nothing; SQLite and PostgreSQL compare case-exact already."""
    if conn.dialect.name not in ("mysql", "mariadb"):
        return
    if _CALIBRATIONS in set(sa.inspect(conn).get_table_names()):
        conn.execute(sa.text(f"ALTER TABLE {_CALIBRATIONS} "
                             "CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))


#: version n → n + 1
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3}


def stored_version(engine: Engine) -> int | None:
    """The database's version of framing's tables (None: framing has no tables there)."""
    names = set(sa.inspect(engine).get_table_names())
    if schema_table.name not in names:
        return 1 if _FIRST_TABLE in names else None
    with engine.connect() as conn:
        version = conn.execute(sa.select(schema_table.c.version)).scalar()
    return 1 if version is None else int(version)


def prepare(engine: Engine, create: Callable[[], None], where: str) -> int:
    """Refuse a newer schema, migrate an older one, create what is missing (``create``)
    and stamp the version. Returns the version found (None counted as CURRENT)."""
    found = stored_version(engine)
    if found is not None and found > CURRENT:
        raise StorageError(
            f"storage {where}: framing's tables are at schema version {found}, written by a "
            f"newer framing (this one knows up to {CURRENT}); upgrade framing "
            "(pip install -U framing) to use this database")
    version = CURRENT if found is None else found
    while version < CURRENT:
        with engine.begin() as conn:
            MIGRATIONS[version](conn)
        version += 1
    create()
    _metadata.create_all(engine)
    with engine.begin() as conn:
        stamped = conn.execute(sa.select(schema_table.c.version)).scalar()
        if stamped is None:
            conn.execute(schema_table.insert().values(id=1, version=CURRENT))
        elif stamped < CURRENT:
            conn.execute(schema_table.update().values(version=CURRENT))
    return CURRENT if found is None else found


def create_tables(engine: Engine, tables: sa.MetaData, *, url: str | None = None,
                  versioned: bool = False, doing: str = "cannot use the database") -> None:
    """Create the missing tables of ``tables``, again when another worker creating them
    in a new database at the same moment won the race. ``versioned``: framing's main
    tables, whose schema version is checked, migrated and stamped too (:func:`prepare`).

    A database that refuses becomes a :class:`StorageError` saying ``doing`` and naming
    the (redacted) ``url``, by default the engine's."""
    where = url if url is not None else engine.url.render_as_string(hide_password=True)

    def create() -> None:
        if versioned:
            prepare(engine, lambda: tables.create_all(engine), database.redact(where))
        else:
            tables.create_all(engine)

    try:
        database.creating_schema(create)
    except SQLAlchemyError as e:
        raise database.unusable(where, e, doing) from None
