"""Journeys users make today, driven in Debian's Chromium; each ends in a screenshot.

Here: password change on a phone, unit management, (1) a liaison files an activity with
three captioned photos from a phone, (2) an inspector records a check with a problem, the
liaison rectifies it with a photo, the inspector closes it. Journey 3 (the monthly summary)
lives in test_journey_reports.py with the reports.
"""
import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login_as, screenshot

NEW_PASSWORD = "Xin-mima-2026!"


def test_liaison_on_a_phone_changes_password_and_logs_out(phone_page, liaison, year):
    page = phone_page
    login_as(page, "liaison")
    # The phone layout folds the menu behind the toggler; the unit is the page heading.
    expect(page.get_by_role("heading", level=1)).to_have_text("郾城区第一实验小学")
    nav = page.locator("#mainnav")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="菜单").click()
    expect(nav).to_have_class(re.compile(r"\bshow\b"))
    expect(nav).to_contain_text("马晓丽")
    screenshot(page, "liaison-phone-home-menu")

    nav.get_by_text("马晓丽").click()
    page.get_by_role("link", name="修改密码").click()
    page.locator("#id_old_password").fill("wenming2026")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator("main")).to_contain_text("密码已修改")
    screenshot(page, "liaison-phone-password-changed")

    page.get_by_role("button", name="菜单").click()
    page.locator("#mainnav").get_by_text("马晓丽").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    # The old password no longer works; the new one does.
    login_as(page, "liaison", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("郾城区第一实验小学")
    screenshot(page, "liaison-phone-logged-in-again")


def test_bureau_admin_opens_unit_management(page, admin_user, school_a, school_b, year):
    login_as(page, "admin")
    page.get_by_role("button", name="系统").click()
    page.get_by_role("link", name="单位管理").click()
    expect(page.get_by_test_id("unit-list")).to_contain_text("郾城区第一实验小学")
    expect(page.get_by_test_id("unit-list")).to_contain_text("郾城区第二实验小学")
    assert "/admin/" not in page.url  # the app's own page, in its own look
    expect(page.locator(".navbar-brand")).to_contain_text("文明创建工作台账")
    screenshot(page, "admin-unit-management")


# --- journey 1: an activity with three captioned photos, from a phone ---------------------

def jpeg_files(folder, count, size=(800, 600)):
    """`count` small JPEGs on disk, each a different colour (distinct content hashes)."""
    from PIL import Image

    paths = []
    for n, colour in zip(range(count), ["seagreen", "steelblue", "darkorange", "purple"]):
        path = folder / f"IMG_{n + 1:04d}.jpg"
        Image.new("RGB", size, colour).save(path, "JPEG")
        paths.append(path)
    return paths


CAPTIONS = ["2026年4月3日上午，沙北社区，五年级学生清扫街道",
            "2026年4月3日上午，沙北社区，志愿者慰问孤寡老人",
            "2026年4月3日中午，沙北社区，师生合影留念"]


def test_liaison_on_a_phone_files_an_activity_with_three_captioned_photos(phone_page, liaison, year, tmp_path):
    from ledgers.models import Activity, ActivityStatus, Indicator

    indicator = Indicator.objects.create(year=year, code="3.2.1", title="学雷锋志愿服务常态化", min_photos=3,
                             caption_required=True)
    page = phone_page
    login_as(page, "liaison")
    page.get_by_role("button", name="菜单").click()
    page.locator("#mainnav").get_by_role("button", name="活动档案").click()
    page.locator("#mainnav").get_by_role("link", name="活动档案", exact=True).click()
    page.get_by_role("link", name="新建活动档案").click()

    page.get_by_label("活动名称").fill("学雷锋志愿服务进社区")
    page.get_by_label("活动类别").select_option(label="学雷锋志愿服务")
    page.get_by_label("活动日期").fill("2026-04-03")
    page.get_by_label("活动地点").fill("沙北社区")
    page.get_by_label("参加人员").fill("五年级师生 60 人")
    page.get_by_label("组织者").fill("少先队大队部")
    page.get_by_label("关联测评指标").select_option(value=str(indicator.pk))
    page.get_by_label("活动简介").fill("清扫街道，慰问老人。")
    page.locator("input[name=photos][multiple]").set_input_files(jpeg_files(tmp_path, 3))
    # Each photo goes up on its own with a progress bar (static/js/capture.js).
    expect(page.locator("[data-capture-card][data-state=done]")).to_have_count(3)
    screenshot(page, "journey1-liaison-phone-new-activity")
    page.get_by_role("button", name="保存草稿").click()

    expect(page.locator("main")).to_contain_text("已保存为草稿")
    # Captions are required by the linked indicator: not yet submittable.
    expect(page.get_by_test_id("evidence-problems")).to_be_visible()
    page.get_by_role("link", name="编辑 / 添加照片").click()
    captions = page.get_by_placeholder("时间、地点、人物、事件")
    expect(captions).to_have_count(3)
    for n, caption in enumerate(CAPTIONS):
        captions.nth(n).fill(caption)
    screenshot(page, "journey1-liaison-phone-captions")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("main")).to_contain_text("已保存为草稿")
    page.get_by_role("button", name="提交审核").click()

    expect(page.locator("main")).to_contain_text("已提交，等待督导组审核")
    expect(page.locator("main .badge").first).to_have_text("已提交")
    thumbs = page.get_by_test_id("photos").locator("img")
    expect(thumbs).to_have_count(3)
    for n in range(3):
        expect(thumbs.nth(n)).to_be_visible()
        # The thumbnail really loaded (served through the access-checked view).
        assert thumbs.nth(n).evaluate("img => img.complete && img.naturalWidth > 0")
    for caption in CAPTIONS:
        expect(page.get_by_test_id("photos")).to_contain_text(caption)
    screenshot(page, "journey1-liaison-phone-submitted")

    activity = Activity.objects.get(title="学雷锋志愿服务进社区")
    assert activity.status == ActivityStatus.SUBMITTED
    assert activity.unit == liaison.unit and activity.submitted_by == liaison
    assert sorted(activity.photos.values_list("caption", flat=True)) == sorted(CAPTIONS)
    assert [i.code for i in activity.indicators.all()] == ["3.2.1"]


