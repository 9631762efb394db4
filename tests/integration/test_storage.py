"""The study database on SQLite, PostgreSQL and MariaDB: types, insert-ignore counts,
claims, the trial budget, and clear errors for databases that cannot be used."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import optuna
import pytest
import sqlalchemy as sa
from optuna.trial import TrialState
from storage_backends import KINDS, MYSQL, fresh_database

from framing.search.workers import (
    ATTR_OVER_BUDGET,
    ATTR_SKIPPED_FOR,
    Coordinator,
    retry_stale_trial,
)
from framing.storage.optuna_studies import make_storage
from framing.storage.tables import ResultRow, Store
from framing.storage.url import connect_url, engine_options
from framing.targets.base import Response, Usage

pytestmark = [pytest.mark.integration,
              pytest.mark.filterwarnings("ignore:Heartbeat of storage")]


def response(text: str, blocked: str | None = None) -> Response:
    return Response(text=text, finish_reason="stop", usage=Usage(3, 4), latency=0.25,
                    raw_status=200, blocked=blocked)


def framing(*args: str) -> tuple[str, ...]:
    process = subprocess.run([sys.executable, "-m", "framing", *args], capture_output=True,
                             text=True, timeout=120)
    return str(process.returncode), process.stdout, process.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_long_and_unicode_answers_survive_and_inserts_count(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        store = Store(url)
        other = Store(url)  # a second worker's connection
        try:
            long = "long answer " * 20_000  # 240 KB: more than MySQL's TEXT holds
            items = {"a" * 64: ("t", response(long)), "b" * 64: ("t", response("🙂 ünïcode")),
                     "c" * 64: ("t", response("x", blocked="policy " * 100))}
            assert store.put_responses(items) == 3
            # the same keys again from another worker: nothing new, one new key counted
            again = {**items, "d" * 64: ("t", response("new"))}
            assert other.put_responses(again) == 1
            got = other.get_responses(list(again))
            assert got["a" * 64].text == long
            assert got["b" * 64].text == "🙂 ünïcode"
            assert len(got["c" * 64].blocked or "") <= 200
            assert got["a" * 64].usage == Usage(3, 4)
            assert store.count_responses() == 4

            rows = [ResultRow("Sample-1", 0, "unsafe", "error", "error:" + "x" * 500, "target",
                              None),
                    ResultRow("sample-1", 1, "borderline", "refusal", "rule", "rules", "a" * 64)]
            store.put_results("s", 0, "search", rows)  # ids differing in case stay apart
            stored = store.get_results("s", 0)
            assert [r.sample_id for r in stored] == ["Sample-1", "sample-1"]
            assert len(stored[0].rule) <= 200
        finally:
            store.close()
            other.close()


@pytest.mark.parametrize("kind", KINDS)
def test_framing_claims_go_to_the_first_trial(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        store = Store(url)
        try:
            assert store.claim_framing("s", "f" * 64, 3) == 3
            assert store.claim_framing("s", "f" * 64, 4) == 3
            assert store.claim_framing("other", "f" * 64, 5) == 5  # per study
            assert store.take_over_framing("s", "f" * 64, 3, 4)
            assert not store.take_over_framing("s", "f" * 64, 3, 6)  # moved already
            assert store.claim_framing("s", "f" * 64, 7) == 4
        finally:
            store.close()


def test_a_lease_released_while_another_worker_asks_for_it_is_taken(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The holder releases the lease between the asker's insert (ignored: it was held) and
    its read: the asker finds no holder, asks again and holds it (it once failed with
    "No row was found when one was required" and stopped a worker)."""
    store = Store(f"sqlite:///{tmp_path / 'framing.db'}")
    try:
        assert store.acquire_lease("s", "holdout", 1, expired_before=0.0)
        insert = store._insert_ignore
        released: list[bool] = []

        def insert_then_release(*args: object, **kwargs: object) -> int:
            done = insert(*args, **kwargs)  # type: ignore[arg-type]
            if not released:
                released.append(True)
                store.release_lease("s", "holdout", 1)
            return done

        monkeypatch.setattr(store, "_insert_ignore", insert_then_release)
        assert store.acquire_lease("s", "holdout", 2, expired_before=0.0)
        assert not store.acquire_lease("s", "holdout", 3, expired_before=0.0)
    finally:
        store.close()


