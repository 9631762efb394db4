"""``framing data import-vlsu`` and ``framing data stats`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import vlsu_csv
from typer.testing import CliRunner

from framing.cli import app

runner = CliRunner()


def test_import_vlsu_json_counts(workspace: Path) -> None:
    vlsu_csv.write(workspace / "VLSU.csv")
    result = runner.invoke(app, ["data", "import-vlsu", "VLSU.csv", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["total"] == 8
    assert report["subsets"] == {"safe": 2, "borderline": 2, "unsafe": 3, "not_sure": 1}
    assert report["patterns"]["safe_safe_unsafe"] == 1
    assert report["patterns"]["not_sure_safe_borderline"] == 1
    assert report["categories"]["none"] == 2
    assert report["categories"]["C12"] == 1
    assert report["images"] == {"ok": 0, "broken": 0, "missing": 8}
    assert "8 samples without an image are left out of image studies" in result.stderr
    assert 'source = "vlsu:VLSU-images"' in result.stderr
    # data stats on the imported copy agrees, and reports the images too
    stats = runner.invoke(app, ["data", "stats", "vlsu:VLSU-images", "--format", "json"])
    assert stats.exit_code == 0, stats.stderr
    assert json.loads(stats.stdout) == report


def test_import_vlsu_table(workspace: Path) -> None:
    vlsu_csv.write(workspace / "VLSU.csv")
    result = runner.invoke(app, ["data", "import-vlsu", "VLSU.csv", "--images", "imp"])
    assert result.exit_code == 0, result.stderr
    assert "8 samples" in result.stdout
    assert "C12 Terrorism and violent extremism" in result.stdout
    assert "images: 0 ok, 0 broken, 8 missing" in result.stdout
    assert (workspace / "imp" / "imported.jsonl").is_file()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda rows, header: (rows, [h for h in header if h != "web_path"]),
         "missing column 'web_path'"),
        (lambda rows, header: ([*rows, vlsu_csv.row("z", "p", "safe", "risky", "safe")], header),
         "VLSU.csv:11 (row 10): column 'consensus_text_grade': unknown grade 'risky'"),
        (lambda rows, header: ([*rows, vlsu_csv.row("z", "p", "safe", "safe", "unsafe",
                                                    category="Violence")], header),
         "(row 10): column 'combined_category': unknown category 'Violence'"),
    ],
)
def test_malformed_csv_exits_2_with_one_message(workspace: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    rows, header = mutate(list(vlsu_csv.ROWS), list(vlsu_csv.HEADER))
    vlsu_csv.write(workspace / "VLSU.csv", rows, header=header)
    result = runner.invoke(app, ["data", "import-vlsu", "VLSU.csv", "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr
    assert result.stderr.count("error:") == 1
    assert not (workspace / "VLSU-images").exists()


def test_missing_csv_and_bad_format(workspace: Path) -> None:
    result = runner.invoke(app, ["data", "import-vlsu", "nope.csv"])
    assert result.exit_code == 2 and "no such data file" in result.stderr
    vlsu_csv.write(workspace / "VLSU.csv")
    result = runner.invoke(app, ["data", "import-vlsu", "VLSU.csv", "--format", "xml"])
    assert result.exit_code == 2 and "--format" in result.stderr


def test_stats_with_column_mapping(workspace: Path) -> None:
    (workspace / "set.csv").write_text("prompt,label\nhello,unsafe\nthere,borderline\n")
    result = runner.invoke(app, ["data", "stats", "csv:set.csv", "-c", "text=prompt",
                                 "-c", "joint_grade=label", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["subsets"] == {"borderline": 1, "unsafe": 1}
    result = runner.invoke(app, ["data", "stats", "csv:set.csv"])
    assert result.exit_code == 2
    assert "missing column 'text' for text" in result.stderr


def test_vlsu_study_without_images_on_disk_is_refused_before_any_call(workspace: Path) -> None:
    vlsu_csv.write(workspace / "VLSU.csv")
    assert runner.invoke(app, ["data", "import-vlsu", "VLSU.csv"]).exit_code == 0
    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "baseline.j2").write_text(
        "{% block system %}You are a helpful assistant.{% endblock %}\n")
    (workspace / "s.toml").write_text(
        'name = "v"\n[data]\nsource = "vlsu:VLSU.csv"\nborderline = 2\nunsafe = 2\n')
    result = runner.invoke(app, ["search", "s.toml", "--no-report"])
    assert result.exit_code == 2
    assert "no sample has its image on disk" in result.stderr
    assert not (workspace / "studies").exists()  # nothing was stored, nothing was called
    # a text-only study may use the pairs without their image
    result = runner.invoke(app, ["search", "s.toml", "--no-report", "--trials", "1",
                                 "--set", "target.images=false"])
    assert result.exit_code == 0, result.stderr