# --- journey 2: check → problem → rectification with a photo → re-check and close ---------

def test_inspector_raises_a_problem_the_liaison_rectifies_it_and_the_inspector_closes_it(
        new_page, phone_page, inspector, liaison, year, tmp_path):
    from ledgers.models import CheckItem, CheckTemplate, Indicator, Problem, ProblemStatus

    indicator = Indicator.objects.create(year=year, code="3.2.1", title="校园环境整洁有序", points=5)
    template = CheckTemplate.objects.create(year=year, name="校园环境卫生检查表")
    CheckItem.objects.create(template=template, title="校园环境卫生", max_points=20, indicator=indicator, sort_order=1)
    CheckItem.objects.create(template=template, title="宣传氛围", max_points=15, sort_order=2)
    before, after = jpeg_files(tmp_path, 2)

    # The inspector records the check on a phone and raises a problem from it.
    page = phone_page
    login_as(page, "inspector")
    page.get_by_role("button", name="菜单").click()
    page.locator("#mainnav").get_by_role("button", name="督查整改").click()
    page.locator("#mainnav").get_by_role("link", name="督查记录").click()
    page.get_by_role("link", name="新建督查").click()
    page.get_by_label("受检单位").select_option(label="郾城区第一实验小学")
    page.get_by_label("校园环境卫生（满分 20 分）").fill("16")
    page.get_by_label("宣传氛围（满分 15 分）").fill("13.5")
    page.get_by_label("检查情况").fill("操场东北角有垃圾，宣传栏内容及时更新。")
    screenshot(page, "journey2-inspector-phone-check-form")
    page.get_by_role("button", name="提交督查记录").click()
    expect(page.locator("main")).to_contain_text("督查记录已提交，得分 29.5 分")
    expect(page.get_by_test_id("total")).to_have_text("29.5 / 35")
    expect(page.get_by_test_id("rate")).to_have_text("84.3%")  # one rounding: halves up (ledgers.rules)

    page.get_by_label("测评指标").select_option(value=str(indicator.pk))
    page.get_by_label("问题描述").fill("操场东北角有垃圾未清理")
    page.get_by_label("整改前照片").set_input_files(before)
    page.get_by_role("button", name="交办给郾城区第一实验小学").click()
    expect(page.locator("main")).to_contain_text("问题已交办给郾城区第一实验小学")
    expect(page.locator("main")).to_contain_text("发现的问题（1）")
    screenshot(page, "journey2-inspector-phone-check-with-problem")
    problem = Problem.objects.get()
    assert problem.status == ProblemStatus.OPEN and problem.unit == liaison.unit

    # The school's liaison, in another browser, finds it on the home page and rectifies it.
    school = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    login_as(school, "liaison")
    school.get_by_test_id("panel-problems").get_by_role("link", name="操场东北角有垃圾未清理").click()
    school.get_by_role("button", name="开始整改").click()
    expect(school.locator("main")).to_contain_text("已开始整改")
    school.get_by_label("整改情况").fill("已组织值日生清理，并增设垃圾桶一个。")
    school.get_by_label("整改后照片").set_input_files(after)
    screenshot(school, "journey2-liaison-phone-rectify")
    school.get_by_role("button", name="提交复查").click()
    expect(school.locator("main")).to_contain_text("整改情况已提交，等待督导组复查")
    expect(school.locator("main .badge").first).to_have_text("待复查")
    expect(school.get_by_alt_text("整改后")).to_be_visible()

    # The inspector logs in again (a fresh desktop browser) and closes it.
    desk = new_page()
    login_as(desk, "inspector")
    desk.get_by_role("button", name="督查整改").click()
    desk.get_by_role("link", name="整改台账").click()
    desk.get_by_label("状态").select_option(label="待复查")
    desk.get_by_role("button", name="筛选").click()
    desk.get_by_test_id("problem-table").get_by_role("link", name="操场东北角有垃圾未清理").click()
    desk.get_by_label("复查意见").fill("现场复查，已清理干净。")
    desk.get_by_role("button", name="复查通过，销号").click()
    expect(desk.locator("main")).to_contain_text("问题已复查销号")
    expect(desk.locator("main .badge").first).to_have_text("已销号")
    timeline = desk.get_by_test_id("timeline").locator("li")
    expect(timeline).to_have_count(4)
    for n, (action, status) in enumerate([("发现交办", "待整改"), ("开始整改", "整改中"),
                                          ("提交整改", "待复查"), ("复查销号", "已销号")]):
        expect(timeline.nth(n)).to_contain_text(action)
        expect(timeline.nth(n)).to_contain_text(f"→ {status}")
    expect(timeline.nth(2)).to_contain_text("马晓丽")
    expect(timeline.nth(3)).to_contain_text("现场复查，已清理干净。")
    screenshot(desk, "journey2-inspector-problem-closed")

    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
    assert (problem.rectified_by, problem.closed_by) == (liaison, inspector)
    assert problem.photos.filter(stage="after").count() == 1 and problem.photos.filter(stage="before").count() == 1


