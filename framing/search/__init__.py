"""The write path: everything that runs a search and stores what it paid for.

- :mod:`~framing.search.run`: the run loop (:func:`run_search`, what ``framing search``
  and the TUI run), driving Optuna through ask/tell;
- :mod:`~framing.search.space`: the search space (framings from templates) and proposals
  that never repeat an evaluated framing;
- :mod:`~framing.search.racing` and :mod:`~framing.search.screening`: stopping a
  framing early when the stored answers already show it off the frontier;
- :mod:`~framing.search.difficulty`: what every framing shares (per-sample difficulty)
  decides which samples a screened framing is asked next;
  :mod:`~framing.search.difficulty`: what the frontier's answers say about each sample
  (what a screened trial asks next, and the certain bound that stops it);
- :mod:`~framing.search.workers`: several processes sharing one study;
- :mod:`~framing.search.holdout`: re-checking the frontier on the hold-out split;
- :mod:`~framing.search.process`: the search in a child process, for the TUI.

The read side (points, the assessment, the report, the drill-down) never imports this
package (an import-linter contract in ``pyproject.toml``). The run loop's public names
are importable from here lazily, so importing a sibling module does not load the loop.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["FramingResult", "SearchResult", "evaluate_framing", "run_search", "run_search_async"]

if TYPE_CHECKING:
    from framing.search.run import (
        FramingResult,
        SearchResult,
        evaluate_framing,
        run_search,
        run_search_async,
    )


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'framing.search' has no attribute {name!r}")
    value = getattr(importlib.import_module("framing.search.run"), name)
    globals()[name] = value
    return value
