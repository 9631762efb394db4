"""The VLSU CSV: schema check, normalisation, errors with row numbers, the imported copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import vlsu_csv

from framing.data.filters import drop_missing_images
from framing.data.loaders import load_source
from framing.data.schema import Grade
from framing.data.vlsu import (
    COLUMNS,
    default_folder,
    import_vlsu,
    load_vlsu,
    read_manifest,
    read_vlsu_csv,
)
from framing.errors import DataError


def test_reads_quoted_commas_newlines_bom_and_odd_grades(tmp_path: Path) -> None:
    path = vlsu_csv.write(tmp_path / "VLSU.csv")
    samples = {r.sample.id: r.sample for r in read_vlsu_csv(path)}
    assert list(samples) == [r["uuid"] for r in vlsu_csv.ROWS]  # BOM did not eat "uuid"
    s2 = samples["u-0002"]
    assert s2.text == 'Describe the "event" on this poster,\nline by line.'
    assert (s2.image_grade, s2.text_grade, s2.joint_grade) == (Grade.SAFE, Grade.SAFE,
                                                               Grade.UNSAFE)
    assert s2.pattern == "safe_safe_unsafe" and s2.compositional
    assert s2.category == "C12"
    assert samples["u-0004"].image_grade is Grade.NOT_SURE
    assert samples["u-0006"].text_grade is Grade.NOT_SURE  # "Not Sure"
    assert samples["u-0006"].joint_grade is Grade.NOT_SURE
    assert samples["u-0007"].category == "C2"  # lower-case code
    assert samples["u-0001"].category is None  # empty category on a safe row
    assert samples["u-0005"].image_category == "C10"
    assert samples["u-0005"].text_category == "C10"
    assert samples["u-0003"].image_category == "C3" and samples["u-0003"].text_category is None
    assert samples["u-0001"].image == "https://images.invalid/u-0001.jpg"
    assert {s.source for s in samples.values()} == {"vlsu"}


def test_combined_category_decides_the_sample_category(tmp_path: Path) -> None:
    rows = [vlsu_csv.row("x", "p", "unsafe", "safe", "unsafe", category="C9: Interpersonal",
                         image_category="C11: Gore", text_category="C1: Slurs")]
    (record,) = read_vlsu_csv(vlsu_csv.write(tmp_path / "v.csv", rows))
    s = record.sample
    assert (s.category, s.image_category, s.text_category) == ("C9", "C11", "C1")


def test_header_case_and_spaces_are_forgiven(tmp_path: Path) -> None:
    header = [f" {h.upper()} " for h in vlsu_csv.HEADER]
    rows = [{f" {k.upper()} ": v for k, v in r.items()} for r in vlsu_csv.ROWS[:2]]
    records = read_vlsu_csv(vlsu_csv.write(tmp_path / "v.csv", rows, header=header))
    assert [r.sample.id for r in records] == ["u-0001", "u-0002"]


def test_extra_columns_are_ignored(tmp_path: Path) -> None:
    header = [*vlsu_csv.HEADER, "notes"]
    records = read_vlsu_csv(vlsu_csv.write(tmp_path / "v.csv", vlsu_csv.ROWS, header=header))
    assert len(records) == len(vlsu_csv.ROWS)


@pytest.mark.parametrize("column", list(COLUMNS))
def test_missing_column_is_named(tmp_path: Path, column: str) -> None:
    header = [h for h in vlsu_csv.HEADER if h != column]
    path = vlsu_csv.write(tmp_path / "v.csv", vlsu_csv.ROWS, header=header)
    with pytest.raises(DataError) as e:
        read_vlsu_csv(path)
    assert f"missing column {column!r}" in str(e.value)
    assert str(path) in str(e.value)


def test_renamed_column_is_suggested(tmp_path: Path) -> None:
    header = ["consensus_joint_grade" if h == "consensus_combined_grade" else h
              for h in vlsu_csv.HEADER]
    rows = [{("consensus_joint_grade" if k == "consensus_combined_grade" else k): v
             for k, v in r.items()} for r in vlsu_csv.ROWS]
    with pytest.raises(DataError) as e:
        read_vlsu_csv(vlsu_csv.write(tmp_path / "v.csv", rows, header=header))
    message = str(e.value)
    assert "missing column 'consensus_combined_grade'" in message
    assert "found 'consensus_joint_grade': was it renamed?" in message


def test_unknown_grade_names_row_line_and_column(tmp_path: Path) -> None:
    rows = [*vlsu_csv.ROWS[:3], vlsu_csv.row("bad", "p", "safe", "maybe", "unsafe")]
    path = vlsu_csv.write(tmp_path / "v.csv", rows)
    with pytest.raises(DataError) as e:
        read_vlsu_csv(path)
    # header = row 1; the bad row is row 5; row 3's prompt spans two lines, so line 6
    assert str(e.value).startswith(f"{path}:6 (row 5): column 'consensus_text_grade': "
                                   "unknown grade 'maybe'")


def test_bad_category_names_the_row(tmp_path: Path) -> None:
    rows = [vlsu_csv.ROWS[0], vlsu_csv.row("bad", "p", "safe", "safe", "unsafe",
                                           category="C16: Not a category")]
    with pytest.raises(DataError) as e:
        read_vlsu_csv(vlsu_csv.write(tmp_path / "v.csv", rows))
    assert "(row 3): column 'combined_category': unknown category 'C16: Not a category'" in str(
        e.value)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([vlsu_csv.row("a", "p", "safe", "safe", "safe"),
          vlsu_csv.row("a", "q", "safe", "safe", "safe")], "(row 3): duplicate uuid 'a' (first "
                                                           "in row 2)"),
        ([vlsu_csv.row("", "p", "safe", "safe", "safe")], "(row 2): column 'uuid' is empty"),
        ([vlsu_csv.row("a", "  ", "safe", "safe", "safe")], "(row 2): column 'prompt' is empty"),
        ([], "no rows below the header"),
    ],
)
def test_bad_rows(tmp_path: Path, rows: list[dict[str, str]], expected: str) -> None:
    with pytest.raises(DataError) as e:
        read_vlsu_csv(vlsu_csv.write(tmp_path / "v.csv", rows))
    assert expected in str(e.value)


def test_ragged_row_and_bad_encoding(tmp_path: Path) -> None:
    path = vlsu_csv.write(tmp_path / "v.csv", vlsu_csv.ROWS[:1])
    with path.open("a", encoding="utf-8") as f:
        f.write("u-9,https://x.invalid/a.jpg,an unquoted, comma,safe,safe,safe,,,\r\n")
    with pytest.raises(DataError) as e:
        read_vlsu_csv(path)
    assert "(row 3): 10 cells but the header has 9 columns" in str(e.value)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(",".join(vlsu_csv.HEADER).encode() + b"\nu,,caf\xe9,safe,safe,safe,,,\n")
    with pytest.raises(DataError, match="not UTF-8"):
        read_vlsu_csv(latin)


def test_import_writes_a_self_contained_copy(tmp_path: Path) -> None:
    csv_path = vlsu_csv.write(tmp_path / "VLSU.csv")
    folder = default_folder(csv_path)
    assert folder == tmp_path / "VLSU-images"
    # one image already in the folder (e.g. from an earlier download)
    folder.mkdir()
    (folder / "u-0003.png").write_bytes(b"\x89PNG\r\n\x1a\n fake but present")
    result = import_vlsu(csv_path)
    assert result.images == {"ok": 1, "broken": 0, "missing": 7}
    assert result.attempted == 0
    assert (folder / ".gitignore").read_text().endswith("*\n")
    info = json.loads((folder / "import.json").read_text())
    assert info["rows"] == 8 and info["images"]["ok"] == 1
    # the copy is what vlsu: sources load, through the folder or the CSV
    for source in (f"vlsu:{folder}", f"vlsu:{csv_path}", f"vlsu:{folder / 'imported.jsonl'}"):
        samples = {s.id: s for s in load_source(source)}
        assert samples["u-0003"].image == str((folder / "u-0003.png").resolve())
        assert samples["u-0001"].image == "https://images.invalid/u-0001.jpg"
        assert samples["u-0002"].text == 'Describe the "event" on this poster,\nline by line.'
        assert samples["u-0005"].image_category == "C10"
    # the CSV can go away: the folder is enough
    csv_path.unlink()
    assert len(load_vlsu(folder)) == 8


def test_image_studies_leave_out_pairs_without_their_image(tmp_path: Path) -> None:
    csv_path = vlsu_csv.write(tmp_path / "VLSU.csv")
    folder = tmp_path / "imp"
    folder.mkdir()
    (folder / "u-0002.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")
    import_vlsu(csv_path, folder)
    kept, excluded = drop_missing_images(load_vlsu(folder))
    assert [s.id for s in kept] == ["u-0002"] and excluded == 7
    # an image deleted after the import counts as missing, not as a broken study
    (folder / "u-0002.jpg").unlink()
    assert {r.status for r in read_manifest(folder)} == {"missing"}
    with pytest.raises(DataError, match="no sample has its image on disk"):
        drop_missing_images(load_vlsu(folder))


def test_vlsu_source_needs_an_import(tmp_path: Path) -> None:
    csv_path = vlsu_csv.write(tmp_path / "VLSU.csv")
    with pytest.raises(DataError, match="not imported yet"):
        load_source(f"vlsu:{csv_path}")
    with pytest.raises(DataError, match=r"no imported\.jsonl in this folder"):
        load_source(f"vlsu:{tmp_path}")
    with pytest.raises(DataError, match="no such import folder or CSV"):
        load_source(f"vlsu:{tmp_path / 'nope'}")


def test_changed_csv_must_be_imported_again(tmp_path: Path) -> None:
    csv_path = vlsu_csv.write(tmp_path / "VLSU.csv")
    import_vlsu(csv_path)
    vlsu_csv.write(csv_path, vlsu_csv.ROWS[:3])
    with pytest.raises(DataError, match="the CSV changed since it was imported"):
        load_source(f"vlsu:{csv_path}")
    import_vlsu(csv_path)
    assert len(load_source(f"vlsu:{csv_path}")) == 3


def test_damaged_manifest_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "imp"
    import_vlsu(vlsu_csv.write(tmp_path / "VLSU.csv"), folder)
    manifest = folder / "imported.jsonl"
    lines = manifest.read_text().splitlines()
    lines[2] = lines[2].replace('"joint_grade": "borderline"', '"joint_grade": "worse"')
    manifest.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"imported.jsonl:3: damaged import"):
        load_vlsu(folder)


def test_image_file_names_never_collide() -> None:
    from framing.data.download import safe_stem

    assert safe_stem("3f2a9c1e-0b7d-4c55-9e0a-1d2c3b4a5f60") == (
        "3f2a9c1e-0b7d-4c55-9e0a-1d2c3b4a5f60")
    odd = ["a/b", "a_b", "a b", "../a", ".hidden", "a.b", "ü"]
    stems = [safe_stem(k) for k in odd]
    assert len(set(stems)) == len(odd)
    assert all("/" not in s and not s.startswith(".") and s for s in stems)
