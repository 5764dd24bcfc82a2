"""What an uploaded file is, judged by its bytes and never by its name, and what is stored.

`prepare` reads one upload completely in memory and either returns what to store (the
bytes — photos without their GPS position unless asked to keep it, HEIC converted to JPEG —
and a thumbnail) or raises a ValidationError with a Chinese message naming the file.
Nothing here touches the storage: a refused batch leaves no file behind.
"""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from taizhang.attachments.models import EXTENSIONS, KIND_LABELS

try:  # Optional: without pillow-heif a HEIC photo is refused with a message saying so.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - the pinned dependency is installed in CI
    HEIF = False

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPTED = "JPG、PNG、HEIC 照片，PDF、Word（.docx）、Excel（.xlsx）文件"
GPS_IFD = 0x8825
THUMB_SIZE = (320, 320)
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
# Office files: the part that makes a zip a Word document or an Excel workbook, and the
# main content type [Content_Types].xml must declare for it.
OFFICE = {
    DOCX: ("word/document.xml", "wordprocessingml.document.main+xml"),
    XLSX: ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
}
MAX_ZIP_MEMBERS = 5000


@dataclass
class Prepared:
    name: str
    data: bytes
    content_type: str
    sha256: str
    ext: str
    width: int | None = None
    height: int | None = None
    thumb: bytes | None = None
    converted_from: str = ""


def refuse(message: str) -> ValidationError:
    return ValidationError({"files": [message]})


def limits() -> dict[str, int]:
    cfg = settings.TAIZHANG
    return {
        "max_bytes": cfg["ATTACH_MAX_BYTES"],
        "max_files": cfg["ATTACH_MAX_FILES"],
        "max_uncompressed": cfg["ATTACH_MAX_UNCOMPRESSED"],
        "max_ratio": cfg["ATTACH_MAX_RATIO"],
    }


def clean_name(raw: str) -> str:
    """The name as given, refused when it carries a path or invisible characters.

    Django's upload parser already keeps only the last path component of a browser's
    filename; this check is for every other caller (API clients building File objects,
    commands) and is what the tests exercise. The name is never used as a path anyway:
    files are stored under a random name."""
    name = unicodedata.normalize("NFC", str(raw or "")).strip()
    if not name:
        raise refuse("文件缺少文件名")
    if len(name) > 200:
        raise refuse(f"文件名过长（{len(name)} 个字符，最多 200 个）：「{name[:40]}…」")
    bad = (
        "/" in name
        or "\\" in name
        or name in {".", ".."}
        or name.startswith("..")
        or ":" in name
        or any(not ch.isprintable() for ch in name)
    )
    if bad:
        raise refuse(
            f"文件名「{name[:80]}」含有路径或特殊字符（如 ../、/、\\、:），"
            "请改为普通文件名后重新上传"
        )
    return name


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    return f"{n / 1024:.0f} KB"


def _read(upload: IO[bytes] | Any, name: str, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    limit = human_size(max_bytes)
    if size is not None and size > max_bytes:
        raise refuse(f"文件「{name}」大小 {size / 1024 / 1024:.1f} MB，超过上限 {limit}")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise refuse(f"文件「{name}」超过大小上限 {limit}")
    if not data:
        raise refuse(f"文件「{name}」是空文件")
    return data


def sniff(data: bytes) -> str | None:
    """The content type the bytes say, among those we accept ('zip' for any zip)."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


def _what_it_is(data: bytes) -> str:
    """A name for refused content, so the message says what was found."""
    head = data[:512].lstrip().lower()
    if data.startswith(b"MZ") or data.startswith(b"\x7fELF"):
        return "可执行程序"
    if head.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")):
        return "网页或脚本（HTML/SVG/XML）"
    if data.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "压缩包"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "旧版 Office 文件（.doc/.xls）"
    return "不支持的类型"


def _office(data: bytes, name: str, lim: dict[str, int]) -> str:
    """DOCX or XLSX, after checking that inflating it could not exhaust the disk or memory."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse(f"文件「{name}」已损坏，无法作为 Word/Excel 文件读取") from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if (
        len(infos) > MAX_ZIP_MEMBERS
        or total > lim["max_uncompressed"]
        or total / packed > lim["max_ratio"]
    ):
        raise refuse(
            f"文件「{name}」解压后过大（{total / 1024 / 1024:.0f} MB，压缩比 {total / packed:.0f} 倍），"
            "疑似“压缩炸弹”，已拒收"
        )
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise refuse(f"文件「{name}」是压缩包，不是 Word（.docx）或 Excel（.xlsx）文件")
    try:
        with zf.open("[Content_Types].xml") as f:
            types = f.read(1024 * 1024).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, RuntimeError):
        raise refuse(f"文件「{name}」已损坏，无法作为 Word/Excel 文件读取") from None
    for ctype, (part, main) in OFFICE.items():
        if part in names and main in types:
            return ctype
    raise refuse(f"文件「{name}」是压缩包，不是 Word（.docx）或 Excel（.xlsx）文件")


