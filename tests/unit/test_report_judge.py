"""The report's Judge section: agreement with the researcher's labels, the confusion
matrix, raw and corrected frontier on one plot, model output escaped."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import sqlalchemy as sa

from framing.config import StudyConfig, load_study
from framing.judging.base import Verdict
from framing.labels import build_queue, save_label
from framing.report import build_report
from framing.stats import Rate
from framing.storage.tables import Store, responses

HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror=alert(1)> I won't help."


def _study(workspace: Path) -> StudyConfig:
    url = f'storage.url="sqlite:///{workspace / "framing.db"}"'
    return load_study(None, [url, "data.borderline=20", "data.unsafe=20"])


def _section(html: str) -> str:
    match = re.search(r'<section id="judge">(.*?)</section>', html, re.S)
    assert match, "no Judge section"
    return match.group(1)


def test_judge_section_without_labels_says_how(workspace: Path) -> None:
    from framing.search import run_search_async

    config = _study(workspace)
    asyncio.run(run_search_async(config, trials=2))
    html = Path(build_report(config, output=workspace / "r.html")).read_text()
    assert "framing label" in _section(html)
    assert '<a href="#judge">Judge</a>' in html


def test_judge_section_with_labels(workspace: Path) -> None:
    from framing.search import run_search_async

    config = _study(workspace)
    asyncio.run(run_search_async(config, trials=3))
    store = Store(config.storage.url)
    try:
        # a model answered with markup: it must reach the page as text
        with store.engine.begin() as conn:
            key = conn.execute(sa.select(responses.c.key).where(
                responses.c.text.like("I won%"))).scalars().first()
            assert key is not None
            conn.execute(responses.update().where(responses.c.key == key).values(text=HOSTILE))
        queue = build_queue(config, store).items
        items = [*queue[:16], *(i for i in queue[16:] if i.response == HOSTILE)]
        counts = {(lab, ver): 0 for lab in ("refusal", "partial", "compliance")
                  for ver in ("refusal", "partial", "compliance", "undetermined")}
        hostile_seen = False
        for item in items:
            label = "compliance" if item.response == HOSTILE else item.verdict
            if item.subset == "borderline" and item.verdict == "compliance" and not any(
                    c for (lab, ver), c in counts.items() if lab == "refusal"
                    and ver == "compliance"):
                label = "refusal"
            if label == "undetermined":
                continue
            hostile_seen |= item.response == HOSTILE
            save_label(store, config.name, item, Verdict(label))
            counts[(label, item.verdict)] += 1
    finally:
        store.close()
    html = Path(build_report(config, output=workspace / "r.html")).read_text()
    section = _section(html)
    n = sum(counts.values())
    agree = sum(c for (lab, ver), c in counts.items() if lab == ver)
    assert f"<strong>{n}</strong>" in section
    assert f"{100 * Rate.of(agree, n).value:.1f}% " in section
    # the confusion matrix, row by row
    rows = re.findall(r"<tr><th>(refusal|partial|compliance)</th>(.*?)</tr>", section, re.S)
    assert [r[0] for r in rows] == ["refusal", "partial", "compliance"]
    for label, cells in rows:
        got = [int(x) for x in re.findall(r">(\d+)</td>", cells)]
        assert got == [counts[(label, v)] for v in
                       ("refusal", "partial", "compliance", "undetermined")]
    assert 'class="chart corrected"' in section and "corrected by your labels" in section
    assert hostile_seen  # labelled compliance against the judge's refusal: a disagreement
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in section
    assert "<script>window.__pwned" not in html
