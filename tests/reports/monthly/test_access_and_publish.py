"""Who may see which monthly summary, publishing frozen copies, the dashboard and home panel."""
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ledgers.models import Problem
from reports.models import PublishedReport

URL = "/reports/monthly/2026-11/"


@pytest.fixture
def data(november, fixed_today):
    return november


def text_of(content):
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_liaison_gets_their_own_unit_without_asking(client_for, liaison, data):
    response = client_for(liaison).get("/reports/monthly/2026-11.pdf")
    text = text_of(response.content)
    assert "郾城区第一实验小学\n2026年11月文明创建工作分析小结" in text
    assert "郾城区第二实验小学" not in text


def test_liaison_cannot_get_another_units_report(client_for, liaison, data):
    client = client_for(liaison)
    other = data["B"].pk
    for url in [URL, "/reports/monthly/2026-11.pdf", "/reports/monthly/2026-11.xlsx"]:
        assert client.get(f"{url}?unit={other}").status_code == 404
    assert client.get(f"{URL}?unit=abc").status_code == 404


def test_liaison_excel_holds_only_their_unit(client_for, liaison, data):
    wb = load_workbook(io.BytesIO(client_for(liaison).get("/reports/monthly/2026-11.xlsx").content))
    units = [r[1] for r in wb["单位明细"].iter_rows(min_row=3, values_only=True)]
    assert units == ["郾城区第一实验小学"]
    assert {r[1] for r in wb["未销号问题"].iter_rows(min_row=3, values_only=True)} == {"郾城区第一实验小学"}


def test_leader_reads_but_cannot_publish(client_for, leader, data):
    client = client_for(leader)
    assert client.get(URL).status_code == 200
    assert client.post("/reports/monthly/2026-11/publish/").status_code == 403
    assert not PublishedReport.objects.exists()


def test_inspector_cannot_publish(client_for, inspector, data):
    assert client_for(inspector).post("/reports/monthly/2026-11/publish/").status_code == 403


def test_published_report_stays_unchanged_after_the_data_changes(client_for, admin_user, inspector, data, run_jobs):
    admin = client_for(admin_user)
    response = admin.post("/reports/monthly/2026-11/publish/")
    assert response.status_code == 302
    run_jobs()  # publishing (render + freeze) is a background job
    report = PublishedReport.objects.get()
    assert (report.period, report.unit, report.published_by) == ("2026-11", None, admin_user)
    assert report.title == "2026年11月文明创建工作分析小结"
    pdf_before = admin.get(f"/reports/published/{report.pk}.pdf")
    pdf_bytes = b"".join(pdf_before.streaming_content)
    xlsx_bytes = b"".join(admin.get(f"/reports/published/{report.pk}.xlsx").streaming_content)
    assert "食堂卫生死角" in text_of(pdf_bytes)

    Problem.objects.filter(description="食堂卫生死角").update(description="已改写的问题描述")

    assert b"".join(admin.get(f"/reports/published/{report.pk}.pdf").streaming_content) == pdf_bytes
    assert b"".join(admin.get(f"/reports/published/{report.pk}.xlsx").streaming_content) == xlsx_bytes
    live = text_of(admin.get("/reports/monthly/2026-11.pdf").content)
    assert "已改写的问题描述" in live and "食堂卫生死角" not in live
    # The archive lists it for the bureau.
    assert "2026年11月文明创建工作分析小结" in admin.get("/reports/monthly/").content.decode()


def test_liaison_sees_only_their_units_published_reports(client_for, admin_user, liaison, liaison2, data, run_jobs):
    admin = client_for(admin_user)
    admin.post("/reports/monthly/2026-11/publish/")
    admin.post("/reports/monthly/2026-11/publish/", {"unit": data["A"].pk})
    run_jobs()
    bureau_wide = PublishedReport.objects.get(unit=None)
    own = PublishedReport.objects.get(unit=data["A"])
    client = client_for(liaison)
    assert client.get(f"/reports/published/{own.pk}.pdf").status_code == 200
    assert client.get(f"/reports/published/{bureau_wide.pk}.pdf").status_code == 404
    assert client_for(liaison2).get(f"/reports/published/{own.pk}.xlsx").status_code == 404
    index = client.get("/reports/monthly/").content.decode()
    assert "郾城区第一实验小学2026年11月文明创建工作分析小结" in index
    assert index.count("/reports/published/") == 2  # the PDF and Excel of their own only


def test_monthly_index_lists_the_years_months(client_for, liaison, data):
    html = client_for(liaison).get("/reports/monthly/").content.decode()
    assert "/reports/monthly/2026-12/" in html and "/reports/monthly/2026-01/" in html
    assert "/reports/monthly/2027-01/" not in html


def test_dashboard_figures_link_to_the_lists_behind_them(client_for, leader, data):
    response = client_for(leader).get("/reports/dashboard/")
    html = response.content.decode()
    assert response.context["month"].month == 12
    assert "/problems/?overdue=1" in html
    assert "/activities/stats/?empty=1&amp;month=2026-12" in html
    assert "每周督查平均得分率" in html and "<svg" in html


def test_liaison_cannot_open_the_dashboard(client_for, liaison, data):
    assert client_for(liaison).get("/reports/dashboard/").status_code == 403


def test_liaison_home_shows_their_units_month(client_for, liaison, data):
    html = client_for(liaison).get("/").content.decode()
    assert 'data-testid="panel-month"' in html
    assert "本单位 · 2026年12月" in html
