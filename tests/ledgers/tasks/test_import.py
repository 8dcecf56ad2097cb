"""Excel import of the task breakdown table and the indicators: preview, errors by row, merged headers."""
import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ledgers import files, imports
from ledgers.models import Indicator, Task, TaskAssignment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows, merges=(), name="任务分解表.xlsx"):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for merge in merges:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=XLSX)


def bureau_table(data_rows):
    """A table as bureaus keep it: title row, two-row header with 责任分工 over two columns."""
    rows = [["2026年度文明创建任务分解表"],
            ["序号", "测评项目", "测评内容", "责任分工", None, "完成时限"],
            [None, None, None, "责任单位", "牵头单位", None]] + data_rows
    merges = ["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3"]
    return rows, merges


@pytest.fixture
def sections(db):
    from ledgers.models import Unit, UnitKind

    return Unit.objects.create(name="基础教育股", kind=UnitKind.SECTION, code="jjg")


def test_bureau_table_with_merged_two_row_header_imports(client_for, admin_user, year, indicator,
                                                         school_a, school_b, sections):
    rows, merges = bureau_table([
        [1, "3.2.1 文明校园创建", "制定文明校园创建方案", "郾城区第一实验小学、郾城区第二实验小学", "基础教育股", date(2026, 3, 31)],
        [2, None, "建立文明创建工作台账", "第一实验小学，\n郾城区第二实验小学", "基础教育股", "2026年6月30日"],
        [3, "3.2.1", "每周开展文明礼仪教育", "郾城区第一实验小学", None, "每周，长期坚持"],
    ])
    merges.append("B4:B5")  # 测评项目 merged down over two tasks
    client = client_for(admin_user)
    preview = client.post(reverse("ledgers:task_import"), {"file": xlsx(rows, merges)})
    html = preview.content.decode()
    assert "共 3 行，全部有效" in html
    assert not Task.objects.exists()  # nothing written at preview
    response = client.post(reverse("ledgers:task_import_confirm"))
    assert response.status_code == 302
    tasks = {t.title: t for t in Task.objects.all()}
    assert set(tasks) == {"制定文明校园创建方案", "建立文明创建工作台账", "每周开展文明礼仪教育"}
    second = tasks["建立文明创建工作台账"]
    assert second.indicator == indicator  # from the merged cell above
    assert second.deadline == date(2026, 6, 30)
    assert second.lead_unit == sections
    assert set(second.assignments.values_list("unit__name", flat=True)) == {school_a.name, school_b.name}
    weekly = tasks["每周开展文明礼仪教育"]
    assert (weekly.frequency, weekly.deadline) == ("weekly", date(2026, 12, 31))
    assert TaskAssignment.objects.count() == 5


def test_every_bad_row_is_reported_by_row_number_and_nothing_is_written(client_for, admin_user, year, school_a):
    rows, merges = bureau_table([
        [1, None, "好的一行", "郾城区第一实验小学", None, "2026-05-01"],
        [2, None, "单位写错了", "郾城区第九十九小学", None, "2026-05-01"],
        [3, None, "日期写错了", "郾城区第一实验小学", None, "下个月吧"],
        [4, None, None, "郾城区第一实验小学", None, "2026-05-01"],
        [5, None, "二月没有三十号", "郾城区第一实验小学", None, "2026-02-30"],
    ])
    client = client_for(admin_user)
    html = client.post(reverse("ledgers:task_import"), {"file": xlsx(rows, merges)}).content.decode()
    assert "文件中有 4 行有问题" in html
    assert "第 5 行：单位“郾城区第九十九小学”不存在" in html
    assert "第 6 行：完成时限“下个月吧”不是有效日期" in html
    assert "第 7 行：缺少测评内容（任务名称）" in html
    assert "第 8 行：完成时限“2026-02-30”不是有效日期" in html
    assert "确认导入" not in html
    assert client.post(reverse("ledgers:task_import_confirm")).status_code == 302
    assert not Task.objects.exists()


