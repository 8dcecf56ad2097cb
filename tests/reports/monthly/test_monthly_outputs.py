"""The monthly summary's three renderings: HTML preview, PDF (text via pypdf), Excel (openpyxl)."""
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

URL = "/reports/monthly/2026-11/"


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


@pytest.fixture
def bureau(client_for, inspector, november, fixed_today):
    return client_for(inspector)


def test_it_shows_the_preview_with_tables_and_downloads(bureau):
    response = bureau.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年11月文明创建工作分析小结" in html
    assert "郾城区第三实验小学" in html and "食堂卫生死角" in html
    assert "/reports/monthly/2026-11.pdf" in html and "/reports/monthly/2026-11.xlsx" in html
    assert "<svg" in html and "<script>" not in html


def test_pdf_has_the_title_block_units_figures_and_page_numbers(bureau):
    response = bureau.get("/reports/monthly/2026-11.pdf")
    assert response["Content-Type"] == "application/pdf"
    text, reader = pdf_text(response.content)
    assert "2026年11月文明创建工作分析小结" in text
    assert "漯河市郾城区教育局" in text
    for name in ["郾城区第一实验小学", "郾城区第二实验小学", "郾城区第三实验小学", "局办公室（文明办）"]:
        assert name in text
    assert "81.3%" in text  # bureau average score rate
    assert "33.3%" in text  # completion rate
    assert "食堂卫生死角" in text and "重阳节敬老志愿服务" in text
    assert "— 1 —" in reader.pages[0].extract_text()  # GB/T 9704 page numbers
    # The CJK fonts are embedded (as subsets), so the PDF prints the same anywhere.
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()):
                embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"} <= embedded  # the body, the title


def test_excel_has_four_sheets_frozen_headers_and_real_numbers(bureau):
    response = bureau.get("/reports/monthly/2026-11.xlsx")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["汇总", "单位明细", "未销号问题", "活动档案"]
    summary = wb["汇总"]
    assert summary["A1"].value.startswith("2026年11月文明创建工作分析小结")
    assert [c.value for c in summary[2]] == ["项目", "本月", "上月", "变化"]
    assert summary.freeze_panes == "A3"
    rows = {r[0]: r[1:] for r in summary.iter_rows(min_row=3, values_only=True)}
    assert rows["平均得分率"] == (pytest.approx(0.813), pytest.approx(0.5), "上升")
    assert rows["发现问题"] == (4, 1, "上升")
    rate_cell = next(r for r in summary.iter_rows(min_row=3) if r[0].value == "任务完成率")[1]
    assert rate_cell.number_format == "0.0%" and rate_cell.value == pytest.approx(1 / 3)

    units = wb["单位明细"]
    assert units.freeze_panes == "A3"
    header = [c.value for c in units[2]]
    assert header[:6] == ["序号", "单位", "类别", "到期任务", "已完成", "完成率"]
    a = next(r for r in units.iter_rows(min_row=3) if r[1].value == "郾城区第一实验小学")
    values = dict(zip(header, a))
    assert values["完成率"].value == 0.5 and values["完成率"].number_format == "0.0%"
    assert values["得分率"].value == pytest.approx(0.85) and values["排名"].value == 1
    assert values["平均整改天数"].value == 3.0
    assert values["责任书已签订"].value == "是"
    assert units.column_dimensions["B"].width >= 28

    problems = wb["未销号问题"]
    listed = list(problems.iter_rows(min_row=3, values_only=True))
    assert len(listed) == 3
    formula_like = next(r for r in problems.iter_rows(min_row=3) if r[1].value == "郾城区第一实验小学")
    assert formula_like[2].value == "=宣传栏内容过期" and formula_like[2].data_type == "s"
    assert formula_like[6].value == datetime(2026, 11, 21) and formula_like[6].is_date
    assert formula_like[8].value == 9

    activities = list(wb["活动档案"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[7]) for r in activities] == [
        ("郾城区第一实验小学", "重阳节敬老志愿服务", 3), ("郾城区第一实验小学", "文明礼仪主题班会", 1)]
    assert activities[0][3] == datetime(2026, 11, 5)


def test_a_bad_month_is_404(bureau):
    assert bureau.get("/reports/monthly/2026-13/").status_code == 404
    assert bureau.get("/reports/monthly/2026-00.pdf").status_code == 404
    assert bureau.get("/reports/monthly/1999-01.xlsx").status_code == 404


def test_one_units_pdf_is_titled_with_the_unit(bureau, november):
    response = bureau.get(f"/reports/monthly/2026-11.pdf?unit={november['B'].pk}")
    text, _ = pdf_text(response.content)
    # The unit's name is the title's first line.
    assert "郾城区第二实验小学\n2026年11月文明创建工作分析小结" in text
    assert "郾城区第一实验小学" not in text
    assert "排第 1 名" in text.replace("\n", "")


def test_preview_query_count_does_not_grow_with_units(bureau, django_assert_max_num_queries):
    from ledgers.models import Unit, UnitKind

    from ledgers import versions

    bureau.get(URL)  # session and user loaded once
    versions.clear()  # the summary computed, not taken from the cache (both times)
    # 19 (the tasks' items: one-off and periodic, ledgers.rules.TaskItems), the data versions read
    # (ledgers.versions), and counter 0 read before the signed-in user (cold cache)
    with django_assert_max_num_queries(21) as small:
        bureau.get(URL)
    for n in range(20):
        Unit.objects.create(name=f"测试学校{n}", kind=UnitKind.SCHOOL, code=f"t{n}")
    versions.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        bureau.get(URL)