@contextmanager
def two_workers(url: str) -> Iterator[tuple[optuna.Study, optuna.Study, Store]]:
    """Two handles on one study, as two workers have them."""
    storages = [make_storage(connect_url(url), heartbeat=1, grace=3,
                             engine_kwargs=engine_options(url),
                             stale_trial_callback=retry_stale_trial) for _ in range(2)]
    store = Store(url)
    try:
        a, b = (optuna.create_study(study_name="s", storage=s, load_if_exists=True,
                                    directions=["minimize", "minimize"]) for s in storages)
        yield a, b, store
    finally:
        store.close()
        for s in storages:
            s.engine.dispose()


@pytest.mark.parametrize("kind", KINDS)
def test_two_workers_asking_for_the_last_trial_run_one(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url, two_workers(url) as (a, b, store):
        ca = Coordinator(a, store, "s", heartbeat=1, grace=3, on_event=lambda e: None)
        cb = Coordinator(b, store, "s", heartbeat=1, grace=3, on_event=lambda e: None)
        # both saw room for one more trial and asked
        ta, tb = a.ask(), b.ask()
        assert ca.admit(ta, 1)
        assert not cb.admit(tb, 1)
        assert b.get_trials()[tb.number].state is TrialState.FAIL
        assert b.get_trials()[tb.number].user_attrs[ATTR_OVER_BUDGET] is True
        # a queued trial (older number) counts every running trial
        a.enqueue_trial({"x": 1.0}, user_attrs={})
        queued = b.ask()
        assert queued.number == 2
        assert not cb.admit(queued, 1)
        fresh = a.ask()
        assert ca.admit(fresh, 2)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_framing_is_evaluated_by_one_trial(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url, two_workers(url) as (a, b, store):
        ca = Coordinator(a, store, "s", heartbeat=1, grace=3, on_event=lambda e: None)
        cb = Coordinator(b, store, "s", heartbeat=1, grace=3, on_event=lambda e: None)

        def proposal(study: optuna.Study, stem: str) -> optuna.Trial:
            trial = study.ask()
            trial.suggest_categorical(stem, [stem])
            return trial

        ta, tb = proposal(a, "stance"), proposal(b, "stance")
        assert (await ca.settle(ta, ("stance", "[]"))).action == "run"
        # under way elsewhere: given back at once, no second call
        assert (await cb.settle(tb, ("stance", "[]"))).action == "skip"
        given_back = b.get_trials()[tb.number]
        assert given_back.state is TrialState.FAIL
        assert given_back.user_attrs[ATTR_SKIPPED_FOR] == ta.number
        a.tell(ta, [0.1, 0.2])
        # finished: a later proposal records its result
        settled = await cb.settle(proposal(b, "stance"), ("stance", "[]"))
        assert settled.action == "repeat" and settled.earlier is not None
        assert settled.earlier.number == ta.number
        # a trial that ended without a result leaves its framing to the next one
        td = proposal(a, "engage")
        assert (await ca.settle(td, ("engage", "[]"))).action == "run"
        a.tell(td, state=TrialState.FAIL)
        assert (await cb.settle(proposal(b, "engage"), ("engage", "[]"))).action == "run"


def test_plain_postgresql_and_mysql_urls_pick_the_installed_drivers() -> None:
    assert connect_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert connect_url("postgres://u:p@h:5433/db") == "postgresql+psycopg://u:p@h:5433/db"
    assert connect_url("postgresql+psycopg2://u@h/db").startswith("postgresql+psycopg2://")
    assert connect_url("mysql://u@h/db") == "mysql+pymysql://u@h/db?charset=utf8mb4"
    assert connect_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unreachable_database_is_a_clear_error(workspace: Path) -> None:
    code, _, err = framing("search", "--trials", "1", "--no-report", "--storage",
                           "postgresql://framing:s3cret@127.0.0.1:9/framing")
    assert code == "1", err
    assert "postgresql://framing:***@127.0.0.1:9/framing" in err
    assert "s3cret" not in err
    assert "check that the server is running" in err
    assert not (workspace / "studies").exists()


def test_malformed_url_is_bad_input(workspace: Path) -> None:
    code, _, err = framing("search", "--trials", "1", "--no-report", "--storage", "nonsense")
    assert code == "2", err
    assert "storage.url" in err and "not a database URL" in err
    code, _, err = framing("studies", "--storage", "oracle://u@h/x")
    assert code == "2", err
    assert "PostgreSQL and MySQL/MariaDB" in err


def test_missing_driver_says_what_to_install(workspace: Path) -> None:
    blocked = ("import sys; sys.modules['psycopg'] = None; from framing.cli import main; "
               "sys.argv = ['framing', 'search', '--no-report', '--storage', "
               "'postgresql://u@127.0.0.1/x']; main()")
    process = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True,
                             timeout=120)
    assert process.returncode == 1, process.stderr
    assert "pip install 'framing[postgres]'" in process.stderr


def test_missing_database_and_wrong_password(tmp_path: Path) -> None:
    with fresh_database("mysql", tmp_path) as url:  # skips when MariaDB is not there
        base = sa.engine.make_url(url)
        missing = base.set(database="framing_no_such_db").render_as_string(hide_password=False)
        code, _, err = framing("studies", "--storage", missing)
        assert code == "1" and "framing_no_such_db" in err and "database exists" in err, err
        wrong = base.set(password="not-the-password").render_as_string(hide_password=False)
        code, _, err = framing("search", "--trials", "1", "--no-report", "--storage", wrong)
        assert code == "1", err
        assert "not-the-password" not in err and "***" in err


def test_studies_on_a_new_workspace(workspace: Path) -> None:
    code, out, err = framing("studies")
    assert code == "0" and "no studies" in err
    assert not (workspace / "studies").exists()  # listing creates nothing
    code, out, _ = framing("studies", "--format", "json")
    assert code == "0" and json.loads(out) == []


def test_studies_lists_progress(workspace: Path) -> None:
    code, _, err = framing("search", "--trials", "3", "--no-report", "--set",
                           "data.borderline=10", "--set", "data.unsafe=10")
    assert code == "0", err
    code, out, _ = framing("studies")
    assert code == "0"
    assert "demo" in out and "3/3" in out
    code, out, _ = framing("studies", "--format", "json")
    (row,) = json.loads(out)
    assert row["complete"] == 3 and row["failed"] == 0 and row["calls"] > 0
    assert row["last_activity"]


def test_mysql_url_in_the_documented_form_runs_a_search(tmp_path: Path) -> None:
    assert MYSQL.startswith("mysql+pymysql://")
    with fresh_database("mysql", tmp_path) as url:
        process = subprocess.run(
            [sys.executable, "-m", "framing", "search", "--trials", "2", "--no-report",
             "--storage", url, "--set", "data.borderline=5", "--set", "data.unsafe=5"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert process.returncode == 0, process.stderr
        code, out, _ = framing("frontier", "--format", "json", "--storage", url)
        assert code == "0" and json.loads(out)


def test_a_database_failing_mid_run_is_a_clear_error() -> None:
    from sqlalchemy.exc import OperationalError
    from typer import Exit

    from framing.cli.commands import handled

    @handled
    def command() -> None:
        raise OperationalError("INSERT ...", {}, Exception("server closed the connection"))

    with pytest.raises(Exit) as caught:
        command()
    assert caught.value.exit_code == 1

    @handled
    def buggy() -> None:
        raise ValueError("a bug, not the database")

    with pytest.raises(ValueError):
        buggy()
