"""QR codes of the survey links (segno, pure Python): inline SVG for the round's page and the poster
PDF (reports/surveys.py), sized by the page that shows it."""
import segno
from django.utils.safestring import mark_safe


def qr_svg(text, *, border=4):
    """`text` as a QR code (error correction M: a poster may get a crease or a stain), SVG markup
    with a viewBox and no fixed size."""
    code = segno.make(text, error="m")
    return mark_safe(code.svg_inline(border=border, omitsize=True, svgclass="qr", lineclass=None))
