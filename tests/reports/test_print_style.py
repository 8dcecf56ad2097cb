"""Every document prints like the bureau's own.

Every kind of PDF (GB/T 9704-2012 manner, one stylesheet: static/css/print.css), checked from the
PDF itself (tests/reports/printed.py reads it with poppler):

- only the four faces of the stylesheet, each in its role: the title in the heavy serif, 黑体
  first-level headings and table heads, 楷体 second-level headings, a 宋体 body;
- no heading (or table head) in the last 15 % of a page without text of the body beside or below it;
- "— N —" at the foot of every page (the covers of the binder and catalog carry none);
- the 落款 — the issuing office above the date — right-aligned at the end of every issued document;
- rare characters of names (堃喆珺𠮷䶮曌) extracted from every document that prints them.

Every Excel export (one helper: reports.excel.Workbook), reloaded with openpyxl: A4, landscape
where the columns are wider than a portrait page, one page wide, the header row repeated on every
page (print titles), a frozen header, an auto-filter on list sheets, a footer with the sheet's title
and "第 &P 页 共 &N 页", numbers as numbers.

The documents are made from the demo (what `bin/serve` shows, loaded once) with a school and its
activity renamed to carry the rare characters.
"""
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from ledgers.models import (Activity, Bulletin, Bureau, CampaignYear, Check, Problem, ResponsibilityLetter, Unit,
                            User)
from ledgers.services import bulletins as bulletin_service
from reports import binder, catalog, import_templates, login_slips, monthly, monthly_excel, problems_excel
from reports.jobs import documents as job_kinds
from reports.assessment import assessment, unit_sheet
from reports.assessment import documents as assessment_output
from reports.pdf import render_html_to_pdf, render_pdf
from reports.summaries import Month, monthly_summary
from reports.templatetags.report_tags import chinese_date
from tests.reports.printed import BLACK, BODY, FACES, GREEN, HEI, KAI, PAGE_NUMBER, RED, TITLE, Printed

# The same on any database (faces, sizes and colours of the printed documents):
# bin/test runs these in the SQLite phase only.
pytestmark = pytest.mark.database_independent

RARE = "堃喆珺𠮷䶮曌"
SCHOOL = f"郾城区{RARE}实验小学"
DISTRICT = "漯河市郾城区教育局"


def load_demo_with_rare_names():
    call_command("load_demo", stdout=io.StringIO())
    school = Unit.objects.get(name="郾城区第一实验小学")
    school.name = SCHOOL
    school.save()
    activity = Activity.objects.archived().filter(unit=school).order_by("date").first()
    activity.title = f"{RARE}家的中秋诵读会"
    activity.save()
    return school, Bureau.objects.get(name=DISTRICT)


def today():
    return chinese_date(timezone.localdate())


def last_month():
    return Month.parse(f"{timezone.localdate().replace(day=1) - timedelta(days=1):%Y-%m}")


# --- the documents: (PDF bytes, what it must show) ----------------------------------------------------

def monthly_bureau(school, district):
    summary = monthly_summary(last_month(), bureau=district)
    return monthly.monthly_pdf(summary), dict(
        title=summary.title, hei="一、总体情况", kai="说明", body="累计逾期任务",
        signoff=(f"{DISTRICT}文明创建工作领导小组办公室", today()), rare=SCHOOL)


def monthly_unit(school, district):
    summary = monthly_summary(last_month(), unit=school)
    return monthly.monthly_pdf(summary), dict(
        title=summary.title, hei="二、督查得分及排名", kai="说明", body="到期任务",
        signoff=(f"{DISTRICT}文明创建工作领导小组办公室", today()), rare=SCHOOL)


