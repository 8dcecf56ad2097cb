"""Journey: the city's inspector opens the city dashboard, drills into 郾城区 and opens one of its
schools' problems; 郾城区's admin cannot open a school of another district (404)."""
import datetime

from django.utils import timezone
from playwright.sync_api import expect

from ledgers.models import Check, CheckTemplate, Problem
from tests.browser.conftest import login_as, screenshot


def test_city_inspector_drills_into_a_district_and_a_district_admin_meets_the_wall(
        page, new_page, year, city_inspector, admin_user, inspector, school_a, school_c, district, district2):
    today = timezone.localdate()
    template = CheckTemplate.objects.create(year=year, name="校园环境卫生检查表")
    for unit, total in ((school_a, 92), (school_c, 78)):
        Check.objects.create(year=year, unit=unit, date=today, template=template, total=total, max_total=100,
                             status="submitted", created_by=inspector)
    problem = Problem.objects.create(year=year, unit=school_a, description="操场围墙公益广告破损", found_on=today,
                                     deadline=today - datetime.timedelta(days=2), raised_by=inspector)
    other = Problem.objects.create(year=year, unit=school_c, description="源汇区校门口车辆乱停", found_on=today,
                                   deadline=today + datetime.timedelta(days=3), raised_by=inspector)

    login_as(page, "city_inspector")
    page.get_by_role("link", name="工作看板").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("全市工作看板")
    table = page.get_by_test_id("district-comparison")
    expect(table).to_contain_text("郾城区")
    expect(table).to_contain_text("源汇区")
    screenshot(page, "city-dashboard")

    # Drill into 郾城区: its overdue problems, then the school's problem.
    row = table.get_by_test_id("district-row").filter(has_text="郾城区")
    row.get_by_role("link", name="1").last.click()  # 逾期问题: 1
    expect(page).to_have_url(f"{page.url.split('?')[0]}?bureau={district.pk}&overdue=1")
    expect(page.locator("main")).to_contain_text("操场围墙公益广告破损")
    expect(page.locator("main")).not_to_contain_text("源汇区校门口车辆乱停")
    page.get_by_role("link", name="操场围墙公益广告破损").first.click()
    expect(page).to_have_url(f"{page.url.split('/problems/')[0]}/problems/{problem.pk}/")
    expect(page.locator("main")).to_contain_text("郾城区第一实验小学")
    screenshot(page, "city-inspector-district-problem")

    # 郾城区's admin types a 源汇区 school's pages: 404 every time.
    admin = new_page()
    login_as(admin, "admin")
    for url in (f"/problems/{other.pk}/", f"/reports/monthly/{today:%Y-%m}/?unit={school_c.pk}",
                f"/units/{school_c.pk}/", f"/admin/ledgers/unit/{school_c.pk}/change/"):
        response = admin.goto(url)
        assert response.status == 404, url
    expect(admin.locator("body")).not_to_contain_text("源汇区第一实验小学")
    screenshot(admin, "district-admin-other-district-404")
