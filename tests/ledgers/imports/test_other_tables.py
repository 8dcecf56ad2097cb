"""The official 测评体系 table, unit lists and liaison lists; login slips; first-login password change."""
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from ledgers.imports import parse_deadline
from ledgers.models import Indicator, Unit, UnitAlias, User

from .conftest import row_status, run_import, xlsx


def official_system():
    """测评体系 as published: title, 一级指标 and 二级指标 merged down, no codes, points in the label."""
    rows = [
        ["全国文明校园测评体系（2026年版）"],
        ["一级指标", "二级指标", "测评标准", "分值", "测评方法"],
        ["一、思想道德建设（20分）", "1. 理想信念教育", "开展习近平新时代中国特色社会主义思想学习教育", 4, "查阅资料"],
        [None, None, "开展中国特色社会主义和中国梦宣传教育", 3, "查阅资料、实地查看"],
        [None, "2. 社会主义核心价值观教育", "核心价值观宣传教育融入课堂", 5, "实地考察"],
        ["二、领导班子建设", "3. 班子团结", "领导班子民主集中制落实到位", 6, "问卷调查"],
        [None, None, "", "", ""],
    ]
    merges = ["A1:E1", "A3:A5", "B3:B4"]
    return xlsx(rows, merges, name="测评体系.xlsx")


def test_official_evaluation_system_becomes_a_coded_three_level_tree(client_for, bureau_admin, year):
    client = client_for(bureau_admin)
    preview, done, _ = run_import(client, "indicators", official_system())
    assert "9 新增" in done, preview
    tree = {i.code: i for i in Indicator.objects.filter(year=year)}
    assert sorted(tree) == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "1.2.1", "2", "2.1", "2.1.1"]
    assert tree["1"].title == "思想道德建设" and tree["1"].points == Decimal(20)
    assert tree["1.1"].title == "理想信念教育" and tree["1.1"].parent == tree["1"]
    assert tree["1.1"].points == Decimal(7)  # sum of its standards
    leaf = tree["1.1.2"]
    assert leaf.parent == tree["1.1"] and leaf.standard == "开展中国特色社会主义和中国梦宣传教育"
    assert (leaf.points, leaf.method) == (Decimal(3), "documents")
    assert tree["1.2.1"].method == "site" and tree["2.1.1"].method == "survey"
    assert tree["2"].title == "领导班子建设" and tree["2"].points == Decimal(6)
    # Again: nothing new.
    _, done, _ = run_import(client, "indicators", official_system())
    assert "0 新增，0 更新，9 无变化" in done


def test_indicator_table_with_codes_reports_bad_rows(client_for, bureau_admin, year):
    rows = [["编号", "测评项目", "测评标准", "分值", "测评方法", "最少照片数", "照片须有说明"],
            ["4", "志愿服务", "", 10, "实地考察", 0, "否"],
            ["4.1", "学雷锋志愿服务", "常态化开展", 5, "材料审核", 3, "是"],
            ["5.1", "没有上级", "", 2, "材料审核", 0, ""],
            ["6", "乱写", "", "很多", "随便看看", 0, ""]]
    preview, done, _ = run_import(client_for(bureau_admin), "indicators", xlsx(rows), exclude=(4, 5))
    assert "上级指标 5 不存在" in row_status(preview, 4)[1]
    message = row_status(preview, 5)[1]
    assert "分值“很多”不是有效数字" in message and "测评方法“随便看看”" in message
    assert "2 新增" in done
    assert Indicator.objects.get(code="4.1").min_photos == 3


def test_unit_list_creates_units_with_aliases_and_updates_by_alias(client_for, bureau_admin, bureau):
    rows = [["单位名称", "类别", "联系人", "联系电话", "简称"],
            ["郾城区第三实验小学", "学校", "赵敏", "13900000003", "郾城区三小、三实小"],
            ["郾城区第二幼儿园", "", "钱芳", "13900000004", ""],
            ["安全股", "股室", "孙强", "0395-1234567", ""],
            ["郾城区一小", "学校", "马晓丽", "13900000001", ""],
            ["坏单位", "医院", "", "打电话", ""]]
    preview, done, _ = run_import(client_for(bureau_admin), "units", xlsx(rows), exclude=(6,))
    assert row_status(preview, 5)[0] == "将更新" and "按别名匹配到 郾城区第一实验小学" in row_status(preview, 5)[1]
    message = row_status(preview, 6)[1]
    assert "单位类别“医院”" in message and "电话“打电话”不是有效号码" in message
    assert "3 新增，1 更新" in done
    third = Unit.objects.get(name="郾城区第三实验小学")
    assert (third.kind, third.contact_phone) == ("school", "13900000003")
    assert set(third.aliases.values_list("name", flat=True)) == {"郾城区三小", "三实小"}
    assert Unit.objects.get(name="郾城区第二幼儿园").kind == "school"
    assert Unit.objects.get(name="安全股").kind == "section"
    assert Unit.objects.get(name="郾城区第一实验小学").contact_name == "马晓丽"
    assert UnitAlias.objects.get(name="郾城区三小").unit == third


