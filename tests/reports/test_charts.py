"""SVG charts: labels escaped, bars proportional, usable inside a PDF as text."""
import io
import re

from pypdf import PdfReader

from reports.charts import bar_chart, line_chart
from reports.pdf import render_html_to_pdf


def bar_widths(svg):
    return [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)" height="\d+" fill="#b3261e"', svg)]


def test_bars_are_proportional_to_values():
    svg = bar_chart([("郾城区第一实验小学", 90), ("郾城区第二实验小学", 45), ("督导室", 0)], max_value=100)
    full, half, zero = bar_widths(svg)
    assert abs(half * 2 - full) < 0.2
    assert zero == 0
    assert "90" in svg and "郾城区第二实验小学" in svg


def test_labels_are_escaped_and_links_kept():
    svg = bar_chart([("<script>alert(1)</script>", 3, "/reports/?unit=1&x=2")])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'href="/reports/?unit=1&amp;x=2"' in svg


def test_line_chart_leaves_gaps_for_missing_weeks():
    svg = line_chart([("第1周", 80), ("第2周", 85), ("第3周", None), ("第4周", 90), ("第5周", 92)])
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 4


def test_chart_labels_are_searchable_text_in_a_pdf():
    svg = bar_chart([("郾城区第一实验小学", 88.5)], decimals=1, suffix="分", title="督查平均分")
    data = render_html_to_pdf(f'<html lang="zh-CN"><body>{svg}</body></html>')
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "郾城区第一实验小学" in text
    assert "88.5" in text


def narrow_part(html):
    return html[html.index('class="chart-narrow"'):]


def test_responsive_bar_chart_has_a_phone_layout_that_is_never_scaled_down():
    html = bar_chart([("郾城区第一实验小学", 90, "/a/"), ("督导室", 45, "/b/")], max_value=100, suffix="%",
                     title="督查平均得分率", responsive=True)
    wide, narrow = html[:html.index('class="chart-narrow"')], narrow_part(html)
    assert 'viewBox="0 0 640' in wide
    assert "viewBox" not in narrow and 'width="100%"' in narrow  # drawn at the box's width, not shrunk
    assert min(int(size) for size in re.findall(r'font-size="(\d+)"', narrow)) >= 12
    # Bars as percentages of the box, proportional; the label sits above its bar.
    assert re.findall(r'width="([\d.]+)%" height="10" rx="2" fill="#b3261e"', narrow) == ["90.0", "45.0"]
    label_y = float(re.search(r'<text x="0" y="([\d.]+)"[^>]*>郾城区第一实验小学', narrow).group(1))
    bar_y = float(re.search(r'<rect x="0" y="([\d.]+)" width="90.0%"', narrow).group(1))
    assert label_y < bar_y
    assert 'href="/a/"' in narrow and "90%" in narrow


def test_phone_layout_clips_very_long_labels_and_keeps_the_full_name_as_a_tooltip():
    name = "郾城区某某镇第一初级中学附属实验幼儿园分园"
    narrow = narrow_part(bar_chart([(name, 3)], responsive=True))
    assert "…" in narrow and f"<title>{name}</title>" in narrow


def test_line_chart_ticks_adapt_to_the_width():
    points = [(f"{week}周", 80) for week in range(1, 53)]
    html = line_chart(points, responsive=True)
    wide, narrow = html[:html.index('class="chart-narrow"')], narrow_part(html)
    assert 5 < len(re.findall(r">\d+周</text>", wide)) <= 12
    assert 2 <= len(re.findall(r">\d+周</text>", narrow)) <= 5
    assert 'vector-effect="non-scaling-stroke"' in narrow


def test_line_chart_without_points_says_so():
    assert "本年度还没有督查记录" in line_chart([], responsive=True, empty_text="本年度还没有督查记录")
