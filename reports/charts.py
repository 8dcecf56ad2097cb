"""Small charts drawn as SVG markup: the same chart in the HTML page and in the PDF.

No image files and no JavaScript: each function returns safe SVG text. Labels are escaped.
Fonts are named explicitly so WeasyPrint draws Chinese labels as text (searchable in the PDF).
"""
from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"
BAR = "#b3261e"
GRID = "#dddddd"


def _fmt(value, decimals):
    if value is None:
        return "—"
    return f"{value:.{decimals}f}"


def bar_chart(items, *, max_value=None, suffix="", decimals=0, width=640, bar_height=18,
              label_width=170, title=""):
    """Horizontal bars. `items`: [(label, value, href_or_None), ...] (href optional)."""
    rows = [(item[0], item[1], item[2] if len(item) > 2 else None) for item in items]
    top = 22 if title else 4
    gap = 6
    height = top + len(rows) * (bar_height + gap) + 4
    values = [value for _, value, _ in rows if value is not None]
    scale_max = max_value or (max(values) if values else 0) or 1
    plot = width - label_width - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'font-family="{FONT}" font-size="12">']
    if title:
        parts.append(f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>')
    for index, (label, value, href) in enumerate(rows):
        y = top + index * (bar_height + gap)
        length = 0 if value is None else max(0.0, min(1.0, value / scale_max)) * plot
        text_y = y + bar_height * 0.75
        bar = (f'<text x="{label_width - 6}" y="{text_y:.1f}" text-anchor="end">{escape(label)}</text>'
               f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" fill="#f4f4f4"/>'
               f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{BAR}"/>'
               f'<text x="{label_width + length + 4:.1f}" y="{text_y:.1f}">{_fmt(value, decimals)}{escape(suffix)}</text>')
        if href:
            bar = f'<a href="{escape(href)}">{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(points, *, width=640, height=180, max_value=None, suffix="", decimals=1, title=""):
    """A line over labelled points (e.g. weekly average scores); None values leave a gap."""
    left, right, top, bottom = 36, 10, 24 if title else 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [value for _, value in points if value is not None]
    scale_max = max_value or (max(values) if values else 0) or 1
    step = plot_w / max(len(points) - 1, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'font-family="{FONT}" font-size="10">']
    if title:
        parts.append(f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>')
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{_fmt(scale_max * fraction, 0)}</text>')
    segment = []
    segments = [segment]
    for index, (label, value) in enumerate(points):
        x = left + index * step
        if value is None:
            segment = []
            segments.append(segment)
        else:
            y = top + plot_h * (1 - max(0.0, min(1.0, value / scale_max)))
            segment.append((x, y))
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{BAR}">'
                         f'<title>{escape(label)}：{_fmt(value, decimals)}{escape(suffix)}</title></circle>')
        every = max(1, len(points) // 12)
        if index % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>')
    for seg in segments:
        if len(seg) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
