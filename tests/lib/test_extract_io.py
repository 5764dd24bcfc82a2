"""`read_text_file()` and the `taizhang extract` command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from taizhang.lib.extract import ExtractInputError, cli_main, read_text_file

SAMPLE = "2024年工作重点\n全年城镇新增就业3760人以上，新开工项目30个以上。\n"


def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    plain = tmp_path / "a.txt"
    plain.write_bytes(SAMPLE.encode("utf-8"))
    bom = tmp_path / "b.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    assert read_text_file(plain) == SAMPLE
    assert read_text_file(str(bom)) == SAMPLE


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_family(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "gbk.txt"
    text = SAMPLE + "脱贫群众人均纯收入增长13.8%。\n"
    path.write_bytes(text.encode(encoding))
    assert read_text_file(path) == text


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes(SAMPLE.encode("utf-16"))
    assert read_text_file(path) == SAMPLE


def test_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("2024年工作重点")
    document.add_paragraph("全年城镇新增就业3760人以上。")
    path = tmp_path / "report.docx"
    document.save(str(path))
    assert read_text_file(path) == "2024年工作重点\n全年城镇新增就业3760人以上。"


def test_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"\xef\xbb\xbf \n\n")
    for path in (empty, blank):
        with pytest.raises(ExtractInputError, match="为空"):
            read_text_file(path)


def test_binary_files(tmp_path: Path) -> None:
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"abc\x00\x01\x02def")
    with pytest.raises(ExtractInputError, match="二进制"):
        read_text_file(nul)
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes([0x81, 0x30, 0x81, 0x30]) + bytes([0x80, 0xFF]) * 50)
    with pytest.raises(ExtractInputError):
        read_text_file(noise)
    fake_docx = tmp_path / "fake.docx"
    fake_docx.write_bytes(b"this is not a zip")
    with pytest.raises(ExtractInputError, match="Word"):
        read_text_file(fake_docx)


def test_error_is_value_error_subclass() -> None:
    assert issubclass(ExtractInputError, ValueError)


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(("新增就业1人。" * 100).encode("utf-8"))
    with pytest.raises(ExtractInputError, match="1000 字节"):
        read_text_file(path, max_bytes=1000)
    assert read_text_file(path, max_bytes=10_000).startswith("新增就业")


def test_default_size_limit_is_20_mb(tmp_path: Path) -> None:
    # A sparse file just over the limit, so the test writes almost nothing.
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(ExtractInputError, match="20 MB"):
        read_text_file(big)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractInputError, match="不存在"):
        read_text_file(tmp_path / "nope.txt")


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_json(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    code, out, err = run_cli([str(path), "--year", "2024", "--format", "json"])
    assert code == 0 and not err
    data = json.loads(out)
    assert data[0]["name"] == "城镇新增就业" and data[0]["value"] == 3760
    assert data[0]["comparator"] == ">=" and data[0]["period"] == 2024
    assert "城镇新增就业" in out  # ensure_ascii=False keeps Chinese readable
    assert out.startswith("[\n  {")  # indent=2


def test_cli_default_format_is_json_and_year_override(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    code, out, _ = run_cli([str(path), "--year", "2030"])
    assert code == 0 and {d["period"] for d in json.loads(out)} == {2030}


def test_cli_table(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    code, out, _ = run_cli([str(path), "--format", "table"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("类型") and "城镇新增就业" in out and "3760" in out
    assert len(lines) == 4  # header, rule, two indicators
    # Columns line up in display width (CJK counts double): the value column
    # starts at the same screen column on every row.
    cols = [_display_col(line, cell) for line, cell in zip(lines[2:], ("3760", "30"), strict=True)]
    assert cols[0] == cols[1] == _display_col(lines[0], "数值")


def _display_col(line: str, cell: str) -> int:
    import unicodedata

    prefix = line[: line.index(cell)]
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in prefix)


def test_cli_errors(tmp_path: Path) -> None:
    code, out, err = run_cli([str(tmp_path / "missing.txt")])
    assert code == 2 and not out and "文件不存在" in err
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    code, _, err = run_cli([str(empty)])
    assert code == 2 and "为空" in err
    code, _, err = run_cli([str(empty), "--format", "xml"])
    assert code == 2


def test_cli_accepts_subcommand_name(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    assert run_cli(["extract", str(path)])[0] == 0
