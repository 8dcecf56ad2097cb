"""The assessment pages: who sees what, the PDFs' text, the Excel cells, publishing, the scheme
editing screens and the material catalog."""
import io
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ledgers.models import Adjustment, IndicatorRule
from reports.models import PublishedReport, ReportKind

URL = "/reports/assessment/2026/"
END = "as_of=2026-12-31"


def text_of(content):
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def data(scored_year):
    return scored_year


def test_bureau_ranking_page_shows_shared_ranks(client_for, leader, data):
    response = client_for(leader).get(f"{URL}?{END}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "局办公室（文明办）" in html and "85.0" in html and "66.3" in html


def test_ranking_query_count_is_flat(client_for, leader, data, django_assert_max_num_queries):
    client = client_for(leader)
    with django_assert_max_num_queries(25):
        assert client.get(f"{URL}?{END}").status_code == 200


def test_liaison_gets_their_own_sheet_and_404_for_another_unit(client_for, liaison, data):
    client = client_for(liaison)
    response = client.get(f"{URL}?{END}")
    html = response.content.decode()
    assert "郾城区第一实验小学 · 2026年度考核得分表" in html
    assert "郾城区第二实验小学" not in html
    other = data["B"].pk
    for url in [URL, "/reports/assessment/2026.pdf", "/reports/assessment/2026.xlsx",
                "/reports/assessment/2026/catalog.pdf", "/reports/assessment/2026/catalog.zip"]:
        assert client.get(f"{url}?unit={other}").status_code == 404
    assert client.post("/reports/assessment/2026/publish/").status_code == 403


def test_sheet_pdf_is_signed_off_with_scores(client_for, admin_user, data):
    response = client_for(admin_user).get(f"/reports/assessment/2026.pdf?unit={data['A'].pk}&{END}")
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    for expected in ["郾城区第一实验小学考核得分表", "19.9", "66.3", "合格", "考核人（签字）", "单位负责人（签字）", "3.1",
                     "我们的节日", "总分", "未设评分规则"]:
        assert expected in text


def test_ranking_pdf_and_excel(client_for, admin_user, data):
    client = client_for(admin_user)
    text = text_of(client.get(f"/reports/assessment/2026.pdf?{END}").content)
    assert "2026年度文明创建考核排名" in text and "督导室" in text and "76.9" in text
    wb = load_workbook(io.BytesIO(client.get(f"/reports/assessment/2026.xlsx?{END}").content))
    rows = list(wb["排名"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[8], r[9]) for r in rows] == [
        (1, "局办公室（文明办）", 85.0, "良好"), (1, "督导室", 85.0, "良好"), (3, "郾城区第二实验小学", 76.9, "合格"),
        (4, "郾城区第一实验小学", 66.3, "合格")]
    matrix = list(wb["指标得分"].iter_rows(min_row=2, values_only=True))
    header, a = matrix[0], [r for r in matrix if r[0] == "郾城区第一实验小学"][0]
    assert a[header.index("2.1（6）")] == 5.4
    s = [r for r in matrix if r[0] == "局办公室（文明办）"][0]
    assert s[header.index("3.1（6）")] == "不适用"


def test_kind_filter_ranks_among_schools(client_for, leader, data):
    wb = load_workbook(io.BytesIO(client_for(leader).get(f"/reports/assessment/2026.xlsx?kind=school&{END}").content))
    assert [(r[0], r[1]) for r in wb["排名"].iter_rows(min_row=3, values_only=True)] == [
        (1, "郾城区第二实验小学"), (2, "郾城区第一实验小学")]


def test_sheet_excel_has_scores_evidence_and_actions(client_for, liaison, data):
    wb = load_workbook(io.BytesIO(client_for(liaison).get(f"/reports/assessment/2026.xlsx?{END}").content))
    sheet = {r[0]: r for r in wb["得分表"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert sheet["2.2"][5] == 1 and sheet["2.2"][6] == 3
    totals = {r[1]: r for r in wb["得分表"].iter_rows(min_row=3, values_only=True) if not r[0]}
    assert totals["总分"][5] == 19.9 and totals["折合得分"][5] == 66.3
    evidence = [r for r in wb["佐证记录"].iter_rows(min_row=3, values_only=True)]
    assert ("3.1", "活动档案", "重阳敬老") in [(r[0], r[1], r[2]) for r in evidence]
    assert any(r[1].startswith("整改超期 1 项") for r in wb["失分提示"].iter_rows(min_row=3, values_only=True))


def test_bad_as_of_falls_back_with_a_message(client_for, leader, data):
    response = client_for(leader).get(f"{URL}?as_of=2026-13-45", follow=True)
    assert response.status_code == 200
    assert "不是日期" in response.content.decode()


def test_publish_freezes_pdf_and_excel(client_for, admin_user, liaison, data):
    admin = client_for(admin_user)
    assert admin.post("/reports/assessment/2026/publish/", {"as_of": "2026-12-31"}).status_code == 302
    assert admin.post("/reports/assessment/2026/publish/", {"unit": data["A"].pk, "as_of": "2026-12-31"}).status_code == 302
    ranking, sheet = PublishedReport.objects.order_by("pk")
    assert ranking.kind == ReportKind.ASSESSMENT and ranking.unit is None and "截至2026年12月31日" in ranking.title
    frozen = admin.get(f"/reports/published/{ranking.pk}.pdf")
    Adjustment.objects.all().delete()
    again = b"".join(admin.get(f"/reports/published/{ranking.pk}.pdf").streaming_content)
    assert again == b"".join(frozen.streaming_content)
    # The liaison sees their unit's published sheet, not the bureau ranking.
    client = client_for(liaison)
    assert client.get(f"/reports/published/{sheet.pk}.pdf").status_code == 200
    assert client.get(f"/reports/published/{ranking.pk}.pdf").status_code == 404


def test_catalog_pdf_and_zip_by_indicator(client_for, liaison, data):
    client = client_for(liaison)
    response = client.get("/reports/assessment/2026/catalog.pdf")
    text = text_of(b"".join(response.streaming_content))
    assert "测评材料目录" in text and "3.1 我们的节日" in text and "春节写春联" in text
    assert "2.2 问题整改" in text and "超期后销号的问题" in text
    assert "重阳敬老" not in text  # a draft is not material
    response = client.get("/reports/assessment/2026/catalog.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "目录.xlsx" in names
    assert any(n.startswith("3.1 我们的节日/活动档案/2026-03-05 春节写春联/") for n in names)


def test_liaison_home_shows_the_mock_evaluation_panel(client_for, liaison, data):
    html = client_for(liaison).get("/").content.decode()
    assert "模拟测评" in html and "正在失分的地方" in html


def test_admin_sets_a_rule_and_bad_input_is_refused(client_for, admin_user, liaison, data, indicators):
    admin = client_for(admin_user)
    ind = indicators["2.1"]
    url = f"/assessment/rules/{ind.pk}/"
    p = f"i{ind.pk}-"
    response = admin.post(url, {p + "kind": "problems", p + "unit_kinds": ["school"], p + "partial": "0.5",
                                p + "deduction": "2", p + "required": "1", p + "period": "semester"})
    assert response.status_code == 302
    rule = IndicatorRule.objects.get(indicator=ind)
    assert (rule.kind, rule.unit_kinds, rule.deduction) == ("problems", ["school"], 2)
    response = admin.post(url, {p + "kind": "checks", p + "partial": "0.5", p + "deduction": "1",
                                p + "required": "1", p + "period": "semester"})
    assert response.status_code == 400
    assert "请至少选择一类适用单位" in response.content.decode()
    assert IndicatorRule.objects.get(indicator=ind).kind == "problems"
    parent = indicators["2"]
    response = admin.post(f"/assessment/rules/{parent.pk}/", {
        f"i{parent.pk}-kind": "checks", f"i{parent.pk}-unit_kinds": ["school"], f"i{parent.pk}-partial": "0.5",
        f"i{parent.pk}-deduction": "1", f"i{parent.pk}-required": "1", f"i{parent.pk}-period": "semester"})
    assert "有下级指标" in response.content.decode()
    assert client_for(liaison).post(url, {}).status_code == 403
    assert client_for(liaison).get("/assessment/scheme/?year=2026").status_code == 403
    page = admin.get("/assessment/scheme/?year=2026").content.decode()
    assert "整改超期扣分" in page and "每项扣 2 分" in page


def test_admin_enters_a_bonus_with_evidence(client_for, admin_user, data):
    admin = client_for(admin_user)
    response = admin.post("/assessment/adjustments/?year=2026", {
        "adj-unit": data["B"].pk, "adj-kind": "bonus", "adj-points": "1.5", "adj-date": "2026-12-10",
        "adj-reason": "志愿服务受表彰"})
    assert response.status_code == 302
    item = Adjustment.objects.get(reason="志愿服务受表彰")
    assert item.history.count() == 1
    response = admin.post("/assessment/adjustments/?year=2026", {
        "adj-unit": data["B"].pk, "adj-kind": "bonus", "adj-points": "abc", "adj-date": "2026-12-10",
        "adj-reason": "保留我输入的理由"})
    assert response.status_code == 400 and "保留我输入的理由" in response.content.decode()


def test_the_whole_bureaus_catalog_is_a_background_job(client_for, inspector, liaison, data, run_jobs):
    """The bureau-wide 测评材料目录 is large: a GET shows what will be made (no job yet), the
    button starts a job, and the ZIP that arrives in 我的下载 holds every unit's material."""
    from reports.models import Job
    from tests.reports.jobs.support import export_through_job

    client = client_for(inspector)
    page = client.get("/reports/assessment/2026/catalog.zip")
    assert page.status_code == 200 and "全局测评材料目录较大" in page.content.decode()
    assert not Job.objects.exists()
    job, data_bytes = export_through_job(client, "/reports/assessment/2026/catalog.zip")
    assert "测评材料目录（ZIP）" in job.title
    names = zipfile.ZipFile(io.BytesIO(data_bytes)).namelist()
    assert "目录.xlsx" in names
    assert any(n.startswith("3.1 我们的节日/活动档案/") for n in names)
    # A liaison's catalog is their own unit's, answered at once (never the bureau's job).
    assert client_for(liaison).post("/reports/assessment/2026/catalog.zip").status_code == 405
