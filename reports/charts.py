"""Small charts drawn as SVG markup: the same chart in the HTML page and in the PDF.

No image files and no JavaScript: each function returns safe SVG text. Labels are escaped.
Fonts are named explicitly so WeasyPrint draws Chinese labels as text (searchable in the PDF).

Each chart has two layouts from the same data:
- wide (the default, and the only one in PDFs): a fixed viewBox that scales to its box;
- narrow (phones): no viewBox, so nothing is scaled down — positions are percentages of the
  box's width and every label keeps its font size in CSS pixels; bar labels sit above their bars
  and the time axis shows fewer ticks.
`responsive=True` returns both inside `<div class="chart-responsive">`; reports.css shows the
narrow one when the chart's box is narrower than the wide layout (container query, with a media
query for browsers without them).
"""
import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"
BAR = "#b3261e"
GRID = "#dddddd"
TRACK = "#f4f4f4"
TEXT = "#212529"
MUTED = "#555555"

# Narrow layout: sizes in CSS pixels (never scaled), the page's reading sizes.
NARROW_LABEL = 14
NARROW_TICK = 12
NARROW_TICKS = 5  # at most this many week labels under a phone's time axis
WIDE_TICKS = 12
NARROW_LABEL_EMS = 15  # a label longer than this (in CJK character widths) is clipped with "…"


def _fmt(value, decimals):
    if value is None:
        return "—"
    return f"{value:.{decimals}f}"


def _ems(text):
    """Approximate width of `text` in CJK character widths (Latin digits and letters ~0.6)."""
    return sum(1 if ord(ch) > 0x2E80 else 0.6 for ch in text)


def _clip(text, ems):
    if _ems(text) <= ems:
        return text
    out = ""
    for ch in text:
        if _ems(out + ch) > ems - 1:
            break
        out += ch
    return out + "…"


def _svg_open(width, height, title, font_size, viewbox=True, font=FONT):
    size = f'width="{width}" height="{height}" viewBox="0 0 {width} {height}"' if viewbox \
        else f'width="100%" height="{height}"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" {size} role="img" '
            f'aria-label="{escape(title)}" font-family="{font}" font-size="{font_size}">')


def _responsive(wide, narrow):
    return mark_safe(f'<div class="chart-responsive"><div class="chart-wide">{wide}</div>'
                     f'<div class="chart-narrow">{narrow}</div></div>')


def _tick_every(count, ticks):
    return max(1, math.ceil(count / ticks))


# --- horizontal bars -------------------------------------------------------------------------

def bar_chart(items, *, max_value=None, suffix="", decimals=0, width=640, bar_height=18,
              label_width=170, title="", responsive=False, font=FONT):
    """Horizontal bars. `items`: [(label, value, href_or_None), ...] (href optional).

    responsive=True: the wide and the narrow (phone) layout, switched by CSS. `font`: the
    font-family of the wide layout (a PDF passes its body face: WeasyPrint draws SVG text in the
    font the SVG names, not in the document's).
    """
    rows = [(item[0], item[1], item[2] if len(item) > 2 else None) for item in items]
    values = [value for _, value, _ in rows if value is not None]
    scale_max = max_value or (max(values) if values else 0) or 1
    wide = _bar_wide(rows, scale_max, suffix, decimals, width, bar_height, label_width, title, font)
    if not responsive:
        return mark_safe(wide)
    return _responsive(wide, _bar_narrow(rows, scale_max, suffix, decimals, title))


def _fraction(value, scale_max):
    return 0.0 if value is None else max(0.0, min(1.0, value / scale_max))


