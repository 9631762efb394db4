"""Database outages on demand, for the outage tests and ``benchmarks/outage.py``.

:class:`PostgresOutage` makes one PostgreSQL database unreachable for a while: it refuses
new connections (``ALLOW_CONNECTIONS false``) and terminates every backend connected to
it, again and again; then it lets connections in again. :class:`MariaDBOutage` kills
every connection to one MariaDB database, again and again.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from framing.storage.url import connect_url, engine_options


class PostgresOutage:
    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        self.database = parsed.database
        # an administrator's connection to the server's maintenance database
        admin = parsed.set(database="postgres").render_as_string(hide_password=False)
        self.engine = sa.create_engine(connect_url(admin), isolation_level="AUTOCOMMIT",
                                       **engine_options(admin))
        self.terminated = 0
        self.seconds = 0.0

    def run(self, seconds: float, every: float = 0.1) -> None:
        """Keep the database unreachable for ``seconds`` (blocking)."""
        name = self.database
        started = time.monotonic()
        with self.engine.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            try:
                while time.monotonic() - started < seconds:
                    killed = conn.execute(sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"),
                        {"name": name}).all()
                    self.terminated += len(killed)
                    time.sleep(every)
            finally:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        self.seconds += time.monotonic() - started

    def start(self, seconds: float) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(seconds,), daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.engine.dispose()


class MariaDBOutage:
    """Kills every connection to one MariaDB/MySQL database, again and again, for a while
    (MariaDB cannot refuse connections to one database, so new ones live until the next
    round, every ``every`` seconds)."""

    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        self.database = parsed.database
        admin = parsed.set(database="mysql").render_as_string(hide_password=False)
        self.engine = sa.create_engine(connect_url(admin), isolation_level="AUTOCOMMIT",
                                       **engine_options(admin))
        self.terminated = 0
        self.seconds = 0.0

    def run(self, seconds: float, every: float = 0.05) -> None:
        started = time.monotonic()
        with self.engine.connect() as conn:
            while time.monotonic() - started < seconds:
                ids = conn.execute(sa.text(
                    "SELECT id FROM information_schema.processlist "
                    "WHERE db = :name AND id <> CONNECTION_ID()"),
                    {"name": self.database}).scalars().all()
                for pid in ids:
                    try:
                        conn.execute(sa.text(f"KILL CONNECTION {int(pid)}"))
                        self.terminated += 1
                    except sa.exc.DBAPIError:
                        pass  # it ended on its own meanwhile
                time.sleep(every)
        self.seconds += time.monotonic() - started

    def close(self) -> None:
        self.engine.dispose()


def outage_for(kind: str, url: str) -> PostgresOutage | MariaDBOutage:
    return PostgresOutage(url) if kind == "postgresql" else MariaDBOutage(url)


def count_rows_or_zero(url: str, table: str) -> int:
    """Rows in ``table`` (0 while the table does not exist yet)."""
    engine = sa.create_engine(connect_url(url), **engine_options(url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()
