"""Sample uploads for the attachment tests: good files of every accepted type and the bad
ones the acceptance names (oversize, HTML renamed .jpg, .exe, zip bomb, path traversal)."""

from __future__ import annotations

import io
import zipfile

from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (35.0, 45.0, 0.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (114.0, 17.0, 0.0),
}


def photo_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), gps: bool = True) -> bytes:
    img = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    if gps:
        exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    img.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def jpeg(name: str = "现场照片.jpg", **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(**kw), content_type="image/jpeg")


def png(name: str = "截图.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", (64, 48), (0, 128, 0, 255)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def heic(name: str = "IMG_0001.HEIC") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes("HEIF", (320, 240)), content_type="image/heic")


def pdf(name: str = "验收报告.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def office(kind: str = "docx", extra: tuple[str, int] | None = None) -> bytes:
    main = {
        "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
        "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    }[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types><Override PartName="/'
            + main[0]
            + '" ContentType="application/vnd.openxmlformats-officedocument.'
            + main[1]
            + '"/></Types>',
        )
        zf.writestr(main[0], "<document/>")
        if extra:
            # A member that inflates to `size` bytes of zeros from a few kilobytes.
            name, size = extra
            with zf.open(name, "w") as member:
                chunk = bytes(1024 * 1024)
                for _ in range(size // len(chunk)):
                    member.write(chunk)
    return out.getvalue()


def docx(name: str = "情况说明.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, office("docx"))


def xlsx(name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, office("xlsx"))


def oversize(mb: int = 25) -> SimpleUploadedFile:
    # Starts like a JPEG: the size alone must refuse it.
    return SimpleUploadedFile("大照片.jpg", b"\xff\xd8\xff\xe0" + bytes(mb * 1024 * 1024))


def html_as_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "photo.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "image/jpeg"
    )


def exe() -> SimpleUploadedFile:
    return SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + bytes(2000))


def zip_bomb() -> SimpleUploadedFile:
    return SimpleUploadedFile("炸弹.docx", office("docx", ("word/media/zeros.bin", 64 * 1024**2)))


def traversal() -> File:
    """A file named with a path, as a non-browser caller may hand it over (Django's own
    upload parser and UploadedFile already cut a path down to its last component)."""
    f = File(io.BytesIO(photo_bytes(gps=False)), name="../../etc/x.jpg")
    f.size = len(f.file.getvalue())
    return f