def liaison_list():
    rows = [["序号", "姓名", "手机号码", "单位", "角色"],
            [1, "赵敏", "13900000003", "郾城区一小", ""],
            [2, "钱芳", "13900000004", "郾城区第二实验小学", "联络员"],
            [3, "孙强", "", "郾城区实验中学", "督导组"],
            [4, "李四", "13900000005", "不存在的学校", ""]]
    return xlsx(rows, name="联络员名单.xlsx")


def test_liaison_list_creates_accounts_login_slips_and_forced_password_change(client_for, bureau_admin, bureau):
    client = client_for(bureau_admin)
    preview, done, record = run_import(client, "users", liaison_list(), exclude=(5,))
    status, message = row_status(preview, 5)
    assert status == "有错误" and "单位“不存在的学校”不存在（最接近的是：" in message
    assert "3 新增" in done
    zhao = User.objects.get(name="赵敏")
    assert (zhao.username, zhao.unit.name, zhao.role, zhao.must_change_password) == (
        "13900000003", "郾城区第一实验小学", "liaison", True)
    assert User.objects.get(name="孙强").role == "inspector"
    # The initial passwords are shown once on the result page…
    import re
    passwords = dict(re.findall(r"<td><code>(\w+)</code></td><td><code>(\w+)</code></td>", done))
    assert set(passwords) == {"13900000003", "13900000004", User.objects.get(name="孙强").username}
    assert User.objects.get(username="13900000003").check_password(passwords["13900000003"])
    # …and printed as login slips, one per person.
    pdf = client.get(reverse("reports:login_slips", args=[record.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for name in ("赵敏", "钱芳", "孙强", "郾城区第一实验小学", "13900000003", passwords["13900000004"]):
        assert name in text
    assert text.count("初始密码") >= 3 and "首次登录后须修改密码" in text
    # Cleared: neither the page nor the PDF has them any more.
    client.post(reverse("ledgers:import_done", args=[record.pk]), {"clear": "1"})
    assert passwords["13900000003"] not in client.get(reverse("ledgers:import_done", args=[record.pk])).content.decode()
    assert client.get(reverse("reports:login_slips", args=[record.pk])).status_code == 404

    # First login: every page leads to the password change until it is done.
    browser = Client()
    response = browser.post(reverse("login"), {"username": "13900000003", "password": passwords["13900000003"]})
    assert response.status_code == 302
    page = browser.get(reverse("home"))
    assert page.status_code == 302 and page.url == reverse("password_change")
    assert browser.get(reverse("ledgers:my_tasks")).url == reverse("password_change")
    response = browser.post(reverse("password_change"), {"old_password": passwords["13900000003"],
                                                         "new_password1": "Wenming-2026-new", "new_password2": "Wenming-2026-new"})
    assert response.status_code == 302
    zhao.refresh_from_db()
    assert not zhao.must_change_password
    assert browser.get(reverse("home")).status_code == 200

    # Importing the list again creates no account and changes no password.
    _, done, _ = run_import(client, "users", liaison_list(), exclude=(5,))
    assert "0 新增" in done and User.objects.filter(name="赵敏").count() == 1
    zhao.refresh_from_db()
    assert zhao.check_password("Wenming-2026-new")


@pytest.mark.parametrize("text, due, frequency, periods", [
    ("长期坚持", date(2026, 12, 31), "ongoing", 0),
    ("常态化", date(2026, 12, 31), "ongoing", 0),
    ("全年", date(2026, 12, 31), "once", 0),
    ("每学期", date(2026, 12, 31), "term", 2),
    ("每月", date(2026, 12, 31), "monthly", 12),
    ("每季度", date(2026, 12, 31), "quarterly", 4),
    ("学期末", date(2026, 12, 31), "term", 2),
    ("6月底", date(2026, 6, 30), "once", 0),
    ("上半年", date(2026, 6, 30), "once", 0),
    ("下半年", date(2026, 12, 31), "once", 0),
    ("2026年6月30日前", date(2026, 6, 30), "once", 0),
    ("2026.6.30", date(2026, 6, 30), "once", 0),
    ("2026/06/30", date(2026, 6, 30), "once", 0),
    ("9月中旬", date(2026, 9, 20), "once", 0),
    ("第三季度", date(2026, 9, 30), "once", 0),
    (46203, date(2026, 6, 30), "once", 0),
    ("46203", date(2026, 6, 30), "once", 0),
    (date(2026, 5, 1), date(2026, 5, 1), "once", 0),
])
def test_deadlines_in_words(text, due, frequency, periods):
    deadline = parse_deadline(text, 2026)
    assert (deadline.due, deadline.frequency, len(deadline.periods)) == (due, frequency, periods)


@pytest.mark.parametrize("text", ["下个月吧", "2026-02-30", "13月", ""])
def test_no_date_is_refused(text):
    with pytest.raises(ValueError):
        parse_deadline(text, 2026)