def bulletin(school, district):
    """A draft for a week in which the school was checked (the demo's published ones are frozen
    with the school's old name)."""
    inspector = User.objects.get(username="inspector")
    taken = set(Bulletin.objects.filter(bureau=district).values_list("iso_year", "iso_week"))
    weeks = Check.objects.submitted().filter(unit=school).values_list("iso_year", "iso_week").order_by("-date")
    iso_year, iso_week = next(w for w in weeks if w not in taken)
    draft = bulletin_service.bulletin_create(user=inspector, iso_year=iso_year, iso_week=iso_week)
    return job_kinds.bulletin_pdf_bytes(draft), dict(
        title="每周督查通报", hei="一、督查得分排名", body="本周共督查",
        signoff=(f"{DISTRICT}文明创建督导组", today()), rare=SCHOOL)


def letter(school, district):
    letter = ResponsibilityLetter.objects.with_items().get(unit=school)
    data = render_pdf("reports/pdf/letter.html", {"letters": [letter], "bureau_name": district.name})
    # An agreement: its 落款 are the two parties' seals and signatures, 乙方 on the right.
    return data, dict(title=f"{letter.year.year}年度文明创建目标责任书", hei="一、目标任务", body="为深入推进",
                      signoff=("乙方（盖章）", "日期："), rare=SCHOOL)


def assessment_ranking(school, district):
    result = assessment(CampaignYear.objects.current(), bureau=district,
                        units=Unit.objects.filter(bureau=district))
    return assessment_output.ranking_pdf(result), dict(
        title=f"{result.title}排名", hei="单位（类别）", body="排名按折合得分",
        signoff=(DISTRICT, today()), rare=SCHOOL)


def assessment_sheet(school, district):
    sheet = unit_sheet(CampaignYear.objects.current(), school)
    return assessment_output.sheet_pdf(sheet), dict(
        title=f"{SCHOOL}考核得分表", hei="测评项目", kai="失分提示", body="单位类别",
        signoff=(DISTRICT, today()), rare=SCHOOL)


def binder_pdf(school, district):
    year = CampaignYear.objects.current()
    data = binder.binder_pdf(school, year).read()
    sections = binder.binder_sections(binder.binder_activities(school, year))
    # The cover: the bureau at its head, the date at its foot; no page number on it.
    return data, dict(title="文明创建工作台账档案册", hei=f"{RARE}家的中秋诵读会", kai=sections[0].label, body="年度 · 活动档案",
                      cover=(DISTRICT, f"编印日期：{today()}"), rare=RARE)


def catalog_pdf(school, district):
    year = CampaignYear.objects.current()
    data = catalog.catalog_pdf(io.BytesIO(), year=year, unit=school).getvalue()
    sections = catalog.catalog_sections(year, school)
    return data, dict(title="测评材料目录", hei=f"{RARE}家的中秋诵读会", kai=sections[0].label, body="按测评指标编排",
                      cover=(DISTRICT, f"编印日期：{today()}"), rare=SCHOOL)


def login_slips_pdf(school, district):
    credentials = [{"name": f"王{RARE}", "role": "联络员", "unit": SCHOOL, "username": "wang01", "password": "Xy7-kq3m"}]
    data = login_slips.login_slips_pdf(credentials, site_url="http://127.0.0.1:8000", bureau_name=DISTRICT)
    # Not an issued document (slips cut apart and handed out): no 落款.
    return data, dict(hei="登录信息", body="首次登录后须修改密码", rare=f"王{RARE}")


KINDS = [monthly_bureau, monthly_unit, bulletin, letter, assessment_ranking, assessment_sheet, binder_pdf,
         catalog_pdf, login_slips_pdf]


def test_every_document_prints_like_the_bureaus_own(db):
    """One test for every PDF and workbook: loading the demo is the slow part (tests/conftest.py
    SLOW_FIRST)."""
    school, district = load_demo_with_rare_names()
    for kind in KINDS:
        data, want = kind(school, district)
        try:
            check_printed(Printed(data), want)
        except (AssertionError, StopIteration) as error:
            raise AssertionError(f"{kind.__name__}: {error!r}") from error
    check_month_summary_colours(district)
    for name, data, plain in workbooks(school, district):
        wb = load_workbook(io.BytesIO(data))
        for ws in wb.worksheets:
            try:
                check_sheet_prints(ws, list_sheet=ws.title not in plain)
            except AssertionError as error:
                raise AssertionError(f"{name} / {ws.title}: {error!r}") from error
    check_unit_sheet(school, district)


