"""Journey: the bureau admin scores an indicator on activity archives; a liaison on a phone opens
模拟测评, sees the line saying a draft archive does not count yet, follows it, submits the
archive and sees the score rise."""
import datetime
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from ledgers.models import Activity, ActivityCategory, ActivityPhoto, Indicator
from tests.browser.conftest import PHONE, login_as, screenshot
from tests.reports.assessment.conftest import image_name


def test_admin_sets_a_rule_and_a_liaison_wins_points_back(new_page, admin_user, liaison, school_a, year):
    parent = Indicator.objects.create(year=year, code="3", title="未成年人思想道德建设", points=Decimal(4))
    indicator = Indicator.objects.create(year=year, code="3.2.2", title="我们的节日", points=Decimal(4), parent=parent,
                                         min_photos=1)
    day = timezone.localdate() - datetime.timedelta(days=2)
    if day.year != year.year:
        day = datetime.date(year.year, 12, 1)
    activity = Activity.objects.create(year=year, unit=school_a, title="重阳节敬老活动", date=day,
                                       category=ActivityCategory.objects.create(name="我们的节日"), created_by=liaison)
    activity.indicators.add(indicator)
    name = image_name()
    ActivityPhoto.objects.create(activity=activity, original=name, display=name, thumbnail=name, caption="看望老人",
                                 original_name="1.jpg", sha256="x1", uploaded_by=liaison)

    # The admin creates the year's scheme and scores 3.2.2 on activity archives, once a semester.
    admin = new_page()
    login_as(admin, "admin")
    admin.goto(f"/assessment/scheme/?year={year.year}")
    admin.get_by_test_id("scheme-create").click()
    form = admin.get_by_test_id("rule-form-3.2.2")
    form.get_by_label("评分规则").select_option(label="活动档案")
    form.get_by_label("要求次数").fill("1")
    form.get_by_label("统计周期").select_option(label="每学期")
    form.get_by_role("button", name="保存规则").click()
    expect(admin.locator(".alert-success, .alert")).to_contain_text(["已保存指标 3.2.2 的评分规则：活动档案"])
    expect(admin.get_by_test_id("rule-list")).to_contain_text("至少 1 次符合佐证要求")
    screenshot(admin, "admin-assessment-scheme")

    # The liaison, on a phone, opens 模拟测评 from the home page.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    login_as(phone, "liaison")
    panel = phone.get_by_test_id("panel-assessment")
    expect(panel).to_contain_text("模拟测评")
    panel.get_by_test_id("mock-link").click()
    before = phone.get_by_test_id("total").inner_text()
    line = phone.get_by_test_id("mock-actions").get_by_role(
        "link", name="3.2.2 活动档案《重阳节敬老活动》尚未提交（草稿），提交后可计入")
    expect(line).to_be_visible()
    screenshot(phone, "liaison-mock-evaluation-before")
    line.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("重阳节敬老活动")
    phone.get_by_role("button", name="提交审核").click()
    expect(phone.locator("body")).to_contain_text("已提交")

    phone.goto(f"/reports/assessment/{year.year}/")
    after = phone.get_by_test_id("total").inner_text()
    assert Decimal(after) > Decimal(before)
    expect(phone.get_by_test_id("mock-actions")).not_to_contain_text("重阳节敬老活动")
    screenshot(phone, "liaison-mock-evaluation-after")
