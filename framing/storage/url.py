"""The study database URL: validation, drivers, engine options and error messages (DESIGN §8).

One SQLAlchemy URL holds a whole workspace: SQLite by default, PostgreSQL or
MySQL/MariaDB for many workers on many machines. This module is the one place that
knows the dialects apart:

- ``postgresql://`` and ``postgres://`` mean psycopg 3 (the ``postgres`` extra);
  SQLAlchemy alone would pick psycopg2. ``mysql://`` and ``mariadb://`` mean PyMySQL
  (the ``mysql`` extra), always with the ``utf8mb4`` character set.
- A missing driver, an unreachable server, a missing database or a refused login
  become one :class:`StorageError` that names the (redacted) URL and what to check.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from framing.errors import ConfigError, StorageError

#: dialect -> (driver SQLAlchemy should use, module it imports, pip extra)
_DRIVERS: dict[str, tuple[str, str, str]] = {
    "postgresql": ("psycopg", "psycopg", "postgres"),
    "mysql": ("pymysql", "pymysql", "mysql"),
    "mariadb": ("pymysql", "pymysql", "mysql"),
}
#: drivers we know the module name of (an explicit ``+driver`` the user chose)
_MODULES = {"psycopg": "psycopg", "psycopg2": "psycopg2", "pymysql": "pymysql",
            "mysqldb": "MySQLdb", "mysqlconnector": "mysql.connector", "asyncpg": "asyncpg",
            "pg8000": "pg8000", "mariadbconnector": "mariadb", "pysqlite": "sqlite3"}
#: seconds to wait for a database server to accept a connection
CONNECT_TIMEOUT = 10
#: attempts at creating the tables when workers start together on a new database
SCHEMA_ATTEMPTS = 6

T = TypeVar("T")

EXAMPLES = ("sqlite:///studies/framing.db, postgresql://user@host/dbname or "
            "mysql+pymysql://user@host/dbname")


def check_url(url: str) -> str:
    """``url`` if it is a database URL framing can use; :class:`ConfigError` (exit 2) if not."""
    _parse(url)
    return url


def connect_url(url: str) -> str:
    """The URL SQLAlchemy should connect with: the driver made explicit (psycopg 3,
    PyMySQL) and, for MySQL/MariaDB, the ``utf8mb4`` character set."""
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "postgres":  # the Heroku-style spelling
        parsed = parsed.set(drivername="postgresql")
        backend = "postgresql"
    if backend in _DRIVERS and "+" not in parsed.drivername:
        parsed = parsed.set(drivername=f"{backend}+{_DRIVERS[backend][0]}")
    if backend in ("mysql", "mariadb") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed.render_as_string(hide_password=False)


def engine_options(url: str) -> dict[str, Any]:
    """Keyword arguments for ``create_engine`` (framing's and Optuna's engines alike)."""
    parsed = _parse(connect_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return {"connect_args": {"timeout": 60}}
    options: dict[str, Any] = {"pool_pre_ping": True}
    driver = parsed.get_driver_name()
    if driver in ("psycopg", "psycopg2", "pymysql", "mysqldb") and \
            "connect_timeout" not in parsed.query:
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    return options


def require_driver(url: str) -> None:
    """Import the URL's database driver now, with an install hint if it is missing."""
    parsed = _parse(connect_url(url))
    backend = parsed.get_backend_name()
    driver = parsed.get_driver_name()
    module = _MODULES.get(driver)
    if module is None:
        return
    try:
        __import__(module)
    except ImportError:
        extra = _DRIVERS.get(backend, ("", "", ""))[2]
        if extra and driver == _DRIVERS[backend][0]:
            hint = f"pip install 'framing[{extra}]'"
        else:
            hint = f"install the {driver} package"
        raise StorageError(
            f"storage {redact(url)}: the database driver {driver!r} is not installed: {hint}"
        ) from None


def creating_schema(action: Callable[[], T]) -> T:
    """Run ``action``, which creates missing tables, again when it lost a race with
    another worker creating the same tables in a new database at the same moment (on
    SQLite the loser may also be told "database is locked" at once: a read transaction
    that turns into a write while another connection writes gets no busy wait)."""
    from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

    for attempt in range(SCHEMA_ATTEMPTS):
        try:
            return action()
        except (IntegrityError, ProgrammingError, OperationalError) as e:
            text = str(e).lower()
            raced = isinstance(e, IntegrityError) or "already exists" in text \
                or "duplicate" in text or "database is locked" in text
            if not raced or attempt == SCHEMA_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
    raise AssertionError("unreachable")


def redact(url: str) -> str:
    """The URL with any password hidden, for messages, logs and stored metadata."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: hide whatever sits before an "@"
        return re.sub(r"(://[^/@]*?:)[^/@]*@", r"\1***@", url)


def is_sqlite(url: str) -> bool:
    return url.strip().lower().startswith("sqlite")


def unusable(url: str, error: BaseException,
             doing: str = "cannot use the database") -> StorageError:
    """A :class:`StorageError` for a database that refused us: the redacted URL, the
    driver's first line, and what to check."""
    first = _first_line(error)
    if is_sqlite(url):
        check = ("check that the folder exists and is writable and that the file is a "
                 "SQLite database")
    else:
        check = ("check that the server is running and reachable from this machine, that "
                 "the database exists (framing creates its tables, not the database) and "
                 "that the user name and password are right")
    return StorageError(f"storage {redact(url)}: {doing}: {first}; {check}")


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else type(error).__name__)[:300]


def _parse(url: str) -> Any:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = url.strip() if isinstance(url, str) else ""
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):
        raise ConfigError(f"storage.url: {redact(text)!r} is not a database URL; "
                          f"use e.g. {EXAMPLES}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql", "postgres", "mysql", "mariadb"):
        raise ConfigError(f"storage.url: {redact(text)!r}: framing supports SQLite, "
                          f"PostgreSQL and MySQL/MariaDB; use e.g. {EXAMPLES}")
    if backend != "sqlite" and not parsed.database:
        raise ConfigError(f"storage.url: {redact(text)!r} names no database; add "
                          "/DBNAME at the end, e.g. postgresql://user@host/framing")
    return parsed
