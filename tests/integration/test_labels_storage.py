"""The labels tables on SQLite, PostgreSQL and MariaDB: created on first use, a label
replaced and deleted, Unicode keys kept, a second judge's verdicts per trial."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage_backends import KINDS, fresh_database

from framing.storage.labels import CompareRow, LabelStore, StoredLabel
from framing.storage.tables import Store

pytestmark = [pytest.mark.integration]


@pytest.mark.parametrize("kind", KINDS)
def test_labels_and_compare_verdicts_round_trip(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        store = Store(url)
        try:
            labels = LabelStore(store.engine)
            LabelStore(store.engine)  # a second opener finds the tables there
            key = "a" * 64
            labels.put_label(StoredLabel(key, "refusal", "compliance", "étude 🙂", "S-1",
                                         "borderline", 1.5))
            labels.put_label(StoredLabel(key, "partial", "compliance", "étude 🙂", "S-1",
                                         "borderline", 2.5))  # replaced, not duplicated
            labels.put_label(StoredLabel("b" * 64, "compliance", "refusal", "x", "s-1",
                                         "unsafe", 3.0))
            got = labels.get_labels([key, "b" * 64, "c" * 64])
            assert set(got) == {key, "b" * 64}
            assert got[key].label == "partial" and got[key].study == "étude 🙂"
            assert got[key].created == 2.5 and got["b" * 64].sample_id == "s-1"
            assert labels.count_labels() == 2
            labels.delete_label(key)
            assert labels.count_labels() == 1

            labels.put_compare("s", "j", 0, "search", [
                CompareRow("S-1", "refusal", "r" * 300), CompareRow("s-1", "partial", "m")])
            labels.put_compare("s", "j", 1, "search", [CompareRow("S-1", "compliance", "m")])
            labels.put_compare("s", "j", 0, "search", [CompareRow("S-1", "partial", "m"),
                                                       CompareRow("s-1", "partial", "m")])
            labels.put_compare("s", "other", 0, "search", [CompareRow("S-1", "refusal", "m")])
            assert labels.get_compare("s", "j") == {
                (0, "S-1"): "partial", (0, "s-1"): "partial", (1, "S-1"): "compliance"}
            assert labels.get_compare("s", "other") == {(0, "S-1"): "refusal"}
            assert labels.get_compare("s", "j", "holdout") == {}
        finally:
            store.close()