def test_a_plain_one_row_header_also_imports(year, school_a):
    parsed = imports.parse_tasks(xlsx([["序号", "测评内容", "责任单位", "完成时限"],
                                       [1, "开展“我们的节日”活动", " 郾城区第一实验小学 ", "6月底"]]), year)
    assert parsed.ok, parsed.errors
    assert parsed.rows[0]["deadline"] == "2026-06-30"


def test_missing_header_columns_are_named(year):
    with pytest.raises(files.UploadRefused, match="没有找到表头列“责任单位”“完成时限”"):
        imports.parse_tasks(xlsx([["序号", "测评内容"], [1, "x"]]), year)


def test_exe_renamed_xlsx_is_refused_in_chinese(client_for, admin_user, year):
    fake = SimpleUploadedFile("任务分解表.xlsx", b"MZ\x90\x00\x03" + b"\x00" * 500)
    html = client_for(admin_user).post(reverse("ledgers:task_import"), {"file": fake}).content.decode()
    assert "“任务分解表.xlsx”不是可接受的文件（只接受 Excel 表格）" in html


def test_corrupt_workbook_is_refused_in_chinese(year):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really a workbook")
    with pytest.raises(files.UploadRefused, match="无法打开，文件可能已损坏"):
        imports.parse_tasks(SimpleUploadedFile("坏文件.xlsx", out.getvalue()), year)


def test_oversized_workbook_is_refused_with_the_limit(client_for, admin_user, year, settings):
    settings.UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("大文件.xlsx", b"PK\x03\x04" + b"\0" * (1024 * 1024 + 10))
    html = client_for(admin_user).post(reverse("ledgers:task_import"), {"file": big}).content.decode()
    assert "超过上限 1 MB" in html


def test_liaison_cannot_import(client_for, liaison, year):
    assert client_for(liaison).get(reverse("ledgers:task_import")).status_code == 403


def test_template_downloads_have_the_headers_and_reimport_cleanly(client_for, admin_user, year):
    from ledgers.models import Unit, UnitKind

    client = client_for(admin_user)
    response = client.get(reverse("ledgers:indicator_template"))
    upload = SimpleUploadedFile("指标.xlsx", response.content)
    assert [c.value for c in load_workbook(io.BytesIO(response.content)).active[2]][:4] == ["编号", "测评项目", "测评标准", "分值"]
    client.post(reverse("ledgers:indicator_import"), {"file": upload})
    client.post(reverse("ledgers:indicator_import_confirm"))
    assert Indicator.objects.get(code="3.2.1").parent.code == "3.2"
    for name, kind, code in [("郾城区第一实验小学", UnitKind.SCHOOL, "s1"), ("郾城区第二实验小学", UnitKind.SCHOOL, "s2"),
                             ("基础教育股", UnitKind.SECTION, "jjg")]:
        Unit.objects.create(name=name, kind=kind, code=code)
    task_template = client.get(reverse("ledgers:task_template")).content
    parsed = imports.parse_tasks(SimpleUploadedFile("t.xlsx", task_template), year)
    assert parsed.ok, parsed.errors


def test_indicator_import_resolves_parents_and_reports_bad_rows(year):
    good = xlsx([["编号", "测评项目", "测评标准", "分值", "测评方法", "最少照片数", "照片须有说明"],
                 ["4", "志愿服务", "", 10, "实地考察", 0, "否"],
                 ["4.1", "学雷锋志愿服务", "常态化开展", 5, "材料审核", 3, "是"]])
    parsed = imports.parse_indicators(good, year)
    assert parsed.ok
    bad = xlsx([["编号", "测评项目", "分值", "测评方法"],
                ["5.1", "没有上级", 2, "材料审核"],
                ["6", "", "很多", "随便看看"],
                ["6", "重复", 1, "问卷调查"]])
    errors = dict(imports.parse_indicators(bad, year).errors)
    assert "上级指标 5 不存在" in errors[2]
    assert "缺少测评项目" in errors[3] and "分值“很多”不是有效数字" in errors[3] and "测评方法“随便看看”" in errors[3]
    assert "编号 6 与第 3 行重复" in errors[4]
