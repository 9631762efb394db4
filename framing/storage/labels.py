"""The researcher's labels and a second judge's verdicts in the study database.

Both tables and every query on them live here, so the module can move as one piece.

- ``framing_labels``: one row per *response content* (:func:`framing.labels.label_key`:
  a hash of the request, the response text and the image bytes), so a second study that
  got the same answer to the same request reuses the label. It keeps when the label was
  given and what the labelling study's judge had said (``verdict``), for the record.
- ``framing_compare_verdicts``: a study's second judge (``[judge.compare]``) on each
  stored result, keyed like ``framing_results`` plus the second judge's identity (so a
  changed second judge never reads the verdicts of the one before).

The tables are created on first use (``checkfirst``), on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from framing.storage import schema

__all__ = ["CompareRow", "LabelStore", "StoredLabel", "compare_verdicts", "labels"]

_metadata = sa.MetaData()

labels = schema.table(
    "framing_labels",
    _metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("label", sa.String(16), nullable=False),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("study", sa.String(200), nullable=False),
    sa.Column("sample_id", sa.String(200), nullable=False),
    sa.Column("subset", sa.String(16), nullable=False),
    sa.Column("created", sa.Double, nullable=False),
)

compare_verdicts = schema.table(
    "framing_compare_verdicts",
    _metadata,
    sa.Column("study", sa.String(200), primary_key=True),
    sa.Column("judge", sa.String(64), primary_key=True),
    sa.Column("trial", sa.Integer, primary_key=True),
    sa.Column("split", sa.String(16), primary_key=True),
    sa.Column("sample_id", sa.String(200), primary_key=True),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("rule", sa.String(200), nullable=False),
)


@dataclass(frozen=True, slots=True)
class StoredLabel:
    """The researcher's label of one response."""

    key: str
    label: str
    #: what the labelling study's judge said when the label was given
    verdict: str
    study: str
    sample_id: str
    subset: str
    created: float


@dataclass(frozen=True, slots=True)
class CompareRow:
    """The second judge's verdict on one stored result."""

    sample_id: str
    verdict: str
    rule: str


class LabelStore:
    """Labels and second-judge verdicts over an engine (a
    :class:`framing.storage.tables.Store`'s)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        schema.create_tables(engine, _metadata, doing="cannot create the labels tables")

    # -- labels ---------------------------------------------------------------------------

    def put_label(self, label: StoredLabel) -> None:
        """Store (replace) the label of one response."""
        row = {"key": label.key, "label": label.label, "verdict": label.verdict,
               "study": label.study[:200], "sample_id": label.sample_id[:200],
               "subset": label.subset, "created": label.created}
        with self.engine.begin() as conn:
            conn.execute(labels.delete().where(labels.c.key == label.key))
            conn.execute(labels.insert(), [row])

    def delete_label(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(labels.delete().where(labels.c.key == key))

    def get_labels(self, keys: Iterable[str]) -> dict[str, StoredLabel]:
        """The stored labels of these response keys (absent keys are not labelled)."""
        found: dict[str, StoredLabel] = {}
        wanted = list(dict.fromkeys(keys))
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), 500):
                rows = conn.execute(sa.select(labels).where(labels.c.key.in_(wanted[i:i + 500])))
                for r in rows:
                    found[r.key] = StoredLabel(r.key, r.label, r.verdict, r.study, r.sample_id,
                                               r.subset, r.created)
        return found

    def count_labels(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(labels)).scalar_one())

    # -- second judge ------------------------------------------------------------------------

    def put_compare(self, study: str, judge: str, trial: int, split: str,
                    rows: Sequence[CompareRow]) -> None:
        """Replace the verdicts of the second judge ``judge`` (its identity) on one trial
        and split."""
        where = ((compare_verdicts.c.study == study) & (compare_verdicts.c.judge == judge)
                 & (compare_verdicts.c.trial == trial) & (compare_verdicts.c.split == split))
        payload = [{"study": study, "judge": judge, "trial": trial, "split": split,
                    "sample_id": r.sample_id, "verdict": r.verdict, "rule": r.rule[:200]}
                   for r in rows]
        with self.engine.begin() as conn:
            conn.execute(compare_verdicts.delete().where(where))
            if payload:
                conn.execute(compare_verdicts.insert(), payload)

    def get_compare(self, study: str, judge: str, split: str = "search"
                    ) -> dict[tuple[int, str], str]:
        """``(trial, sample id) -> verdict`` of the second judge ``judge``."""
        query = sa.select(compare_verdicts.c.trial, compare_verdicts.c.sample_id,
                          compare_verdicts.c.verdict).where(
            (compare_verdicts.c.study == study) & (compare_verdicts.c.judge == judge)
            & (compare_verdicts.c.split == split))
        with self.engine.connect() as conn:
            return {(int(r.trial), r.sample_id): r.verdict for r in conn.execute(query)}
