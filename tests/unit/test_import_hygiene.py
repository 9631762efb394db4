"""The headless core never loads Textual (DESIGN §3)."""

from __future__ import annotations

import subprocess
import sys

HEADLESS = [
    "framing",
    "framing.cli",
    "framing.config",
    "framing.search",
    "framing.search.process",
    "framing.evaluate",
    "framing.storage.tables",
    "framing.stats",
    "framing.templates",
    "framing.targets",
    "framing.judging.rules",
]


def test_headless_modules_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        f"for m in {HEADLESS!r}:\n"
        "    __import__(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


def test_framing_search_does_not_import_textual(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import sys, runpy\n"
        "sys.argv = ['framing', 'search', '--trials', '2', '--quiet', '--no-report']\n"
        "try:\n"
        "    runpy.run_module('framing', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "sys.stderr.write('TEXTUAL=' + ','.join(bad) + '\\n')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "TEXTUAL=\n" in result.stderr
