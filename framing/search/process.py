"""A study's search in a child process, its events streamed back to the parent.

The child runs :func:`framing.search.run_search`, the code path of ``framing search``,
so a search started from a front end (the TUI) behaves exactly like one started from the
command line, and a busy search and the front end no longer share one interpreter (one
GIL). The child is ``python -m framing.search.process``; its standard streams join them,
each a stream of pickled objects (a private pipe between two processes of one user):

- stdin, parent to child: the job (config, trials, storage), then commands: ``"pause"``
  (finish the trial in flight, then stop) and ``"stop"`` (cancel the trial in flight, as
  Ctrl-C does to ``framing search``);
- stdout, child to parent: every :mod:`framing.events` event, in order (per-call progress
  at most every ``PROGRESS_EVERY`` seconds), then one :class:`SearchExit`. Whatever else
  the child would print goes nowhere: the parent's terminal may be a full-screen UI.

(A plain subprocess rather than ``multiprocessing``: spawning needs ``sys.stderr`` to be a
real file, which it is not inside a Textual app.)

Everything a search has stored stays stored however the parent ends: a parent that quits
sends ``"stop"``; one that dies closes its end of the control pipe, which the child reads
as ``"stop"``. Running the study again continues it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from framing.config import StudyConfig
from framing.events import CallsProgress, Event

#: seconds between two per-call progress events sent to the parent
PROGRESS_EVERY = 0.1
PAUSE = "pause"
STOP = "stop"


@dataclass(frozen=True)
class SearchExit:
    """How the child's search ended: its result, or ``stopped`` (cancelled), or an error."""

    result: Any = None  # framing.search.SearchResult when the search returned
    stopped: bool = False
    error: str | None = None


class SearchProcess:
    """One search of ``config`` up to ``trials`` trials in a child process.

    ``start`` spawns it; ``messages`` (blocking: call it from a thread) yields its events
    and finally one :class:`SearchExit`; ``pause`` and ``stop`` never wait for the child.
    """

    def __init__(self, config: StudyConfig, *, trials: int, storage: str | None) -> None:
        self.config = config
        self.trials = trials
        self.storage = storage
        self._process: subprocess.Popen[bytes] | None = None
        self._pending: list[str] = []  # commands given before the child was started
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "framing.search.process"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        with self._lock:
            self._process = process
            self._write((self.config, self.trials, self.storage))
            for command in self._pending:
                self._write(command)
        # an interpreter that exits without stopping the search (a crash) stops it here
        atexit.register(self.stop)

    def pause(self) -> None:
        self._send(PAUSE)

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._send(STOP)

    def _send(self, command: str) -> None:
        with self._lock:
            if self._process is None:
                self._pending.append(command)
            else:
                self._write(command)

    def _write(self, item: object) -> None:
        assert self._process is not None and self._process.stdin is not None
        with contextlib.suppress(OSError, ValueError):  # a child that ended needs no word
            pickle.dump(item, self._process.stdin)
            self._process.stdin.flush()

    def messages(self) -> Iterator[Event | SearchExit]:
        """The child's events in order, then its :class:`SearchExit` (made up here, with
        the exit code, if the child died without saying how it ended)."""
        process = self._process
        assert process is not None and process.stdout is not None, "start() it first"
        try:
            while True:
                try:
                    item = pickle.load(process.stdout)
                except (EOFError, pickle.UnpicklingError, OSError):
                    break
                yield item
                if isinstance(item, SearchExit):
                    return
            process.wait()
            yield SearchExit(error=f"the search process ended unexpectedly (exit code "
                                   f"{process.returncode}); everything it finished is "
                                   "stored: start again to continue")
        finally:
            # closed before waiting: a reader that gives up early must not leave the child
            # blocked on a full pipe (it reads the closed stdin as "stop")
            with self._lock:
                for stream in (process.stdout, process.stdin):
                    if stream is not None:
                        with contextlib.suppress(OSError):
                            stream.close()
            process.wait()
            atexit.unregister(self.stop)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid


def child_main(job_in: BinaryIO, events_out: BinaryIO) -> None:
    """The child: read the job, run the search, send its events, obey the commands."""
    from framing.errors import FramingError
    from framing.search.run import run_search

    config, trials, storage = pickle.load(job_in)
    stop_after_trial = threading.Event()
    searching = threading.Event()
    searching.set()
    sender = _EventSender(events_out)
    try:
        threading.Thread(target=_listen, args=(job_in, stop_after_trial, searching),
                         daemon=True, name="framing-search-control").start()
        try:
            result = run_search(config, sender.send, trials=trials, storage=storage,
                                stop=stop_after_trial)
        finally:
            searching.clear()  # from here on a "stop" has nothing left to cancel
    except KeyboardInterrupt:  # "stop": run_search cancelled the trial in flight
        sender.finish(SearchExit(stopped=True))
    except FramingError as e:
        sender.finish(SearchExit(error=str(e)))
    except Exception as e:  # the parent must hear of anything the run raises
        sender.finish(SearchExit(error=f"{type(e).__name__}: {e}"))
    else:
        sender.finish(SearchExit(result=result))


def _listen(commands: BinaryIO, stop_after_trial: threading.Event,
            searching: threading.Event) -> None:
    """Read the parent's commands; a closed pipe (the parent is gone) means stop."""
    while True:
        try:
            command = pickle.load(commands)
        except (EOFError, OSError, pickle.UnpicklingError):
            command = STOP
        if command == PAUSE:
            stop_after_trial.set()
        elif command == STOP:
            stop_after_trial.set()
            if not searching.is_set():
                return
            # what Ctrl-C does to `framing search`: asyncio.run cancels the search's task,
            # which marks the trial in flight failed and keeps every stored answer
            signal.raise_signal(signal.SIGINT)
            return


class _EventSender:
    """Sends events to the parent; per-call progress is thinned to one per interval."""

    def __init__(self, events: BinaryIO) -> None:
        self.events = events
        self.last_progress = 0.0
        self.lock = threading.Lock()
        self.gone = False  # the parent stopped reading

    def send(self, event: Event) -> None:
        if isinstance(event, CallsProgress):
            now = time.monotonic()
            if now - self.last_progress < PROGRESS_EVERY:
                return
            self.last_progress = now
        self._put(event)

    def finish(self, last: SearchExit) -> None:
        self._put(last)
        with contextlib.suppress(OSError):
            self.events.close()

    def _put(self, item: object) -> None:
        with self.lock:
            if self.gone:
                return
            try:
                pickle.dump(item, self.events)
                self.events.flush()
            except (OSError, ValueError):
                self.gone = True


def main() -> None:
    """``python -m framing.search.process``: the child's entry point."""
    # events go out on the real stdout; fd 1 and 2 then point nowhere, so a stray print or
    # a C library's warning can neither corrupt the stream nor draw on the UI
    events_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(null, fd)
    os.close(null)
    child_main(sys.stdin.buffer, events_out)


if __name__ == "__main__":
    # run from the imported module, not this __main__ copy: the events pickled must name
    # framing.search.process.SearchExit, which is what the parent knows
    from framing.search.process import main as imported_main

    imported_main()
