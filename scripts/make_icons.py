"""Draw the web app's icons once (taizhang/web/static/taizhang/icons/); the PNGs are committed.

Run again only to change the design: /work/main/.venv/bin/python scripts/make_icons.py
The glyph "台" needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "taizhang/web/static/taizhang/icons"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
BRAND = (179, 18, 31)


def icon(size: int) -> Image.Image:
    img = Image.new("RGB", (size, size), BRAND)
    draw = ImageDraw.Draw(img)
    # The glyph stays inside the central 80 % so the icon survives a "maskable" crop.
    font = ImageFont.truetype(FONT, int(size * 0.56), index=2)  # index 2: the SC face
    draw.text((size / 2, size / 2), "台", font=font, fill="white", anchor="mm")
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for n in (192, 512):
        icon(n).save(OUT / f"icon-{n}.png", optimize=True)
    icon(256).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