def _has_location(img: Image.Image) -> bool:
    exif = img.getexif()
    if exif.get(GPS_IFD):
        return True
    xmp = img.info.get("xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode()
    return b"GPS" in xmp


def _open(data: bytes, name: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # A picture of a billion pixels is an attack on memory, not a photo.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            img.load()
        return img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(f"图片「{name}」像素过多，已拒收") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise refuse(f"图片「{name}」已损坏，无法读取") from None


def _without_location(img: Image.Image, fmt: str) -> bytes:
    """The photo re-saved without its GPS block and XMP (which can repeat the position)."""
    exif = img.getexif()
    exif.pop(GPS_IFD, None)
    out = io.BytesIO()
    if fmt == "JPEG":
        quality: Any = "keep" if img.format == "JPEG" else 90
        img.save(out, "JPEG", exif=exif.tobytes(), quality=quality, xmp=b"")
    else:
        img.save(out, "PNG", exif=exif.tobytes())
    return out.getvalue()


def _thumbnail(img: Image.Image) -> bytes:
    thumb = ImageOps.exif_transpose(img.copy())
    thumb.thumbnail(THUMB_SIZE)
    if thumb.mode not in ("RGB", "L"):
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)  # no exif passed: a thumbnail carries no metadata
    return out.getvalue()


def _image(data: bytes, name: str, ctype: str, keep_location: bool) -> Prepared:
    img = _open(data, name)
    converted = ""
    if ctype == "image/heic":
        # Browsers cannot show HEIC: keep a JPEG, with the position only when asked.
        converted = "HEIC"
        rgb = img.convert("RGB")
        exif = img.getexif()
        if not keep_location:
            exif.pop(GPS_IFD, None)
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=90, exif=exif.tobytes())
        data, ctype = out.getvalue(), JPEG
        img = _open(data, name)
    elif not keep_location and _has_location(img):
        data = _without_location(img, "JPEG" if ctype == JPEG else "PNG")
        img = _open(data, name)
    width, height = ImageOps.exif_transpose(img.copy()).size
    return Prepared(
        name=name,
        data=data,
        content_type=ctype,
        sha256="",
        ext=EXTENSIONS[ctype][0],
        width=width,
        height=height,
        thumb=_thumbnail(img),
        converted_from=converted,
    )


def prepare(
    upload: Any, *, keep_location: bool = False, lim: dict[str, int] | None = None
) -> Prepared:
    """One upload checked and made ready to store; a ValidationError (Chinese) otherwise."""
    lim = lim or limits()
    name = clean_name(getattr(upload, "name", ""))
    data = _read(upload, name, lim["max_bytes"])
    ext = os.path.splitext(name)[1].lower()
    found = sniff(data)
    if found is None:
        claimed = next((t for t, exts in EXTENSIONS.items() if ext in exts), None)
        what = _what_it_is(data)
        if claimed is not None:
            raise refuse(
                f"文件「{name}」的扩展名是 {ext}，但内容是{what}，不是{_label(claimed)}，已拒收"
            )
        raise refuse(f"文件「{name}」的内容是{what}，只接受{ACCEPTED}")
    if found == "image/heic":
        if not HEIF:
            raise refuse(
                f"照片「{name}」是 HEIC 格式，本系统未安装 HEIC 转换组件，请先转为 JPG 再上传"
            )
        if ext not in {".heic", ".heif"}:
            raise refuse(f"文件「{name}」的扩展名是 {ext}，但内容是 HEIC 照片，请改正扩展名")
    elif found == "zip":
        found = _office(data, name, lim)
    if found != "image/heic" and ext not in EXTENSIONS[found]:
        raise refuse(
            f"文件「{name}」的扩展名与内容不符：内容是{_label(found)}，"
            f"扩展名应为 {'、'.join(EXTENSIONS[found])}"
        )
    if found in (JPEG, PNG, "image/heic"):
        prepared = _image(data, name, found, keep_location)
    else:
        prepared = Prepared(name=name, data=data, content_type=found, sha256="", ext=ext)
    prepared.sha256 = hashlib.sha256(prepared.data).hexdigest()
    return prepared


def _label(ctype: str) -> str:
    return KIND_LABELS.get(ctype, ctype)
