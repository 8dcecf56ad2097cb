"""Task breakdown tables laid out the ways bureaus really keep them, imported through the pages."""
import io
from datetime import date, datetime

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledgers.models import ImportMapping, ProgressEntry, Task, TaskAssignment
from ledgers.services.tasks import progress_add

from .conftest import XLSX, mapping_data, row_status, run_import, upload_file, xlsx


def units_of(task):
    return set(task.assignments.values_list("unit__name", flat=True))


def issue_table(deadline_b="每月", units_b="郾城区第一实验小学、郾城区第二实验小学"):
    """The layout from the issue: a merged title row, then 测评内容 over 测评项目 | 测评标准 and
    责任分工 over 牵头单位 | 责任单位 (a two-row header)."""
    rows = [
        ["2026年度文明校园创建任务分解表"],
        ["序号", "测评内容", None, "责任分工", None, "完成时限"],
        [None, "测评项目", "测评标准", "牵头单位", "责任单位", None],
        [1, "3.2.1 文明校园创建", "制定文明校园创建实施方案", "基础教育股", "郾城区第一实验小学，郾城区实验中学", "2026年3月31日前"],
        [2, None, "建立文明创建工作台账", "基础教育股", units_b, deadline_b],
        [3, "理想信念教育", "开展文明礼仪教育", "德育股", "各学校", "长期坚持"],
    ]
    merges = ["A1:F1", "A2:A3", "B2:C2", "D2:E2", "F2:F3", "B4:B5"]
    return xlsx(rows, merges, name="任务分解表（局发）.xlsx")


def test_issue_layout_with_group_headers_imports_without_any_mapping(client_for, bureau_admin, bureau, indicators):
    client = client_for(bureau_admin)
    record = upload_file(client, "tasks", issue_table())
    html = client.get(reverse("ledgers:import_map", args=[record.pk])).content.decode()
    # Shown as in Excel: the title across six columns, 测评内容 over two, 序号 down two rows.
    assert '<td colspan="6" class="small">2026年度文明校园创建任务分解表</td>' in html
    assert '<td colspan="2" class="small">测评内容</td>' in html
    assert '<td rowspan="2" class="small">序号</td>' in html
    assert (record.header_first, record.header_last, record.data_first) == (2, 3, 4)
    assert record.columns == {"0": "number", "1": "indicator", "2": "title", "3": "lead", "4": "units",
                              "5": "deadline"}
    preview, done, _ = run_import(client, "tasks", issue_table())
    assert row_status(preview, 4)[0] == "将新增"
    assert "3 将新增" in preview
    assert "3 新增，0 更新，0 无变化" in done
    tasks = {t.title: t for t in Task.objects.all()}
    assert set(tasks) == {"制定文明校园创建实施方案", "建立文明创建工作台账", "开展文明礼仪教育"}
    first = tasks["制定文明校园创建实施方案"]
    assert (first.indicator, first.deadline, first.lead_unit.name) == (indicators["3.2.1"], date(2026, 3, 31), "基础教育股")
    assert units_of(first) == {"郾城区第一实验小学", "郾城区实验中学"}
    monthly = tasks["建立文明创建工作台账"]
    assert monthly.indicator == indicators["3.2.1"]  # 测评项目 merged down over two rows
    assert monthly.frequency == "monthly"
    assert [(p.label, p.due) for p in monthly.period_deadlines.all()][:2] == [("1月", date(2026, 1, 31)),
                                                                           ("2月", date(2026, 2, 28))]
    assert monthly.period_deadlines.count() == 12 and monthly.deadline == date(2026, 12, 31)
    ongoing = tasks["开展文明礼仪教育"]
    assert ongoing.frequency == "ongoing" and ongoing.indicator is None
    assert units_of(ongoing) == {"郾城区第一实验小学", "郾城区第二实验小学", "郾城区实验中学", "郾城区第一幼儿园"}
    assert "未匹配到本年度测评指标" in row_status(preview, 6)[1]


