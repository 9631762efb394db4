"""Storage that evolves (issue #13): framing's tables carry a schema version; an older
database is migrated, a newer one refused. On SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from storage_backends import KINDS, fresh_database

from framing.errors import StorageError
from framing.storage import schema
from framing.storage.tables import Store, make_engine
from framing.targets.base import Response

pytestmark = pytest.mark.integration
LONG = "x" * 70_000  # over MySQL TEXT's 64 KB


def create_version_1(url: str) -> None:
    """framing's tables as an earlier framing created them: plain TEXT columns (MySQL's
    64 KB TEXT) and no framing_schema table; one stored answer."""
    engine = make_engine(url)
    old = sa.MetaData()
    responses = sa.Table(
        "framing_responses", old,
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("target", sa.String(64), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("finish_reason", sa.String(64)),
        sa.Column("blocked", sa.String(200)),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("latency", sa.Double, nullable=False),
        sa.Column("raw_status", sa.Integer),
        sa.Column("created", sa.Double, nullable=False),
        mysql_charset="utf8mb4", mysql_collate="utf8mb4_bin")
    sa.Table("framing_judgements", old,
             sa.Column("key", sa.String(64), primary_key=True),
             sa.Column("verdict", sa.String(16), nullable=False),
             sa.Column("reason", sa.Text, nullable=False),
             sa.Column("created", sa.Double, nullable=False),
             mysql_charset="utf8mb4", mysql_collate="utf8mb4_bin")
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(responses.insert().values(
            key="old", target="t", text="an answer from before", input_tokens=1,
            output_tokens=2, latency=0.1, created=1.0))
    engine.dispose()


@pytest.mark.parametrize("kind", KINDS)
def test_an_older_schema_is_migrated(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        create_version_1(url)
        engine = make_engine(url)
        assert schema.stored_version(engine) == 1
        store = Store(url)
        try:
            assert schema.stored_version(engine) == schema.CURRENT
            assert store.get_responses(["old"])["old"].text == "an answer from before"
            # what version 1 could not hold on MySQL: an answer over 64 KB, kept whole
            store.put_responses({"long": ("t", Response(text=LONG))})
            assert store.get_responses(["long"])["long"].text == LONG
            store.put_judgement("j", "refusal", LONG)
            assert store.get_judgement("j") == ("refusal", LONG)
        finally:
            store.close()
            engine.dispose()
        Store(url).close()  # opening a migrated database again changes nothing
        engine = make_engine(url)
        assert schema.stored_version(engine) == schema.CURRENT
        engine.dispose()


@pytest.mark.parametrize("kind", KINDS)
def test_a_newer_schema_is_refused(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        Store(url).close()
        engine = make_engine(url)
        newer = schema.CURRENT + 1
        with engine.begin() as conn:
            conn.execute(schema.schema_table.update().values(version=newer))
        with pytest.raises(StorageError, match=rf"schema version {newer}, written by a newer "
                                               r"framing .*upgrade framing"):
            Store(url)
        with engine.connect() as conn:  # refused without writing anything
            assert conn.execute(sa.select(schema.schema_table.c.version)).scalar() == newer
        engine.dispose()


def test_a_new_database_is_stamped_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    Store(url).close()
    engine = make_engine(url)
    assert schema.stored_version(engine) == schema.CURRENT
    engine.dispose()
