"""The real published tables (tests/fixtures/real_tables) through the import pages as a clerk would:
upload, the mapping page as prefilled (nothing changed by hand), preview, confirm (issue 29).

Every table: at least 95 % of its real rows in, each as the table says (title, points, kind, group,
units, deadline); importing it again adds nothing. A district's table without codes leaves every
city indicator untouched and becomes the district's own branch.
"""
import io
import json
import os
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledgers.models import CheckItem, Indicator, ItemKind, Task, Unit, UnitKind
from tests.fixtures.real_tables import tables
from tests.fixtures.real_tables.tables import INDICATOR, PASSFAIL, SCORED, TABLES, TASKS

from .conftest import XLSX, row_status, run_import

KIND = {INDICATOR: "indicators", TASKS: "tasks", SCORED: "checklists", PASSFAIL: "checklists"}
# The field the prefilled mapping must give the column holding each row's item.
ITEM_FIELDS = {INDICATOR: {"standard", "title", "level2"}, TASKS: {"title"}, SCORED: {"title"},
               PASSFAIL: {"title"}}
REPORT_DIR = os.environ.get("REAL_TABLES_REPORT")  # a folder: each table's outcome as JSON (for notes)


def upload_of(table_id):
    out = io.BytesIO()
    tables.build(table_id, out)
    return SimpleUploadedFile(f"{TABLES[table_id]['title'][:20]}.xlsx", out.getvalue(), content_type=XLSX)


def key(text):
    return re.sub(r"\s+", "", str(text or ""))[:100]


def make_units(meta):
    """The units a task table names, as the bureau has them before importing it."""
    names = set()
    for entry in meta["items"]:
        names.update(entry.get("units") or [])
        names.update([entry["lead"]] if entry.get("lead") else [])
    for n, name in enumerate(sorted(names)):
        Unit.objects.get_or_create(name=name, defaults={"kind": UnitKind.SECTION, "code": f"real{n}"})


def objects_of(meta, year):
    if meta["shape"] == INDICATOR:
        return Indicator.objects.filter(year=year)
    if meta["shape"] == TASKS:
        return Task.objects.filter(year=year).prefetch_related("assignments__unit")
    return CheckItem.objects.exclude(kind=ItemKind.GROUP)


def wrong(meta, entry, obj, year):
    """What differs between a real row's expected outcome and what was made of it ("" if nothing)."""
    if obj is None:
        return "not imported"
    if entry["points"] is not None and meta["shape"] != TASKS:
        points = obj.points if meta["shape"] == INDICATOR else obj.max_points
        if Decimal(str(entry["points"])) != points:
            return f"points {points} (table: {entry['points']})"
    if meta["shape"] in (SCORED, PASSFAIL) and entry["kind"] and obj.kind != entry["kind"]:
        return f"kind {obj.kind} (table: {entry['kind']})"
    if meta["shape"] in (SCORED, PASSFAIL) and entry["kind"] == "sampling" and entry["sample"][1] is not None:
        if (obj.sample_size, obj.sample_pass) != tuple(entry["sample"]):
            return f"sample {(obj.sample_size, obj.sample_pass)} (table: {entry['sample']})"
    if meta["shape"] in (SCORED, PASSFAIL) and entry["kind"] == "deduction":
        if entry.get("deduct") is not None and obj.deduct != Decimal(str(entry["deduct"])):
            return f"deduct {obj.deduct} (table: {entry['deduct']})"
        if obj.deduct_floor != bool(entry.get("floor")):
            return f"扣完为止 {obj.deduct_floor} (table: {entry.get('floor')})"
    if meta["shape"] != TASKS:
        path, parent = [], obj.parent
        while parent is not None:
            path.insert(0, parent)
            parent = parent.parent
        titles = [key(p.title) for p in path]
        if titles[-len(entry["path"]):] != [key(t) for t in entry["path"]] and entry["path"]:
            return f"under {titles} (table: {entry['path']})"
        if entry["group_points"] is not None:
            points = path[-1].points if meta["shape"] == INDICATOR else path[-1].max_points
            if points != Decimal(str(entry["group_points"])):
                return f"group points {points} (table: {entry['group_points']})"
    if meta["shape"] == TASKS:
        if entry.get("due") and obj.deadline.strftime("%m-%d") != entry["due"]:
            return f"deadline {obj.deadline} (table: {entry['due']})"
        units = {a.unit.name for a in obj.assignments.all()}
        if not set(entry.get("units") or []) <= units | {entry.get("lead")}:
            return f"units {sorted(units)} (table: {entry['units']})"
        if entry["path"] and obj.group != entry["path"][-1]:
            return f"group {obj.group!r} (table: {entry['path'][-1]})"
    return ""


