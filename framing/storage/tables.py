"""Per-sample results and the response cache, next to Optuna's tables (DESIGN §8).

One SQLAlchemy URL holds a whole workspace. Writes are small and committed as they
arrive, so an interrupted study loses at most the calls in flight. Inserts ignore
duplicates, so two workers racing on the same call store it once.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from framing.calls import Response, Usage
from framing.errors import StorageError
from framing.storage import schema, secrets
from framing.storage import url as database

metadata = sa.MetaData()

#: unbounded text: MySQL's TEXT holds only 64 KB (and INSERT IGNORE would cut it silently)
LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")

responses = schema.table(
    "framing_responses",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("target", sa.String(64), nullable=False, index=True),
    sa.Column("text", LongText, nullable=False),
    sa.Column("finish_reason", sa.String(64)),
    sa.Column("blocked", sa.String(200)),
    sa.Column("input_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("output_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("latency", sa.Double, nullable=False, default=0.0),
    sa.Column("raw_status", sa.Integer),
    sa.Column("created", sa.Double, nullable=False),
)

results = schema.table(
    "framing_results",
    metadata,
    sa.Column("study", sa.String(200), primary_key=True),
    sa.Column("trial", sa.Integer, primary_key=True),
    sa.Column("split", sa.String(16), primary_key=True),
    sa.Column("sample_id", sa.String(200), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("subset", sa.String(16), nullable=False),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("rule", sa.String(200), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("cache_key", sa.String(64)),
    sa.Column("label", sa.String(16)),
)

judgements = schema.table(
    "framing_judgements",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("reason", LongText, nullable=False),
    sa.Column("created", sa.Double, nullable=False),
)

studies = schema.table(
    "framing_studies",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("config", LongText, nullable=False),
    sa.Column("identity", sa.String(64), nullable=False),
    sa.Column("created", sa.Double, nullable=False),
)

#: which trial evaluates a framing (one row per study and framing): the first worker to
#: insert the row runs it; the others see who does (framing.search.workers). Rows keyed by a
#: lease name hold study-wide jobs instead (trial = the holder's token).
claims = schema.table(
    "framing_claims",
    metadata,
    sa.Column("study", sa.String(200), primary_key=True),
    sa.Column("framing", sa.String(64), primary_key=True),
    sa.Column("trial", sa.Integer, nullable=False),
    sa.Column("created", sa.Double, nullable=False),
)


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One stored verdict of one trial on one sample (``trial`` and ``split`` are set on
    rows read back; :meth:`Store.put_results` takes them from its arguments)."""

    sample_id: str
    position: int
    subset: str
    verdict: str
    rule: str
    source: str
    cache_key: str | None
    label: str | None = None
    trial: int = -1
    split: str = "search"


