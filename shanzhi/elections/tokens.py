"""QR codes (segno) for 选民证 and ballot serials."""

import segno


def qr_svg(data: str, scale: int = 3) -> str:
    return segno.make(data, error="m").svg_inline(scale=scale, dark="#000", omitsize=True)