def outcome(meta, year):
    """{Excel row: "" (in, as the table says) or what is wrong}."""
    by_key = {}
    for obj in objects_of(meta, year):
        for text in (obj.title, getattr(obj, "standard", ""), getattr(obj, "requirement", "")):
            by_key.setdefault(key(text), obj)
    return {entry["row"]: wrong(meta, entry, by_key.get(key(entry["title"])), year) for entry in meta["items"]}


@pytest.mark.parametrize("table_id", TABLES)
def test_a_real_table_imports_as_published_with_the_mapping_as_prefilled(client_for, bureau_admin, year, table_id):
    meta = TABLES[table_id]
    make_units(meta)
    client = client_for(bureau_admin)
    preview, done, record = run_import(client, KIND[meta["shape"]], upload_of(table_id))
    assert record.columns[str(meta["title_col"])] in ITEM_FIELDS[meta["shape"]], record.columns
    rows = outcome(meta, year)
    refused = {row: why for row, why in rows.items() if why}
    if REPORT_DIR:
        with open(os.path.join(REPORT_DIR, f"{table_id}.json"), "w", encoding="utf-8") as f:
            json.dump({"table": table_id, "shape": meta["shape"], "real_rows": meta["real_rows"],
                       "in": len(rows) - len(refused), "refused": refused,
                       "preview": {row: row_status(preview, row) for row in refused if f'data-row="{row}"' in preview}},
                      f, ensure_ascii=False)
    assert len(rows) - len(refused) >= 0.95 * meta["real_rows"], refused
    # Again, unchanged: nothing new, nothing changed.
    _, again, _ = run_import(client, KIND[meta["shape"]], upload_of(table_id))
    assert re.search(r"0 新增，0 更新", again), re.sub(r"<[^>]+>", "", again)[-500:]



def test_a_districts_table_without_codes_is_its_own_branch_and_leaves_the_citys_tree_alone(
        client_for, district2, district2_admin, city, year):
    top = Indicator.objects.create(year=year, bureau=city, code="1", title="组织领导", points=10)
    Indicator.objects.create(year=year, bureau=city, code="1.1", parent=top, title="领导机构", points=5)
    Indicator.objects.create(year=year, bureau=city, code="2", title="宣传氛围", points=20)
    before = list(Indicator.objects.filter(bureau=city).order_by("code").values())

    preview, done, _ = run_import(client_for(district2_admin), "indicators", upload_of("xiangyang_kaoping"))
    assert "第 2 行" in preview and "本局自设指标（3 区2020—2021年度文明校园考评）下" in preview
    assert row_status(preview, 4)[0] == "将新增"  # "1.……（4分）" is the branch's 3.1.1, not the city's 1
    assert "由漯河市" not in preview  # nothing collides with the city's codes
    assert list(Indicator.objects.filter(bureau=city).order_by("code").values()) == before
    mine = {i.code: i for i in Indicator.objects.filter(bureau=district2)}
    assert mine["3"].title == "区2020—2021年度文明校园考评" and mine["3"].parent is None
    assert (mine["3.1"].title, mine["3.1"].points, mine["3.1"].parent) == ("宣传氛围", Decimal(20), mine["3"])
    leaf = mine["3.1.2"]
    assert leaf.title == "有善行义举榜，有诚信红黑榜，有“新时代好少年”宣传栏" and leaf.points == Decimal(4)
    assert all(i.parent is None or i.parent.bureau_id == district2.pk for i in mine.values())
    assert len(mine) == 1 + 5 + 16
    # Again: the same branch, nothing new, the city's tree still as it was.
    _, again, _ = run_import(client_for(district2_admin), "indicators", upload_of("xiangyang_kaoping"))
    assert "0 新增，0 更新，22 无变化" in again
    assert list(Indicator.objects.filter(bureau=city).order_by("code").values()) == before


