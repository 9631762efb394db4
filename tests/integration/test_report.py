"""``framing report`` end to end: a real search, the stored study, the written file, and
that file opened in a real headless Chromium (Debian's ``chromium``).

The hostile study's samples, template and stored responses are full of HTML and script,
the way a misbehaving model or data set could be; the page must show them as text and
run none of it.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image
from typer.testing import CliRunner

from framing.cli import app
from framing.config import load_study
from framing.report import build_report
from framing.storage.tables import ResultRow, Store, responses

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

runner = CliRunner()

#: runs if anything from the study ever executes as script in the page
PWN = "window.__pwned = (window.__pwned || 0) + 1"
HOSTILE_RESPONSE = (
    f"<script>{PWN}</script><img src=x onerror=\"{PWN}\">"
    f"</td></tr></table></details><b>unclosed <a href=\"javascript:{PWN}\">link</a>"
    f"<svg onload=\"{PWN}\"><!-- <style>body{{display:none}}</style>"
    "</script><script>window.__pwned = 99</script> {{ 7*7 }} &amp; done"
)
HOSTILE_TEXT = f"<img src=x onerror=\"{PWN}\"> what does this <b>sign</b> mean? </textarea>"
HOSTILE_TEMPLATE = """{#---
description = "<script>window.__pwned = 1</script> hostile description"
[params.tone]
choices = ["<img src=x onerror=window.__pwned=1>", "plain </script>"]
---#}
{% block system %}
You are an assistant. </pre></details><script>window.__pwned = 1</script>
Tone: {{ tone }}. <iframe src="javascript:window.__pwned=1"></iframe>
{% if tone == "plain </script>" %}Prioritize safety above all. When in doubt, decline.{% endif %}
{% endblock %}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def demo_study(folder: Path, trials: int = 12) -> str:
    """A small search of the built-in demo in ``folder``; returns its storage URL."""
    url = f"sqlite:///{folder / 'demo.db'}"
    code, _, err = invoke("search", "--trials", str(trials), "--no-report", "--storage", url,
                          "--set", "data.borderline=60", "--set", "data.unsafe=60")
    assert code == 0, err
    return url


def hostile_study(folder: Path) -> tuple[Path, str]:
    """A study whose samples, template and responses are hostile HTML."""
    images = folder / "images"
    images.mkdir(parents=True)
    rows = []
    grades = [("safe", "safe", "borderline"), ("borderline", "safe", "borderline"),
              ("safe", "safe", "unsafe"), ("unsafe", "unsafe", "unsafe")]
    for i in range(24):
        img, txt, joint = grades[i % 4]
        Image.new("RGB", (64, 48), (40 * (i % 6), 90, 160)).save(images / f"{i}.png")
        rows.append({"id": f"s{i}<b>", "text": f"{HOSTILE_TEXT} #{i}", "image": f"images/{i}.png",
                     "image_grade": img, "text_grade": txt, "joint_grade": joint,
                     "category": f"C{1 + i % 15}"})
    (folder / "samples.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    prompts = folder / "prompts"
    prompts.mkdir()
    (prompts / "evil.j2").write_text(HOSTILE_TEMPLATE)
    (prompts / "baseline.j2").write_text(
        "{#---\ndescription = \"plain <b>baseline</b>\"\n---#}\n"
        "{% block system %}\nYou are a helpful assistant.\n{% endblock %}\n")
    study = folder / "hostile.toml"
    study.write_text(f"""
name = "hostile"
description = "<script>{PWN}</script> study description"
[target]
kind = "sim"
[data]
source = "jsonl:{folder / 'samples.jsonl'}"
holdout = 0.0
[search]
templates = ["{prompts / 'evil.j2'}"]
baselines = ["{prompts / 'baseline.j2'}"]
sampler = "grid"
trials = 3
[storage]
url = "sqlite:///{folder / 'hostile.db'}"
""")
    code, _, err = invoke("search", str(study), "--no-report")
    assert code == 0, err
    url = f"sqlite:///{folder / 'hostile.db'}"
    store = Store(url)
    try:
        with store.engine.begin() as conn:
            changed = conn.execute(sa.update(responses).values(text=HOSTILE_RESPONSE)).rowcount
        assert changed > 0
    finally:
        store.close()
    return study, url


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A small demo search and its report (storage URL, report path)."""
    folder = tmp_path_factory.mktemp("demo")
    url = demo_study(folder)
    report = folder / "demo.html"
    code, out, err = invoke("report", "--storage", url, "-o", str(report))
    assert code == 0, err
    assert out.strip() == str(report)
    return url, report


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    study, url = hostile_study(folder)
    return build_report(load_study(study), output=folder / "hostile.html", storage=url)


# -- the file ---------------------------------------------------------------------------------


def test_report_is_one_self_contained_file(demo: tuple[str, Path]) -> None:
    html = demo[1].read_text(encoding="utf-8")
    # nothing is fetched: no external scripts, styles, images, fonts or frames
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.I)
    assert "@import" not in html and "url(http" not in html
    assert html.count("<script") == 1
    assert "default-src 'none'" in html  # CSP: the one script runs by its hash
    for section in ("headline", "pareto", "progress", "breakdown", "framings", "drill",
                    "importance", "holdout", "trials"):
        assert f'id="{section}"' in html
    assert "Simulated model." in html
    assert demo[1].stat().st_size < 15_000_000


def test_report_says_what_the_study_found(demo: tuple[str, Path]) -> None:
    url, report = demo
    html = report.read_text(encoding="utf-8")
    code, out, _ = invoke("frontier", "--format", "json", "--storage", url)
    assert code == 0
    front = json.loads(out)
    # every frontier trial is drawn as a frontier point on the plot
    drawn = set(re.findall(r'class="pt frontier[^"]*" tabindex="0" data-trial="(\d+)"', html))
    assert drawn == {str(p["trial"]) for p in front}
    assert 'class="pt baseline' in html or 'class="pt frontier baseline' in html
    assert "At ≤ 10% over-blocking" in html or "No framing reaches ≤ 10% over-blocking" in html
    assert "exact McNemar" in html
    # baseline → recommended in the one wording of the CLI, the report and the TUI
    changes = [unescape(c) for c in re.findall(r'<td class="delta">([^<]*)</td>', html)]
    if changes:
        assert all(re.fullmatch(r"(baseline|recommended) lower by \d+\.\d points \(p [<=] "
                                r"[\d.]+(, not significant)?\)|no difference \(.*\)|"
                                r"no paired samples", c) for c in changes), changes
    # header: dataset size per subset, seeds, calls, wall time, version
    for label in ("dataset", "seeds", "calls", "tokens", "cost", "wall time", "framing version"):
        assert f"<dt>{label}</dt>" in html
    assert "search: borderline 60, unsafe 60" in html
    # breakdown by category and pattern, compositional patterns flagged
    assert "C12 Terrorism and violent extremism" in html
    assert "safe · safe · unsafe" in html and "compositional" in html
    # framing text of the baseline is rendered from the stored template source
    assert "You are a helpful assistant" in html


def test_search_writes_the_default_report(workspace: Path) -> None:
    code, _, err = invoke("search", "--trials", "4", "--set", "data.borderline=30",
                          "--set", "data.unsafe=30")
    assert code == 0, err
    report = workspace / "reports" / "demo.html"
    assert report.is_file()
    assert "report: reports/demo.html" in err
    # and `framing report` rewrites it from the stored study alone
    report.unlink()
    code, out, _ = invoke("report")
    assert code == 0 and out.strip() == "reports/demo.html" and report.is_file()


def test_report_of_a_missing_study_is_bad_input(workspace: Path) -> None:
    code, _, err = invoke("report", "--storage", f"sqlite:///{workspace / 'empty.db'}")
    assert code == 2
    assert "no study named 'demo'" in err
    assert not (workspace / "reports").exists()


def test_a_study_without_finished_trials_still_gets_a_report(workspace: Path) -> None:
    import optuna

    url = f"sqlite:///{workspace / 'empty.db'}"
    optuna.create_study(study_name="demo", storage=url, directions=["minimize", "minimize"])
    code, out, err = invoke("report", "--storage", url)
    assert code == 0, err
    html = (workspace / out.strip()).read_text(encoding="utf-8")
    assert "No framing has a result yet" in html
    assert "settings were not stored" in html


def test_hold_out_estimates_are_shown_when_stored(workspace: Path) -> None:
    url = demo_study(workspace, trials=4)
    code, out, _ = invoke("frontier", "--format", "json", "--storage", url)
    assert code == 0
    front = json.loads(out)
    store = Store(url)
    try:  # a re-validation stores per-sample verdicts with split "holdout"
        for p in front:
            rows = store.get_results("demo", p["trial"])
            store.put_results("demo", p["trial"], "holdout", [ResultRow(
                r.sample_id, r.position, r.subset,
                "refusal" if r.subset == "unsafe" else r.verdict, r.rule,
                r.source, r.cache_key) for r in rows[::3]])
    finally:
        store.close()
    html = build_report(load_study(None), output=workspace / "r.html", storage=url).read_text()
    section = html[html.index('id="holdout"'):html.index('id="trials"')]
    assert "No hold-out estimates" not in section
    # the frontier and the baseline (trial 0, re-validated by the search's hold-out check)
    assert section.count("<tr>") == len({p["trial"] for p in front} | {0}) + 1
    assert "0.0% [0.0," in section  # every unsafe hold-out sample refused


def test_hostile_content_is_escaped_in_the_file(hostile: Path) -> None:
    html = hostile.read_text(encoding="utf-8")
    assert html.count("<script") == 1  # ours; every other one is text
    assert "<img src=x" not in html and "<svg onload" not in html and "<iframe" not in html
    assert "&lt;script&gt;window.__pwned" in html
    assert "&lt;img src=x onerror=" in html


# -- in a real browser --------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; "
                    "scripts/test-services.sh does it)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()


class Page:
    """A report opened in Chromium, with everything the page said and did recorded."""

    def __init__(self, context: Any, path: Path) -> None:
        self.page = context.new_page()
        self.console: list[tuple[str, str]] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.console.append(("pageerror", str(e))))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("html[data-ready='1']")

    @property
    def errors(self) -> list[tuple[str, str]]:
        return [(kind, text) for kind, text in self.console if kind in ("error", "pageerror")]


@pytest.mark.browser
def test_demo_report_renders_in_chromium(browser: Any, demo: tuple[str, Path]) -> None:
    view = Page(browser, demo[1])
    page = view.page
    assert view.errors == []
    # only the file itself was loaded: thumbnails are data URIs, nothing from a network
    assert all(u.startswith(("file:", "data:")) for u in view.requests), view.requests
    # the plots rendered: points with a real size on screen, the frontier line drawn
    points = page.locator("svg.pareto .pt")
    assert points.count() >= 4
    box = page.locator("svg.pareto").bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 300
    assert page.locator("svg.pareto .frontier-line").count() == 1
    assert page.locator("svg.progress path.series").count() == 3
    # hover shows the template and parameters as text
    page.locator("svg.pareto .pt.baseline").first.hover()
    tip = page.locator("#tip")
    assert tip.is_visible() and "baseline.j2" in tip.inner_text()
    # thumbnails are drawn from inline images
    thumb = page.locator(".drill .thumb").first
    assert "data:image/webp" in thumb.evaluate("e => getComputedStyle(e).backgroundImage")
    # the drill-down filters
    drill = page.locator(".drill").first
    rows = drill.locator(".drow")
    total = rows.count()
    assert total > 0
    drill.locator(".f-kind").select_option("missed-harm")
    missed = drill.locator(".drow:not([hidden])").count()
    assert missed == drill.locator(".drow.missed-harm").count()
    assert drill.locator(".f-count").inner_text() == f"{missed} of {total} rows"
    drill.locator(".f-kind").select_option("")
    drill.locator(".f-text").fill("no such text anywhere")
    assert drill.locator(".drow:not([hidden])").count() == 0
    drill.locator(".f-text").fill("")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-demo.png"), full_page=True)
    assert (ARTIFACTS / "report-demo.png").stat().st_size > 10_000
    assert view.errors == []
    page.close()


@pytest.mark.browser
def test_hostile_report_runs_nothing_in_chromium(browser: Any, hostile: Path) -> None:
    view = Page(browser, hostile)
    page = view.page
    for d in page.locator("details").all():  # open everything, hover every point
        d.evaluate("e => { e.open = true; }")
    for point in page.locator("svg .pt").all():  # overlapping points: focus shows the tip
        point.focus()
        assert page.locator("#tip").is_visible()
    page.locator(".f-text").first.fill("script")
    assert page.evaluate("window.__pwned") is None
    assert view.dialogs == []
    assert view.errors == []  # a CSP violation would be reported here too
    assert page.locator("script").count() == 1
    assert page.locator("iframe, img, object, embed").count() == 0
    handlers = page.evaluate("""() => Array.from(document.querySelectorAll('*'))
        .flatMap(e => Array.from(e.attributes).map(a => a.name))
        .filter(n => n.startsWith('on'))""")
    assert handlers == []
    # the hostile strings are there, as text the reader can see
    body = page.locator("body").inner_text()
    assert "<script>window.__pwned" in body
    assert '<img src=x onerror="window.__pwned' in body
    assert "</td></tr></table></details><b>unclosed" in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=True)
    page.close()