def test_reimport_creates_nothing_and_a_changed_table_updates_keeping_progress(
        client_for, bureau_admin, bureau, indicators, liaison_school01):
    client = client_for(bureau_admin)
    run_import(client, "tasks", issue_table())
    preview, done, _ = run_import(client, "tasks", issue_table())
    assert "0 将新增" in preview and row_status(preview, 5)[0] == "无变化"
    assert "0 新增，0 更新，3 无变化" in done
    assert Task.objects.count() == 3 and TaskAssignment.objects.count() == 8

    task = Task.objects.get(title="建立文明创建工作台账")
    kept = TaskAssignment.objects.get(task=task, unit__name="郾城区第一实验小学")
    progress_add(assignment=kept, user=liaison_school01, date=date(2026, 2, 3), content="已建立台账")
    changed = issue_table(deadline_b="2026.6.30", units_b="郾城区一小、德育股")
    preview, done, _ = run_import(client, "tasks", changed)
    status, message = row_status(preview, 5)
    assert status == "将更新"
    assert "完成时限 2026-12-31 → 2026-06-30" in message
    assert "新增责任单位 德育股" in message and "移除责任单位 郾城区第二实验小学" in message
    assert "0 新增，1 更新，2 无变化" in done
    task.refresh_from_db()
    assert (task.deadline, task.frequency, task.period_deadlines.count()) == (date(2026, 6, 30), "once", 0)
    assert units_of(task) == {"郾城区第一实验小学", "德育股"}
    kept.refresh_from_db()
    assert kept.status == "in_progress" and kept.progress.count() == 1  # same row, progress kept

    # Dropping the unit that reported progress is refused for that row only.
    refused = issue_table(deadline_b="2026.6.30", units_b="德育股")
    preview, _, _ = run_import(client, "tasks", refused, confirm=False)
    status, message = row_status(preview, 5)
    assert status == "有错误" and "郾城区第一实验小学 已填报落实情况，不能从责任单位中移除" in message


