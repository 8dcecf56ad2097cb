"""Imports respect the city → district hierarchy: an admin imports into their own bureau only."""
from decimal import Decimal

from django.urls import reverse

from ledgers.models import Indicator, Task, Unit, User

from .conftest import row_status, run_import, xlsx


def task_table(*rows):
    return xlsx([["测评内容", "测评项目", "责任单位", "完成时限"], *rows], name="任务分解表.xlsx")


def test_a_district_task_table_naming_another_districts_school_is_an_error_for_that_row(
        client_for, bureau_admin, bureau, district, district2, district2_admin, school_c, city, year):
    city_indicator = Indicator.objects.create(year=year, bureau=city, code="3", title="未成年人思想道德建设")
    Indicator.objects.create(year=year, bureau=district, code="9", title="郾城区自设指标")
    # District 1 already has a task of the same title: district 2 gets its own, never that one.
    run_import(client_for(bureau_admin), "tasks", task_table(["开展文明礼仪教育", "", "郾城区第一实验小学", "6月底"]))
    district1_task = Task.objects.get()

    preview, done, _ = run_import(
        client_for(district2_admin), "tasks",
        task_table(["开展文明礼仪教育", "3 未成年人思想道德建设", "源汇区第一实验小学", "6月底"],
                   ["制定创建方案", "", "郾城区第一实验小学", "6月底"],
                   ["开展劳动教育", "9 郾城区自设指标", "各学校", "长期坚持"]),
        exclude=(3,))
    status, message = row_status(preview, 3)
    assert status == "有错误"
    assert "单位“郾城区第一实验小学”不存在" in message
    assert "郾城区" not in message.replace("单位“郾城区第一实验小学”", "")  # no other district's names suggested
    assert row_status(preview, 2)[0] == "将新增"  # not the district-1 task of the same title
    assert "未匹配到本年度测评指标" in row_status(preview, 4)[1]  # another district's indicator
    assert "2 新增，0 更新，0 无变化" in done and "1 行有错误未导入" in done

    mine = {t.title: t for t in Task.objects.filter(bureau=district2)}
    assert set(mine) == {"开展文明礼仪教育", "开展劳动教育"}
    assert mine["开展文明礼仪教育"].indicator == city_indicator  # the city's tree is shared
    assert mine["开展劳动教育"].indicator is None
    # 各学校 means district 2's schools only.
    for task in mine.values():
        assert set(task.assignments.values_list("unit__name", flat=True)) == {"源汇区第一实验小学"}
    district1_task.refresh_from_db()
    assert district1_task.bureau == district
    assert set(district1_task.assignments.values_list("unit__name", flat=True)) == {"郾城区第一实验小学"}


def test_a_district_indicator_import_creates_district_indicators_and_leaves_the_citys_alone(
        client_for, district2, district2_admin, city, year):
    top = Indicator.objects.create(year=year, bureau=city, code="3", title="未成年人思想道德建设", points=20)
    mid = Indicator.objects.create(year=year, bureau=city, code="3.2", parent=top, title="学校教育", points=10)
    rows = [["编号", "测评项目", "测评标准", "分值", "测评方法"],
            ["3", "未成年人思想道德建设", "", 20, "材料审核"],        # the city's, unchanged
            ["3.2", "学校教育（区改）", "", 12, "材料审核"],           # the city's, changed: refused
            ["3.2.9", "源汇区书香校园", "区自定标准", 2, "实地考察"],  # the district's own, under the city's 3.2
            ["8", "源汇区特色创建", "", 5, "材料审核"]]
    preview, done, _ = run_import(client_for(district2_admin), "indicators", xlsx(rows), exclude=(3,))
    assert row_status(preview, 2)[0] == "无变化"
    status, message = row_status(preview, 3)
    assert status == "有错误" and f"指标 3.2 由{city.name}发布，不能在此修改。" in message
    assert "2 新增，0 更新，1 无变化" in done

    mine = {i.code: i for i in Indicator.objects.filter(year=year, bureau=district2)}
    assert sorted(mine) == ["3.2.9", "8"]
    assert mine["3.2.9"].parent == mid and mine["3.2.9"].points == Decimal(2)
    mid.refresh_from_db()
    assert (mid.title, mid.points, mid.bureau) == ("学校教育", Decimal(10), city)
    assert Indicator.objects.filter(bureau=city).count() == 2

    # Again, with the district's own indicator changed: it is updated in place.
    rows[3][3] = 3
    _, done, _ = run_import(client_for(district2_admin), "indicators", xlsx(rows), exclude=(3,))
    assert "0 新增，1 更新" in done
    assert Indicator.objects.get(bureau=district2, code="3.2.9").points == Decimal(3)


def test_units_and_accounts_imported_by_a_district_admin_belong_to_that_district(
        client_for, bureau, district, district2, district2_admin, school_c):
    # Unit names and aliases are unique per bureau: a name or alias district 1 uses is a new,
    # separate unit of district 2, and district 1's unit is never matched nor changed.
    rows = [["单位名称", "类别", "联系人", "联系电话", "简称"],
            ["源汇区第二实验小学", "学校", "赵敏", "13900000003", "源汇区二小"],
            ["郾城区第一实验小学", "学校", "同名", "13900000009", ""],   # district 1 has one too
            ["源汇区安全股", "股室", "孙强", "", "郾城区一小"]]           # district 1's alias
    client = client_for(district2_admin)
    preview, done, _ = run_import(client, "units", xlsx(rows))
    assert [row_status(preview, n)[0] for n in (2, 3, 4)] == ["将新增"] * 3
    assert "3 新增，0 更新" in done
    assert Unit.objects.get(name="源汇区第二实验小学").bureau == district2
    same_names = {u.bureau_id: u for u in Unit.objects.filter(name="郾城区第一实验小学")}
    assert set(same_names) == {district.pk, district2.pk}
    assert (same_names[district.pk].contact_name, same_names[district2.pk].contact_name) == ("", "同名")
    # Again: now an update of district 2's own, district 1's still untouched.
    rows[2][2] = "同名改"
    _, done, _ = run_import(client, "units", xlsx(rows))
    assert "0 新增，1 更新" in done
    assert Unit.objects.get(bureau=district2, name="郾城区第一实验小学").contact_name == "同名改"
    assert Unit.objects.get(bureau=district, name="郾城区第一实验小学").contact_name == ""

    people = [["姓名", "手机号码", "单位", "登录名"],
              ["钱芳", "13900000004", "源汇区第二实验小学", ""],
              ["李四", "13900000005", "郾城区第一实验小学", ""],   # district 2's unit of that name
              ["王五", "13900000006", "源汇区第一实验小学", "district2_admin_of_d1"]]
    User.objects.create_user("district2_admin_of_d1", unit=bureau["郾城区第一实验小学"], role="liaison")
    preview, done, _ = run_import(client, "users", xlsx(people), exclude=(4,))
    assert "登录名“district2_admin_of_d1”已被其他教育局的账号使用" in row_status(preview, 4)[1]
    assert "2 新增" in done
    assert User.objects.get(name="钱芳").unit.bureau == district2
    assert User.objects.get(name="李四").unit == same_names[district2.pk]
    assert User.objects.get(username="district2_admin_of_d1").unit.name == "郾城区第一实验小学"


def test_the_upload_page_names_the_bureau_imported_into(client_for, district2, district2_admin, year):
    html = client_for(district2_admin).get(reverse("ledgers:task_import")).content.decode()
    assert f"导入到：<strong>{district2.name}</strong>" in html
