"""The shared PDF and Excel helpers: Chinese text survives, formulas never run."""
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from reports import excel
from reports.pdf import render_html_to_pdf


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_keeps_chinese_text_and_rare_name_characters_extractable():
    html = ('<html lang="zh-CN"><body style="font-family: \'Noto Serif CJK SC\'">'
            "<p>文明创建工作分析小结 王喆 李堃 张珺</p></body></html>")
    text = pdf_text(render_html_to_pdf(html))
    assert "文明创建工作分析小结" in text
    assert "王喆" in text and "李堃" in text and "张珺" in text


def test_pdf_reads_images_from_storage_not_http(settings):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    name = default_storage.save("photos/test.jpg", ContentFile(buffer.getvalue()))
    data = render_html_to_pdf(f'<img src="storage:{name}"><p>照片</p>')
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages[0].images) == 1


def test_pdf_refuses_to_fetch_remote_urls():
    # WeasyPrint logs and skips resources the fetcher refuses: the PDF has no image.
    data = render_html_to_pdf('<img src="http://127.0.0.1:9/x.jpg"><p>正文</p>')
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 0


def test_workbook_sheets_have_title_frozen_header_and_real_cells():
    book = excel.Workbook()
    columns = [excel.Column("单位", 20), excel.Column("完成率", 10, "0.0%"),
               excel.Column("日期", 12), excel.Column("说明", 30, wrap=True)]
    moment = timezone.make_aware(datetime(2026, 11, 3, 9, 30))
    book.add_table_sheet("汇总", columns, [
        ["郾城区第一实验小学", 0.75, date(2026, 11, 2), "=HYPERLINK(\"http://x\")"],
        ["@SUM(A1)", excel.Formatted(3, "0.0"), moment, "+86 139"],
    ], heading="2026年11月文明创建工作分析小结")
    book.add_table_sheet("明细", columns[:2], [["-1", Decimal("0.5")]])
    wb = load_workbook(io.BytesIO(book.close()))
    assert wb.sheetnames == ["汇总", "明细"]
    ws = wb["汇总"]
    assert ws["A1"].value == "2026年11月文明创建工作分析小结"
    assert [c.value for c in ws[2]] == ["单位", "完成率", "日期", "说明"]
    assert ws.freeze_panes == "A3"
    assert ws["B3"].value == 0.75 and ws["B3"].number_format == "0.0%"
    assert ws["B4"].value == 3 and ws["B4"].number_format == "0.0"
    assert ws["C3"].value == datetime(2026, 11, 2) and ws["C3"].is_date
    assert ws["C4"].value == datetime(2026, 11, 3, 9, 30)  # naive, Asia/Shanghai
    assert ws["D3"].data_type == "s" and ws["D3"].value.startswith("=HYPERLINK")
    assert ws["A4"].data_type == "s" and ws["A4"].value == "@SUM(A1)"
    assert ws.column_dimensions["A"].width >= 20
    other = wb["明细"]
    assert other.freeze_panes == "A2"
    assert other["A2"].value == "-1" and other["A2"].data_type == "s"
    assert other["B2"].value == 0.5 and other["B2"].number_format == "0.0%"


@pytest.mark.parametrize("text,width", [("abc", 3), ("单位", 4), ("A单", 3)])
def test_text_width_counts_chinese_double(text, width):
    assert excel.text_width(text) == width


@pytest.mark.parametrize("rank,cell", [(7, "\u2007\u20077"), (123, "123"), (None, "\u2007\u2007—")])
def test_rank_cell_pads_with_figure_spaces(rank, cell):
    from reports.templatetags.report_tags import rank_cell

    assert rank_cell(rank) == cell


def test_the_workbook_accepts_any_text_a_user_can_type():
    columns = [excel.Column("说明\x0b"), excel.Column("备注")]
    rows = [("第一行\x0b第二行", "\x00\x08坏\x1f字符\ufffe"), ("=1+1\x0c", "正常")]
    data = excel.table_xlsx("表\x0b", columns, rows, heading="标题\x0b")
    cells = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert cells[0][0] == "标题\n" and cells[1] == ("说明\n", "备注")
    assert cells[2] == ("第一行\n第二行", "坏字符") and cells[3] == ("=1+1\n", "正常")