# --- two browsers editing the same task ---------------------------------------------------

def test_two_admins_editing_one_task_the_second_is_told_and_keeps_what_they_typed(new_page, admin_user, section,
                                                                                  school_a, year):
    from datetime import timedelta

    from django.utils import timezone

    from ledgers.models import Role, Task
    from ledgers.services.tasks import task_save
    from tests.conftest import make_user

    make_user("admin2", Role.ADMIN, section, "李红梅")
    task = task_save(task=Task(year=year, title="开展文明校园创建", deadline=timezone.localdate() + timedelta(days=10)),
                     units=[school_a], user=admin_user)
    mine, theirs = new_page(), new_page()
    for page, username in ((mine, "admin"), (theirs, "admin2")):
        login_as(page, username)
        page.goto(f"/tasks/{task.pk}/edit/")
    theirs.get_by_label("测评内容（任务）").fill("开展文明校园创建（含宿舍）")
    theirs.get_by_role("button", name="保存").click()
    expect(theirs.locator("main")).to_contain_text("任务已保存")

    mine.get_by_label("测评内容（任务）").fill("创建文明校园")
    mine.get_by_label("工作要求").fill("每月报送一次活动照片")
    mine.get_by_role("button", name="保存").click()
    alert = mine.get_by_role("alert")
    expect(alert).to_contain_text("此记录已被他人修改（李红梅，")
    expect(alert).to_contain_text("您打开时为“开展文明校园创建”，现在为“开展文明校园创建（含宿舍）”")
    expect(mine.get_by_label("测评内容（任务）")).to_have_value("创建文明校园")
    expect(mine.get_by_label("工作要求")).to_have_value("每月报送一次活动照片")
    screenshot(mine, "concurrency-task-second-save-refused")
    mine.get_by_role("button", name="保存").click()  # checked: save again
    expect(mine.locator("main")).to_contain_text("任务已保存")
    task.refresh_from_db()
    assert (task.title, task.requirement) == ("创建文明校园", "每月报送一次活动照片")
