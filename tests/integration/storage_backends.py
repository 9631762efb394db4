"""Fresh study databases on the real servers on loopback, for the storage and worker tests.

``fresh_database(kind, tmp_path)`` yields the URL of a new, uniquely named database
(dropped afterwards), so the tests can run twice and side by side. PostgreSQL and
MariaDB are reached through the URLs in ``FRAMING_TEST_POSTGRES`` and
``FRAMING_TEST_MYSQL`` (defaults: the loopback servers that ``scripts/test-services.sh``
starts, as their superusers, on the ``framing_test`` databases); a server that does not
answer skips the test with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES = os.environ.get("FRAMING_TEST_POSTGRES",
                          "postgresql://postgres@127.0.0.1:5432/framing_test")
MYSQL = os.environ.get("FRAMING_TEST_MYSQL", "mysql+pymysql://root@127.0.0.1:3306/framing_test")
KINDS = ("sqlite", "postgresql", "mysql")
SERVERS = ("postgresql", "mysql")


def _admin_engine(url: str) -> sa.Engine:
    from framing.storage.url import connect_url, engine_options

    return sa.create_engine(connect_url(url), isolation_level="AUTOCOMMIT",
                            **engine_options(url))


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A new empty database of ``kind``; skips when its server is not reachable."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'framing.db'}"
        return
    base = POSTGRES if kind == "postgresql" else MYSQL
    name = f"framing_t_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine(base)
    try:
        with engine.connect() as conn:
            if kind == "postgresql":
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    except Exception as e:  # the server is not there: say which and why
        engine.dispose()
        from framing.storage.url import redact

        first = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        pytest.skip(f"{kind} server not reachable at {redact(base)} ({first}); "
                    "scripts/test-services.sh starts it")
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with engine.connect() as conn:
            if kind == "postgresql":
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        engine.dispose()


def count_rows(url: str, table: str) -> int:
    from framing.storage.url import connect_url, engine_options

    engine = sa.create_engine(connect_url(url), **engine_options(url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()
