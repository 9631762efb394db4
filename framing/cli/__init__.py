"""The ``framing`` command line (DESIGN §10).

- :mod:`framing.cli.commands`: the commands (parse, load the study, call the core, exit
  codes).
- :mod:`framing.cli.render`: how results are shown (consoles, tables, CSV, JSON).

The console script is ``framing = "framing.cli:main"``.
"""

from framing.cli.commands import app, main

__all__ = ["app", "main"]