def test_a_checklist_imports_into_an_existing_template_and_reads_the_tables_words(client_for, bureau_admin, year):
    from ledgers.models import CheckTemplate

    template = CheckTemplate.objects.create(year=year, name="本局四化检查表", bureau=bureau_admin.owning_bureau())
    group = CheckItem.objects.create(template=template, kind="group", title="校园硬化", max_points=30, sort_order=1)
    kept = CheckItem.objects.create(template=template, title="公共场所硬化4分，平整1分。", max_points=4, parent=group)
    preview, done, _ = run_import(client_for(bureau_admin), "checklists", upload_of("sihua_pinggu"),
                                  options={"template": template.pk})
    assert "导入到检查表“本局四化检查表”（已有" in preview
    assert row_status(preview, 6) == ("将更新", "分值 4 → 5、序号已修改")  # the table numbers it 3
    assert "第 18 行" not in preview  # 合计
    items = {i.title: i for i in template.items.all()}
    assert items["公共场所硬化4分，平整1分。"].pk == kept.pk and kept.parent_id == group.pk
    assert items["校园文化"].max_points == 20  # the label's 20, not its items' sum (12)
    rule = items["在校园显著位置设置永久性的“三风一训”、中小学学生守则、中小学日常行为规范、两图等版面，旗台建设规范，国旗鲜艳。（缺一项扣1分，扣完为止）"]
    assert (rule.kind, rule.max_points, rule.deduct, rule.deduct_floor) == ("deduction", 4, 1, True)
    # 5 + 30 + 20 + 校园文化's 12: a group counts for no more than its items (the copy breaks off there).
    assert CheckTemplate.objects.count() == 1 and template.max_total_text == "67 分"


def test_a_changed_points_value_previews_as_people_write_it(client_for, bureau_admin, year):
    from .conftest import xlsx

    Indicator.objects.create(year=year, code="4", title="志愿服务", points=Decimal(20), bureau=bureau_admin.owning_bureau())
    Indicator.objects.create(year=year, code="5", title="文明礼仪", points=Decimal("7.5"), bureau=bureau_admin.owning_bureau())
    rows = [["编号", "测评项目", "分值"], ["4", "志愿服务", 5], ["5", "文明礼仪", "10"]]
    preview, _, _ = run_import(client_for(bureau_admin), "indicators", xlsx(rows), confirm=False)
    assert row_status(preview, 2)[1] == "分值 20 → 5已修改" and row_status(preview, 3)[1] == "分值 7.5 → 10已修改"
    assert "E+" not in preview


def test_line_breaks_in_a_cell_are_kept(client_for, bureau_admin, year):
    run_import(client_for(bureau_admin), "indicators", upload_of("xiangyang_kaoping"))
    gate = Indicator.objects.get(title__startswith="大门有门卫")
    assert "文明有礼；\n中小学校临路门前有交通护学岗" in gate.standard
    make_units(TABLES["xinxiang_chongci"])
    run_import(client_for(bureau_admin), "tasks", upload_of("xinxiang_chongci"))
    task = Task.objects.get(title__startswith="在显著位置以图文并茂形式展示")
    assert "\n思想道德建设成果展示\n" in task.title and task.group == "宣传氛围"
    html = client_for(bureau_admin).get(task.get_absolute_url()).content.decode()
    assert 'data-testid="task-group">宣传氛围<' in html  # the heading row it came under
