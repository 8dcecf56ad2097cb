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
