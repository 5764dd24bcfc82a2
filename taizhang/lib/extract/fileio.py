"""`read_text_file()`: load a report from .txt (UTF-8 / GBK / GB18030) or .docx."""

from __future__ import annotations

import os
import unicodedata
import zipfile
from pathlib import Path

from .models import ExtractInputError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"


def _limit_text(max_bytes: int) -> str:
    if max_bytes >= 1024 * 1024 and max_bytes % (1024 * 1024) == 0:
        return f"{max_bytes // (1024 * 1024)} MB"
    return f"{max_bytes} 字节"


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 (as saved by Windows Notepad) is the one encoding with NULs.
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ExtractInputError(f"无法识别文件编码：{name}") from exc
    if b"\x00" in raw:
        raise ExtractInputError(f"文件不是文本文件（含二进制内容）：{name}")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractInputError(f"无法识别文件编码（仅支持 UTF-8、GBK/GB18030 文本或 .docx）：{name}")


def _looks_binary(text: str) -> bool:
    """GB18030 decodes most byte soup, so judge the result: real text has
    almost no control characters."""
    sample = text[:65536]
    if not sample:
        return False
    controls = sum(
        1 for c in sample if c not in "\t\n\r\f\v" and unicodedata.category(c) in ("Cc", "Co", "Cs")
    )
    return controls > max(2, len(sample) // 100)


def _read_docx(path: Path) -> str:
    try:
        import docx  # python-docx; imported lazily so plain-text use stays light
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise ExtractInputError("读取 .docx 需要安装 python-docx") from exc
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExtractInputError(f"无法读取 Word 文档（文件损坏或不是 .docx）：{path.name}") from exc
    except Exception as exc:  # python-docx raises assorted lxml/package errors
        raise ExtractInputError(f"无法读取 Word 文档：{path.name}") from exc
    return "\n".join(p.text for p in document.paragraphs)


def read_text_file(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Text of a .txt or .docx file; raises ExtractInputError with a Chinese message."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError as exc:
        raise ExtractInputError(f"文件不存在：{p}") from exc
    except OSError as exc:
        raise ExtractInputError(f"无法读取文件：{p}（{exc.strerror or exc}）") from exc
    if p.is_dir():
        raise ExtractInputError(f"这是一个目录，不是文件：{p}")
    if size > max_bytes:
        raise ExtractInputError(f"文件过大：{p.name} 超过 {_limit_text(max_bytes)} 的限制")
    if size == 0:
        raise ExtractInputError(f"文件为空：{p.name}")
    try:
        with p.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ExtractInputError(f"无法读取文件：{p}（{exc.strerror or exc}）") from exc
    if p.suffix.lower() == ".docx" or head == _ZIP_MAGIC:
        if head != _ZIP_MAGIC:
            raise ExtractInputError(f"无法读取 Word 文档（文件损坏或不是 .docx）：{p.name}")
        text = _read_docx(p)
    else:
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise ExtractInputError(f"无法读取文件：{p}（{exc.strerror or exc}）") from exc
        text = _decode(raw, p.name)
        if _looks_binary(text):
            raise ExtractInputError(f"文件不是文本文件（含二进制内容）：{p.name}")
    if not text.strip():
        raise ExtractInputError(f"文件为空：{p.name}")
    return text