def check_printed(doc, want):
    # Only the stylesheet's four faces, each in its role.
    assert {r.face for r in doc.runs()} <= FACES
    if "title" in want:
        assert doc.faces_of(want["title"]) == {TITLE}
    assert HEI in doc.faces_of(want["hei"])
    if "kai" in want:
        assert KAI in doc.faces_of(want["kai"])
    assert BODY in doc.faces_of(want["body"])

    # No heading left at a page foot.
    assert doc.heading_left_at_foot() == []

    # "— N —" at the foot of every page, the covers excepted, in the body face.
    first = 2 if "cover" in want else 1
    for page in doc.pages[first - 1:]:
        number = page.number_run()
        assert number is not None and PAGE_NUMBER.match(number.text).group(1) == str(page.number)
        assert number.top > page.height * 0.9 and number.face == BODY
    if first == 2:
        assert doc.pages[0].number_run() is None

    # The 落款 at the end, right-aligned: the office above the date, nothing of the body below.
    if "signoff" in want:
        office_text, date_text = want["signoff"]
        last = doc.pages[-1]
        office = next(r for r in last.runs if office_text in r.text)
        date = next(r for r in last.runs if r.text.startswith(date_text) and r.top > office.top
                    and r.left >= office.left - 5)
        assert office.left > last.width * 0.45 and date.left > last.width * 0.45
        assert not [r for r in last.body_runs() if r.top > date.top + 1]
    if "cover" in want:
        org, date_line = want["cover"]
        cover = "".join("".join(r.text.split()) for r in doc.pages[0].runs)
        assert org in cover and date_line in cover

    # Rare characters of names come back out of the PDF.
    assert want["rare"] in "".join(doc.text.split())


def check_month_summary_colours(district):
    """变化 in green when better, red when worse (a rise in overdue tasks is worse), black when a
    change is neither; the cumulative figure says so; the 说明 is not alone on its page."""
    summary = monthly_summary(last_month(), bureau=district)
    doc = Printed(monthly.monthly_pdf(summary))
    expected = {"better": GREEN, "worse": RED, "": BLACK}
    for c in summary.comparisons:
        label = next(r for r in doc.runs() if r.text.startswith(c.label))
        direction = next(r for r in doc.runs() if r.page == label.page and abs(r.top - label.top) < 2
                         and r.text.endswith(c.direction))
        assert direction.color == expected[c.meaning], c.label
    better = {c.label: c.better for c in summary.comparisons}
    assert better["累计逾期任务"] == "lower" and better["任务完成率"] == "higher" and better["督查次数"] == ""
    assert "累计逾期任务" in "".join(doc.text.split())
    notes = next(r for r in doc.runs() if r.text == "说明" and r.face == KAI)
    assert [r for r in doc.pages[notes.page - 1].body_runs() if r.top < notes.top]


# --- Excel -----------------------------------------------------------------------------------------------

def workbooks(school, district):
    """Every workbook the app exports: (name, bytes, titles of its sheets that are no lists)."""
    year = CampaignYear.objects.current()
    yield "月度分析小结", monthly_excel.monthly_workbook(monthly_summary(last_month(), bureau=district)), {"汇总"}
    result = assessment(year, bureau=district, units=Unit.objects.filter(bureau=district))
    yield "考核排名", assessment_output.ranking_workbook(result), set()
    yield "考核得分表", assessment_output.sheet_workbook(unit_sheet(year, school)), {"得分表"}
    yield "整改台账", problems_excel.problems_workbook(Problem.objects.filter(unit__bureau=district)), set()
    for kind, (make, title) in import_templates.TEMPLATES.items():
        yield title, make(year), set()
    with zipfile.ZipFile(binder.binder_zip(school, year)) as archive:
        yield "台账档案册 目录", archive.read("目录.xlsx"), set()
    with zipfile.ZipFile(catalog.catalog_zip(io.BytesIO(), year=year, unit=school)) as archive:
        yield "测评材料目录 目录", archive.read("目录.xlsx"), set()


