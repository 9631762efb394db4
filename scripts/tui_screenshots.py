"""Regenerate the README's TUI pictures, ``docs/tui-run.png`` and ``docs/tui-frontier.png``.

The demo study (simulated model) is searched for a few trials in a scratch workspace, the
app is opened on the Run and on the Frontier screen at 100×30, Textual saves each screen
as SVG (``App.save_screenshot``), and headless Chromium turns the SVG into PNG.

    .venv/bin/python scripts/tui_screenshots.py [--trials 12] [--out docs]

Needs ``chromium`` on the PATH (``scripts/test-services.sh`` installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from framing.config import StudyConfig, demo_dir, load_study
from framing.search import run_search_async
from framing.tui import make_app

SIZE = (100, 30)


def workspace(root: Path, trials: int) -> StudyConfig:
    """What ``framing init`` makes (prompts, the demo study, a database), searched."""
    for sub in ("prompts", "studies"):
        shutil.copytree(demo_dir() / sub, root / sub)
    config = load_study(root / "studies" / "demo.toml",
                        [f'storage.url="sqlite:///{root / "framing.db"}"',
                         f"search.trials={trials}"])
    asyncio.run(run_search_async(config, trials=trials))
    return config


async def screenshot(config: StudyConfig, screen: str, svg: Path) -> None:
    """Open the app on ``screen``, wait until it has drawn the study, save it as SVG."""
    app = make_app(config, initial=screen, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        ready: Callable[[], bool] = {
            "run": lambda: app.run_screen.query_one("#trial-table").row_count > 0,  # type: ignore[attr-defined]
            "frontier": lambda: app.frontier_screen.details is not None,
        }[screen]
        for _ in range(600):
            if ready():
                break
            await pilot.pause(0.05)
        else:
            raise SystemExit(f"the {screen} screen never showed the study")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.3)
        app.save_screenshot(filename=svg.name, path=str(svg.parent))


def to_png(svg: Path, png: Path) -> None:
    """Render ``svg`` with headless Chromium at the SVG's own size."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is needed (scripts/test-services.sh installs it)")
    width, height = svg_size(svg.read_text())
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--window-size={width},{height}",
                    f"--screenshot={png}", svg.as_uri()],
                   check=True, capture_output=True)


def svg_size(svg: str) -> tuple[int, int]:
    """The ``viewBox`` size of a Textual SVG (its drawing, in CSS pixels)."""
    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if match is None:
        raise SystemExit("the SVG has no viewBox")
    return round(float(match.group(1))), round(float(match.group(2)))


def main(argv: Any = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="framing-shots-") as tmp:
        root = Path(tmp)
        config = workspace(root, args.trials)
        for screen in ("run", "frontier"):
            svg = root / f"tui-{screen}.svg"
            asyncio.run(screenshot(config, screen, svg))
            png = args.out / f"tui-{screen}.png"
            to_png(svg, png)
            print(f"wrote {png}", file=sys.stderr)


if __name__ == "__main__":
    main()