def test_notes_above_header_blank_rows_total_row_and_dates_in_words(client_for, bureau_admin, bureau):
    rows = [
        ["附件1"],
        ["说明：1. 本表由各单位对照测评体系逐项落实；2. 完成时限为最迟完成时间；3. 多个责任单位用顿号分隔。"],
        [],
        ["序号", "工作任务", "具体要求", "责任单位", "完成时间", "备注"],
        ["一、宣传发动"],
        [1, "召开创建动员会", "全体教职工参加", "各股室", "上半年", "会议纪要存档"],
        [],
        [2, "更新宣传栏", "", "郾城区第一实验小学\n郾城区第二实验小学", 46203, ""],
        [3, "开展志愿服务", "", "全体单位", "每季度", ""],
        [None, None, None, None, None, None],
        [4, "家长学校讲座", "", "各中小学", datetime(2026, 9, 15), ""],
        [5, "学期总结", "", "各幼儿园", "学期末", ""],
        [6, "年度自评", "", "局属各单位", "2026年11月30日前", ""],
        ["合计", "共 6 项"],
    ]
    merges = ["A1:F1", "A2:F2", "A5:F5"]  # title, notes, a section heading
    client = client_for(bureau_admin)
    preview, done, _ = run_import(client, "tasks", xlsx(rows, merges))
    assert "6 新增" in done, done
    tasks = {t.title: t for t in Task.objects.all()}
    assert tasks["召开创建动员会"].deadline == date(2026, 6, 30)
    assert "备注：会议纪要存档" in tasks["召开创建动员会"].requirement
    assert units_of(tasks["召开创建动员会"]) == {"基础教育股", "德育股"}
    assert tasks["更新宣传栏"].deadline == date(2026, 6, 30)  # Excel serial 46203
    assert tasks["开展志愿服务"].frequency == "quarterly"
    assert [p.due for p in tasks["开展志愿服务"].period_deadlines.all()] == [
        date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    assert len(units_of(tasks["开展志愿服务"])) == 7
    assert units_of(tasks["家长学校讲座"]) == {"郾城区第一实验小学", "郾城区第二实验小学", "郾城区实验中学"}
    assert tasks["家长学校讲座"].deadline == date(2026, 9, 15)
    assert units_of(tasks["学期总结"]) == {"郾城区第一幼儿园"}
    assert [p.label for p in tasks["学期总结"].period_deadlines.all()] == ["春季学期", "秋季学期"]
    assert tasks["年度自评"].deadline == date(2026, 11, 30)
    assert "第 14 行" not in preview  # the 合计 row is not a task
    assert row_status(preview, 5) == ("无变化", "分组标题：下面的任务归入此分组，本行不是任务")  # a heading


def wps_like_table():
    """An .xlsx as WPS and other writers save it: shared strings, merged cells, real date cells."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})  # XlsxWriter writes a shared-string table
    ws = wb.add_worksheet("Sheet1")
    date_format = wb.add_format({"num_format": "yyyy年m月d日"})
    ws.merge_range("A1:E1", "郾城区教育局2026年文明城市创建重点任务")
    header = ["序号", "重点任务", "牵头股室", "责任股室（单位）", "时间节点"]
    for col, text in enumerate(header):
        ws.write_string(1, col, text)
    data = [
        ["1", "校园环境综合整治", "德育股", "郾城区第一实验小学、\n郾城区第二实验小学", datetime(2026, 4, 30)],
        ["2", "文明餐桌行动", "德育股", "郾城区实验中学", datetime(2026, 5, 31)],
        ["3", "网络文明宣传", "基础教育股", "各股室、教研室", "6月底"],
    ]
    for r, row in enumerate(data, start=2):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, date_format)
            else:
                ws.write_string(r, c, value)
    ws.merge_range("C3:C4", "德育股")  # the lead section merged over two tasks
    wb.close()
    return SimpleUploadedFile("重点任务（WPS）.xlsx", out.getvalue(), content_type=XLSX)


def test_wps_like_workbook_with_shared_strings_and_merged_cells(client_for, bureau_admin, bureau):
    upload = wps_like_table()
    assert b"sharedStrings.xml" in upload.read()
    upload.seek(0)
    _, done, _ = run_import(client_for(bureau_admin), "tasks", upload)
    assert "3 新增" in done
    tasks = {t.title: t for t in Task.objects.all()}
    assert tasks["校园环境综合整治"].deadline == date(2026, 4, 30)
    assert tasks["文明餐桌行动"].lead_unit.name == "德育股"
    assert units_of(tasks["网络文明宣传"]) == {"基础教育股", "德育股", "教研室"}


UNKNOWN_HEADERS = [
    ["编号", "干什么", "谁来干", "啥时候", "说明"],
    [1, "清理校园卫生死角", "郾城区一小", "5月底", ""],
    [2, "悬挂创建标语", "不存在的学校", "2026-05-10", ""],
    [3, "组织文明交通劝导", "郾城区第二实验小学，郾城区实验中学", "每学期", ""],
]


def test_unknown_headers_are_mapped_once_and_remembered(client_for, bureau_admin, bureau):
    client = client_for(bureau_admin)
    record = upload_file(client, "tasks", xlsx(UNKNOWN_HEADERS))
    html = client.get(reverse("ledgers:import_map", args=[record.pk])).content.decode()
    assert "干什么" in html and "不导入" in html
    # Without the required columns the preview is refused with their names.
    data = mapping_data(client, record)
    response = client.post(reverse("ledgers:import_map", args=[record.pk]), {**data, "preview": "1"})
    assert "请为“测评内容/任务”“责任单位”各选择一列" in response.content.decode()  # 完成时限 may be left out
    # Two columns for one field are refused.
    bad = mapping_data(client, record, {"B": "title", "C": "units", "D": "title"})
    response = client.post(reverse("ledgers:import_map", args=[record.pk]), {**bad, "preview": "1"})
    assert "“测评内容/任务”选了 2 列（B、D），请只保留一列" in response.content.decode()

    _, _, record = run_import(client, "tasks", xlsx(UNKNOWN_HEADERS),
                              {"B": "title", "C": "units", "D": "deadline"}, confirm=False)
    response = client.post(reverse("ledgers:import_run", args=[record.pk]), follow=True)
    assert "第 3 行有错误：请勾选这些行的“排除”后导入其余各行" in response.content.decode()
    assert not Task.objects.exists()
    preview, done, _ = run_import(client, "tasks", xlsx(UNKNOWN_HEADERS),
                                  {"B": "title", "C": "units", "D": "deadline"}, exclude=(3,))
    status, message = row_status(preview, 3)
    assert status == "有错误"
    assert "单位“不存在的学校”不存在（最接近的是：" in message
    assert row_status(preview, 2) == ("将新增", "")
    assert "2 新增" in done and "1 行有错误未导入" in done
    assert units_of(Task.objects.get(title="清理校园卫生死角")) == {"郾城区第一实验小学"}  # alias
    assert ImportMapping.objects.filter(kind="tasks").count() == 1

    # The same header again: the mapping is filled in from last time; nothing new is created.
    record = upload_file(client, "tasks", xlsx(UNKNOWN_HEADERS))
    assert record.columns == {"0": "number", "1": "title", "2": "units", "3": "deadline", "4": "note"}
    preview, done, _ = run_import(client, "tasks", xlsx(UNKNOWN_HEADERS), exclude=(3,))
    assert "0 将新增" in preview
    assert "0 新增，0 更新，2 无变化" in done


def test_excluded_rows_are_not_imported_and_nothing_is_written_before_confirmation(
        client_for, bureau_admin, bureau):
    client = client_for(bureau_admin)
    preview, _, record = run_import(client, "tasks", xlsx(UNKNOWN_HEADERS),
                                    {"B": "title", "C": "units", "D": "deadline"}, confirm=False)
    assert "2 将新增" in preview and not Task.objects.exists()
    client.post(reverse("ledgers:import_run", args=[record.pk]), {"exclude": ["3", "4"]})
    assert list(Task.objects.values_list("title", flat=True)) == ["清理校园卫生死角"]
    record.refresh_from_db()
    assert record.imported_at and "1 行已排除" in record.result
    # Confirming twice does not import twice.
    response = client.post(reverse("ledgers:import_run", args=[record.pk]), follow=True)
    assert "这个文件已经导入过了" in response.content.decode() or "导入完成" in response.content.decode()
    assert Task.objects.count() == 1


def test_header_rows_can_be_moved_when_the_heuristics_miss(client_for, bureau_admin, bureau):
    rows = [["工作安排表"], ["项", "内容描述", "落实者", "期限"], ["a", "b", "c", "d"],
            [1, "开展读书月活动", "郾城区实验中学", "4月底"]]
    client = client_for(bureau_admin)
    record = upload_file(client, "tasks", xlsx(rows))
    data = mapping_data(client, record)
    client.post(reverse("ledgers:import_map", args=[record.pk]),
                {**data, "header_first": "2", "header_last": "2", "data_first": "4", "redetect": "1"})
    record.refresh_from_db()
    assert (record.header_first, record.header_last, record.data_first) == (2, 2, 4)
    data = mapping_data(client, record, {"B": "title", "C": "units", "D": "deadline"})
    client.post(reverse("ledgers:import_map", args=[record.pk]), {**data, "preview": "1"})
    client.post(reverse("ledgers:import_run", args=[record.pk]))
    assert Task.objects.get().deadline == date(2026, 4, 30)


def test_someone_elses_upload_is_404_and_liaisons_cannot_import(client_for, bureau_admin, bureau, liaison_school01):
    from tests.conftest import make_user

    client = client_for(bureau_admin)
    record = upload_file(client, "tasks", issue_table())
    other = client_for(make_user("admin2", "admin", bureau["德育股"]))
    for name in ("ledgers:import_map", "ledgers:import_preview", "ledgers:import_done"):
        assert other.get(reverse(name, args=[record.pk])).status_code == 404
    assert other.post(reverse("ledgers:import_run", args=[record.pk])).status_code == 404
    assert client_for(liaison_school01).get(reverse("ledgers:task_import")).status_code == 403
    assert not Task.objects.exists()


def test_bad_files_are_refused_in_chinese(client_for, bureau_admin, bureau, settings):
    client = client_for(bureau_admin)
    fake = SimpleUploadedFile("任务分解表.xlsx", b"MZ\x90\x00\x03" + b"\x00" * 500)
    html = client.post(reverse("ledgers:task_import"), {"file": fake}).content.decode()
    assert "“任务分解表.xlsx”不是可接受的文件（只接受 Excel 表格）" in html
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really a workbook")
    html = client.post(reverse("ledgers:task_import"), {"file": SimpleUploadedFile("坏文件.xlsx", out.getvalue())}).content.decode()
    assert "无法打开，文件可能已损坏" in html
    settings.UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("大文件.xlsx", b"PK\x03\x04" + b"\0" * (1024 * 1024 + 10))
    assert "超过上限 1 MB" in client.post(reverse("ledgers:task_import"), {"file": big}).content.decode()


def test_templates_come_from_reports_and_import_cleanly(client_for, bureau_admin, bureau, indicators):
    client = client_for(bureau_admin)
    content = client.get(reverse("reports:import_template", args=["tasks"])).content
    assert [c.value for c in load_workbook(io.BytesIO(content)).active[2]][:3] == ["序号", "测评项目", "测评内容"]
    _, done, _ = run_import(client, "tasks", SimpleUploadedFile("t.xlsx", content))
    assert "2 新增" in done
    for kind in ("indicators", "units", "users"):
        assert client.get(reverse("reports:import_template", args=[kind])).status_code == 200


def test_recurring_task_pages_show_each_period_and_what_was_reported(client_for, bureau_admin, bureau, indicators,
                                                                     liaison_school01):
    run_import(client_for(bureau_admin), "tasks", issue_table())
    task = Task.objects.get(title="建立文明创建工作台账")
    # Imported at the start of the year, reported on 2-3 (a period over before a task was given is not owed).
    Task.objects.filter(pk=task.pk).update(created_at=timezone.make_aware(datetime(2026, 1, 1, 9)))
    assignment = TaskAssignment.objects.get(task=task, unit__name="郾城区第一实验小学")
    entry = progress_add(assignment=assignment, user=liaison_school01, date=date(2026, 2, 3), content="二月台账")
    ProgressEntry.objects.filter(pk=entry.pk).update(created_at=timezone.make_aware(datetime(2026, 2, 3, 17)))
    html = client_for(bureau_admin).get(task.get_absolute_url()).content.decode()
    assert "原表：每月" in html and "1月 01-31" in html and "12月 12-31" in html
    items = TaskAssignment.objects.with_items().get(pk=assignment.pk).items(today=date(2026, 3, 15))
    assert [(i.label, i.done, i.overdue) for i in items[:4]] == [
        ("1月", False, True), ("2月", True, False), ("3月", False, False), ("4月", False, False)]
    page = client_for(liaison_school01).get(assignment.get_absolute_url()).content.decode()
    assert "2月 02-28 已报" in page