def prepare_sqlite_path(url: str) -> None:
    """Create the folder of a file-backed SQLite URL (``sqlite:///studies/framing.db``)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def redact_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return database.redact(url)


def make_engine(url: str) -> Engine:
    """An engine for the study database (psycopg 3 / PyMySQL drivers made explicit)."""
    database.require_driver(url)
    target = database.connect_url(url)
    try:
        prepare_sqlite_path(url)
        parsed = sa.engine.make_url(target)
        if parsed.get_backend_name() == "sqlite":
            engine = sa.create_engine(target, **database.engine_options(url))

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn: Any, _: Any) -> None:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

            return engine
        return sa.create_engine(target, **database.engine_options(url))
    except (SQLAlchemyError, ImportError, ValueError, OSError) as e:
        raise database.unusable(url, e, "cannot open") from None


class Store:
    """Framing's own tables in the study database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        try:
            # framing's tables at the current schema version (older ones are migrated)
            schema.create_tables(self.engine, metadata, url=url, versioned=True)
        except StorageError:  # refused, or a schema newer than this framing
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    # -- response cache -------------------------------------------------------------

    def get_responses(self, keys: Sequence[str]) -> dict[str, Response]:
        found: dict[str, Response] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(keys), 500):
                rows = conn.execute(sa.select(responses).where(responses.c.key.in_(chunk)))
                for row in rows:
                    found[row.key] = Response(
                        text=row.text,
                        finish_reason=row.finish_reason,
                        usage=Usage(row.input_tokens, row.output_tokens),
                        latency=row.latency,
                        raw_status=row.raw_status,
                        blocked=row.blocked,
                    )
        return found

    def put_responses(self, items: Mapping[str, tuple[str, Response]]) -> int:
        """Store ``key -> (target hash, response)``; returns how many were new."""
        if not items:
            return 0
        now = time.time()
        rows = [
            {
                "key": key,
                "target": target,
                "text": r.text,
                "finish_reason": _clip(r.finish_reason, responses.c.finish_reason),
                "blocked": _clip(r.blocked, responses.c.blocked),
                "input_tokens": r.usage.input_tokens,
                "output_tokens": r.usage.output_tokens,
                "latency": r.latency,
                "raw_status": r.raw_status,
                "created": now,
            }
            for key, (target, r) in items.items()
        ]
        return self._insert_ignore(responses, rows)

    # -- judgements cache ------------------------------------------------------------

    def get_judgement(self, key: str) -> tuple[str, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(judgements).where(judgements.c.key == key)).first()
        return (row.verdict, row.reason) if row else None

    def put_judgement(self, key: str, verdict: str, reason: str) -> None:
        self._insert_ignore(
            judgements, [{"key": key, "verdict": verdict, "reason": secrets.scrub(reason),
                          "created": time.time()}]
        )

    # -- per-sample results -----------------------------------------------------------

    def put_results(self, study: str, trial: int, split: str, rows: Iterable[ResultRow]) -> None:
        """Replace the stored results of one trial and split."""
        payload = [{"study": study, "trial": trial, "split": split, **_row_dict(r)} for r in rows]
        with self.engine.begin() as conn:
            conn.execute(
                results.delete().where(
                    (results.c.study == study) & (results.c.trial == trial)
                    & (results.c.split == split)
                )
            )
            if payload:
                conn.execute(results.insert(), payload)

    def get_results(self, study: str, trial: int | None = None,
                    split: str = "search") -> list[ResultRow]:
        """Stored verdicts of a study's split (all trials, or one), in trial and sample
        order."""
        query = sa.select(results).where((results.c.study == study) & (results.c.split == split))
        if trial is not None:
            query = query.where(results.c.trial == trial)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(results.c.trial, results.c.position))
            return [ResultRow(sample_id=r.sample_id, position=r.position, subset=r.subset,
                              verdict=r.verdict, rule=r.rule, source=r.source,
                              cache_key=r.cache_key, label=r.label, trial=r.trial,
                              split=r.split) for r in rows]

    def count_responses(self) -> int:
        """How many answers the cache holds (every paid call, stored once)."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(responses))
                       .scalar_one())

    def response_texts(self, keys: Sequence[str]) -> dict[str, str]:
        return {k: r.text for k, r in self.get_responses(keys).items()}

    # -- studies -------------------------------------------------------------------------

    def register_study(self, name: str, config: Mapping[str, Any], identity: str) -> str | None:
        """Record a study's config; returns the identity already stored, if any."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(studies).where(studies.c.name == name)).first()
            if row is not None:
                return str(row.identity)
        self._insert_ignore(
            studies,
            [{"name": name, "config": json.dumps(config, sort_keys=True), "identity": identity,
              "created": time.time()}],
        )
        return None

    def study_identity(self, name: str) -> str | None:
        """The identity a study was registered with (None: not registered); reads only."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(studies.c.identity)
                               .where(studies.c.name == name)).first()
        return str(row.identity) if row is not None else None

    def study_config(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(studies.c.config).where(studies.c.name == name)).first()
        return json.loads(row.config) if row else None

    # -- framing claims (framing.search.workers) -------------------------------------------------

    def claim_framing(self, study: str, framing: str, trial: int) -> int:
        """Claim ``framing`` for ``trial`` unless claimed; returns the claiming trial."""
        self._insert_ignore(claims, [{"study": study, "framing": framing, "trial": trial,
                                      "created": time.time()}])
        with self.engine.connect() as conn:
            owner = conn.execute(sa.select(claims.c.trial).where(
                (claims.c.study == study) & (claims.c.framing == framing))).scalar_one()
        return int(owner)

    def take_over_framing(self, study: str, framing: str, old: int, new: int) -> bool:
        """Move a claim from trial ``old`` (which ended without a result) to ``new``;
        False if another worker moved it first."""
        with self.engine.begin() as conn:
            result = conn.execute(
                claims.update()
                .where((claims.c.study == study) & (claims.c.framing == framing)
                       & (claims.c.trial == old))
                .values(trial=new, created=time.time())
            )
        return result.rowcount == 1

    # -- leases: one worker at a time does a study-wide job (framing.search.workers) -------------

    def acquire_lease(self, study: str, name: str, token: int, expired_before: float) -> bool:
        """Hold the lease ``name`` with ``token`` if it is free or expired (not renewed
        since ``expired_before``, a time.time())."""
        key = _lease_key(name)
        where = (claims.c.study == study) & (claims.c.framing == key)
        for _ in range(3):
            self._insert_ignore(claims, [{"study": study, "framing": key, "trial": token,
                                          "created": time.time()}])
            with self.engine.begin() as conn:
                conn.execute(claims.update().where(where & (claims.c.created < expired_before))
                             .values(trial=token, created=time.time()))
                holder = conn.execute(sa.select(claims.c.trial).where(where)).scalar()
            if holder is not None:
                return int(holder) == token
            # the holder released it between our insert and our read: free again, try again
        return False

    def renew_lease(self, study: str, name: str, token: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(claims.update().where(
                (claims.c.study == study) & (claims.c.framing == _lease_key(name))
                & (claims.c.trial == token)).values(created=time.time()))

    def release_lease(self, study: str, name: str, token: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(claims.delete().where(
                (claims.c.study == study) & (claims.c.framing == _lease_key(name))
                & (claims.c.trial == token)))

    # -- helpers --------------------------------------------------------------------------

    def _insert_ignore(self, table: sa.Table, rows: list[dict[str, Any]]) -> int:
        """Insert the rows whose key is new; returns how many were (a row already there
        was stored by another worker or an earlier run)."""
        dialect = self.engine.dialect.name
        stmt: Any
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(table).on_conflict_do_nothing()
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            # psycopg's batched executemany reports no row count: count what RETURNING gives
            stmt = pg_insert(table).on_conflict_do_nothing().returning(
                *table.primary_key.columns)
            with self.engine.begin() as conn:
                return len(conn.execute(stmt, rows).all())
        else:
            stmt = table.insert().prefix_with("IGNORE")
        with self.engine.begin() as conn:
            result = conn.execute(stmt, rows)
        return max(result.rowcount, 0)


def _row_dict(r: ResultRow) -> dict[str, Any]:
    return {
        "sample_id": r.sample_id,
        "position": r.position,
        "subset": r.subset,
        "verdict": r.verdict,
        "rule": _clip(secrets.scrub(r.rule), results.c.rule),  # error reasons quote servers
        "source": r.source,
        "cache_key": r.cache_key,
        "label": r.label,
    }


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _lease_key(name: str) -> str:
    return hashlib.sha256(f"lease:{name}".encode()).hexdigest()


def _clip(text: str | None, column: sa.Column[Any]) -> Any:
    """Text cut to a VARCHAR column's length (PostgreSQL and MySQL refuse longer values)."""
    length = getattr(column.type, "length", None)
    if text is None or length is None or len(text) <= length:
        return text
    return text[: length - 1] + "…"
