"""Journey 3: an inspector opens the monthly summary and downloads the PDF and the Excel."""
import io

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from ledgers.models import Check, CheckTemplate, Problem
from tests.browser.conftest import login_as, screenshot


def test_inspector_downloads_the_monthly_summary_as_pdf_and_excel(page, inspector, school_a, school_b, year):
    from django.utils import timezone

    today = timezone.localdate()
    template = CheckTemplate.objects.create(year=year, name="校园环境卫生检查表")
    Check.objects.create(year=year, unit=school_a, date=today, template=template, total=92, max_total=100,
                         status="submitted", created_by=inspector)
    Problem.objects.create(year=year, unit=school_b, description="操场围墙公益广告破损", found_on=today,
                           deadline=today, raised_by=inspector)
    title = f"{today.year}年{today.month}月文明创建工作分析小结"

    login_as(page, "inspector")
    page.get_by_role("button", name="报表").click()
    page.get_by_role("link", name="分析小结").click()
    page.get_by_role("link", name=f"{today.year}年{today.month}月分析小结").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_test_id("unit-table")).to_contain_text("郾城区第一实验小学")
    expect(page.get_by_test_id("open-problems")).to_contain_text("操场围墙公益广告破损")

    with page.expect_download() as pdf_download:
        page.get_by_test_id("download-pdf").click()
    pdf = PdfReader(pdf_download.value.path())
    text = "".join(p.extract_text() for p in pdf.pages)
    assert title in text and "郾城区第一实验小学" in text

    with page.expect_download() as xlsx_download:
        page.get_by_test_id("download-xlsx").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.value.path(), "rb") as f:
        wb = load_workbook(io.BytesIO(f.read()))
    assert wb.sheetnames == ["汇总", "单位明细", "未销号问题", "活动档案"]
    screenshot(page, "inspector-monthly-summary")