def _bar_wide(rows, scale_max, suffix, decimals, width, bar_height, label_width, title, font=FONT):
    top = 22 if title else 4
    gap = 6
    height = top + len(rows) * (bar_height + gap) + 4
    plot = width - label_width - 60
    parts = [_svg_open(width, height, title, 12, font=font)]
    if title:
        parts.append(f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>')
    for index, (label, value, href) in enumerate(rows):
        y = top + index * (bar_height + gap)
        length = _fraction(value, scale_max) * plot
        text_y = y + bar_height * 0.75
        bar = (f'<text x="{label_width - 6}" y="{text_y:.1f}" text-anchor="end">{escape(label)}</text>'
               f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" fill="{TRACK}"/>'
               f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{BAR}"/>'
               f'<text x="{label_width + length + 4:.1f}" y="{text_y:.1f}">{_fmt(value, decimals)}{escape(suffix)}</text>')
        if href:
            bar = f'<a href="{escape(href)}">{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return "".join(parts)


def _bar_narrow(rows, scale_max, suffix, decimals, title):
    # Per row: the label (left) and the value (right) on one line, the bar under them, full width.
    top = 26 if title else 2
    row_height = 44
    height = top + len(rows) * row_height
    parts = [_svg_open(0, height, title, NARROW_LABEL, viewbox=False)]
    if title:
        parts.append(f'<text x="0" y="17" font-size="{NARROW_LABEL + 1}" font-weight="bold" fill="{TEXT}">'
                     f'{escape(title)}</text>')
    for index, (label, value, href) in enumerate(rows):
        y = top + index * row_height
        shown = _clip(str(label), NARROW_LABEL_EMS)
        percent = _fraction(value, scale_max) * 100
        row = (f'<rect x="0" y="{y}" width="100%" height="{row_height}" fill="transparent"/>'
               f'<text x="0" y="{y + 17}" fill="{TEXT}">{escape(shown)}'
               f'{f"<title>{escape(label)}</title>" if shown != label else ""}</text>'
               f'<text x="100%" y="{y + 17}" text-anchor="end" font-weight="bold" fill="{TEXT}">'
               f'{_fmt(value, decimals)}{escape(suffix)}</text>'
               f'<rect x="0" y="{y + 24}" width="100%" height="10" rx="2" fill="{TRACK}"/>'
               f'<rect x="0" y="{y + 24}" width="{percent:.1f}%" height="10" rx="2" fill="{BAR}"/>')
        if href:
            row = f'<a href="{escape(href)}">{row}</a>'
        parts.append(row)
    parts.append("</svg>")
    return "".join(parts)


# --- a line over time ------------------------------------------------------------------------

def line_chart(points, *, width=640, height=180, max_value=None, suffix="", decimals=1, title="",
               responsive=False, empty_text="暂无数据"):
    """A line over labelled points (e.g. weekly average scores); None values leave a gap.

    responsive=True: the wide and the narrow (phone) layout, switched by CSS.
    """
    values = [value for _, value in points if value is not None]
    scale_max = max_value or (max(values) if values else 0) or 1
    wide = _line_wide(points, scale_max, suffix, decimals, width, height, title, empty_text)
    if not responsive:
        return mark_safe(wide)
    return _responsive(wide, _line_narrow(points, scale_max, suffix, decimals, title, empty_text))


def _segments(points, position):
    """Runs of consecutive points with a value: [[(x, y), ...], ...] via position(index, value)."""
    segments, segment = [], []
    for index, (_, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(position(index, value))
    if segment:
        segments.append(segment)
    return segments


def _line_wide(points, scale_max, suffix, decimals, width, height, title, empty_text):
    left, right, top, bottom = 36, 14, 24 if title else 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)
    parts = [_svg_open(width, height, title, 12)]
    if title:
        parts.append(f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>')
    if not points:
        parts.append(f'<text x="{left}" y="{top + plot_h / 2:.1f}" fill="{MUTED}">{escape(empty_text)}</text></svg>')
        return "".join(parts)
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(scale_max * fraction, 0)}</text>')

    def position(index, value):
        return left + index * step, top + plot_h * (1 - _fraction(value, scale_max))

    every = _tick_every(len(points), WIDE_TICKS)
    for index, (label, value) in enumerate(points):
        x = left + index * step
        if value is not None:
            _, y = position(index, value)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{BAR}">'
                         f'<title>{escape(label)}：{_fmt(value, decimals)}{escape(suffix)}</title></circle>')
        if index % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 5}" text-anchor="middle">{escape(label)}</text>')
    for seg in _segments(points, position):
        if len(seg) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def _line_narrow(points, scale_max, suffix, decimals, title, empty_text):
    # x positions are percentages of the box; the line itself is drawn in a nested SVG stretched
    # over the plot (preserveAspectRatio="none", strokes not scaled), so nothing scales the text.
    left, right = 13.0, 7.0  # percent of the width: y labels on the left, room for the last tick
    top = 34 if title else 10
    plot_h, bottom = 140, 26
    height = top + plot_h + bottom
    parts = [_svg_open(0, height, title, NARROW_TICK, viewbox=False)]
    if title:
        parts.append(f'<text x="0" y="17" font-size="{NARROW_LABEL + 1}" font-weight="bold" fill="{TEXT}">'
                     f'{escape(title)}</text>')
    if not points:
        parts.append(f'<text x="0" y="{top + 40}" font-size="{NARROW_LABEL}" fill="{MUTED}">'
                     f'{escape(empty_text)}</text></svg>')
        return "".join(parts)
    span = 100 - left - right
    step = span / max(len(points) - 1, 1)
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}%" y1="{y:.1f}" x2="{100 - right}%" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 2}%" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                     f'{_fmt(scale_max * fraction, 0)}</text>')

    def position(index, value):
        return index * step, top + plot_h * (1 - _fraction(value, scale_max))

    # The line: a nested SVG over the plot's width, in units of percent of that width.
    parts.append(f'<svg x="{left}%" y="0" width="{span}%" height="{height}" viewBox="0 0 {span} {height}" '
                 f'preserveAspectRatio="none" overflow="visible">')
    for seg in _segments(points, position):
        if len(seg) > 1:
            path = " ".join(f"{x:.2f},{y:.1f}" for x, y in seg)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2" '
                         f'vector-effect="non-scaling-stroke"/>')
    parts.append("</svg>")
    every = _tick_every(len(points), NARROW_TICKS)
    for index, (label, value) in enumerate(points):
        x = left + index * step
        if value is not None:
            _, y = position(index, value)
            parts.append(f'<circle cx="{x:.2f}%" cy="{y:.1f}" r="3.5" fill="{BAR}">'
                         f'<title>{escape(label)}：{_fmt(value, decimals)}{escape(suffix)}</title></circle>')
        if index % every == 0:
            parts.append(f'<text x="{x:.2f}%" y="{height - 7}" text-anchor="middle" fill="{MUTED}">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
