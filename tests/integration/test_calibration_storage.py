"""Calibrations stored with a study: keyed case-exact on every database. On MySQL/MariaDB
a table left at the database's default collation (case-insensitive) let the calibration of
study "Pilot" replace that of study "pilot"; framing's tables are utf8mb4_bin, and a
database written before the calibrations table was is migrated to it."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
import sqlalchemy as sa
from storage_backends import KINDS, fresh_database

from framing.judging.calibration import (
    Calibration,
    SubsetCalibration,
    load_calibration,
    save_calibration,
)
from framing.stats import Rate
from framing.storage import schema
from framing.storage.tables import Store, make_engine

pytestmark = pytest.mark.integration
STUDIES = ("Pilot", "pilot", "pilote-é")


def calibration(study: str, k: int) -> Calibration:
    """A calibration of judge "j" whose counts tell the studies apart."""
    subset = SubsetCalibration("borderline", Rate.of(k, 10), Rate.of(k + 1, 10), k)
    return Calibration(study, "j", "rules", "labels.jsonl",
                       MappingProxyType({"borderline": subset}), 1.0)


def counts(cal: Calibration | None) -> tuple[int, int, int]:
    assert cal is not None
    sub = cal.subsets["borderline"]
    return sub.sensitivity.k, sub.specificity.k, sub.undetermined


@pytest.mark.parametrize("kind", KINDS)
def test_calibrations_of_studies_differing_in_case_are_kept_apart(
        kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        store = Store(url)
        try:
            for k, study in enumerate(STUDIES, start=1):
                save_calibration(store, calibration(study, k))
            for k, study in enumerate(STUDIES, start=1):
                assert counts(load_calibration(store, study, "j")) == (k, k + 1, k), study
        finally:
            store.close()


def create_version_2_calibrations(url: str) -> None:
    """A database at schema version 2 whose calibrations table an earlier framing created
    without a collation (on MySQL/MariaDB: the database's default, case-insensitive), with
    one stored calibration."""
    Store(url).close()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(schema.schema_table.update().values(version=2))
    old = sa.MetaData()
    table = sa.Table(
        "framing_calibrations", old,
        sa.Column("study", sa.String(200), primary_key=True),
        sa.Column("judge", sa.String(64), primary_key=True),
        sa.Column("subset", sa.String(16), primary_key=True),
        sa.Column("judge_kind", sa.String(16), nullable=False),
        sa.Column("labels", sa.String(500), nullable=False),
        sa.Column("sens_k", sa.Integer, nullable=False),
        sa.Column("sens_n", sa.Integer, nullable=False),
        sa.Column("spec_k", sa.Integer, nullable=False),
        sa.Column("spec_n", sa.Integer, nullable=False),
        sa.Column("undetermined", sa.Integer, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert().values(
            study="pilot", judge="j", subset="borderline", judge_kind="rules",
            labels="labels.jsonl", sens_k=7, sens_n=10, spec_k=8, spec_n=10,
            undetermined=7, created=1.0))
    engine.dispose()


def table_collation(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT TABLE_COLLATION FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'framing_calibrations'"
            )).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", KINDS)
def test_a_version_2_calibrations_table_is_migrated(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        create_version_2_calibrations(url)
        if kind == "mysql":  # the situation of the bug: the database's default collation
            assert table_collation(url) != "utf8mb4_bin"
        store = Store(url)
        try:
            assert schema.stored_version(store.engine) == schema.CURRENT
            if kind == "mysql":
                assert table_collation(url) == "utf8mb4_bin"
            assert counts(load_calibration(store, "pilot", "j")) == (7, 8, 7)  # kept
            save_calibration(store, calibration("Pilot", 1))
            assert counts(load_calibration(store, "Pilot", "j")) == (1, 2, 1)
            assert counts(load_calibration(store, "pilot", "j")) == (7, 8, 7)
        finally:
            store.close()
        Store(url).close()  # opening a migrated database again changes nothing
        engine = make_engine(url)
        assert schema.stored_version(engine) == schema.CURRENT
        engine.dispose()
        if kind == "mysql":
            assert table_collation(url) == "utf8mb4_bin"