def check_sheet_prints(ws, list_sheet):
    heading = ws["A1"].value
    assert ws.page_setup.paperSize == 9  # A4
    # Landscape when the columns (in screen pixels, w * 7 + 5 each) are wider than A4 portrait's 700.
    pixels = sum((d.width * 7 + 5) * (d.max - d.min + 1) for d in ws.column_dimensions.values())
    assert ws.page_setup.orientation == ("landscape" if pixels > 700 else "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (1 is the file format's default, left out by XlsxWriter), as long as it takes.
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$2:$2"  # the header row under the title, on every page
    assert ws.freeze_panes == "A3"
    assert ws.oddFooter.left.text == heading and ws.oddFooter.right.text == "第 &P 页 共 &N 页"
    if list_sheet:
        assert ws.auto_filter.ref == f"A2:{ws.cell(2, ws.max_column).column_letter}{max(ws.max_row, 2)}"
    else:
        assert ws.auto_filter.ref is None


def check_unit_sheet(school, district):
    """The month summary's 单位明细: 19 columns printed landscape across one page, its figures numbers."""
    wb = load_workbook(io.BytesIO(monthly_excel.monthly_workbook(monthly_summary(last_month(), bureau=district))))
    ws = wb["单位明细"]
    assert ws.page_setup.orientation == "landscape"
    header = [c.value for c in ws[2]]
    assert "累计逾期任务" in header
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == SCHOOL)
    assert all(isinstance(row[header.index(name)].value, (int, float))
               for name in ("到期任务", "累计逾期任务", "督查次数", "发现问题", "活动照片"))
    assert row[header.index("完成率")].number_format == "0.0%"


def test_every_workbook_goes_through_the_one_helper():
    """Only reports/excel.py makes workbooks (the benchmarks' floors aside): a new export cannot
    forget the page setup."""
    writer = re.compile(r"import xlsxwriter|xlsxwriter\.Workbook|from openpyxl import .*Workbook\b|openpyxl\.Workbook")
    root = Path(settings.BASE_DIR)
    found = [str(path.relative_to(root)) for app in ("ledgers", "reports", "wenming") for path in (root / app).rglob("*.py")
             if writer.search(path.read_text()) and path.name != "excel.py" and not path.name.startswith("bench_")]
    assert found == []


def test_a_heading_left_at_a_page_foot_is_caught():
    """The check above is not empty: a heading forced to the foot of a page is found."""
    filler = "".join(f"<p>第{n}段正文。</p>" for n in range(41))
    html = ('<html lang="zh-CN"><head><link rel="stylesheet" href="static:css/print.css">'
            "<style>p { margin: 0; line-height: 5.5mm; } h2 { break-after: page; }</style></head><body>"
            f"{filler}<h2>三、下一步工作</h2><p>下一页的正文。</p></body></html>")
    doc = Printed(render_html_to_pdf(html))
    assert doc.heading_left_at_foot() == [(1, "三、下一步工作")]


def test_no_pdf_template_names_a_font_of_its_own():
    """The faces are named once, in static/css/print.css; templates use its classes and weights."""
    from pathlib import Path

    from django.conf import settings

    pdf_templates = Path(settings.BASE_DIR, "templates", "reports", "pdf")
    for path in pdf_templates.glob("*.html"):
        text = path.read_text()
        assert "font-family" not in text and "Noto" not in text and "font:" not in text, path.name
