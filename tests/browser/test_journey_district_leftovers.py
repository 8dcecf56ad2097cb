"""Journey: the city admin creates a district and its first admin in one form (desktop), the new
admin must change the initial password; a city task dispatched to districts shows its city
fields as 市局下发 to a district admin on a phone, and the city's published bulletin reaches the
district's bulletin list."""
import datetime

from django.utils import timezone
from playwright.sync_api import expect

from ledgers.models import Task, User
from ledgers.services import bulletins as bulletin_service
from ledgers.services import tasks as task_services
from tests.browser.conftest import login_as, screenshot


def test_city_admin_creates_a_district_in_one_form(page, phone_page, city, city_admin, district2, district2_admin):
    login_as(page, "city")
    page.goto("/districts/")  # 系统 → 区县管理 → 新建区县
    page.get_by_role("link", name="＋ 新建区县").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建区县")
    form = page.get_by_test_id("district-form")
    form.get_by_label("区县教育局名称").fill("漯河市召陵区教育局")
    form.get_by_label("管理员登录用户名").fill(district2_admin.username)  # taken: refused
    form.get_by_label("管理员姓名").fill("召陵区文明办")
    form.locator("#id_admin_password").fill("Zl-wenming-2026")
    form.get_by_label("再次输入初始密码").fill("Zl-wenming-2026")
    form.get_by_role("button", name="新建区县和管理员").click()
    expect(page.locator("main")).to_contain_text(f"用户名“{district2_admin.username}”已被使用")
    expect(page.get_by_label("区县教育局名称")).to_have_value("漯河市召陵区教育局")  # kept
    screenshot(page, "district-create-refused")
    page.get_by_label("管理员登录用户名").fill("zhaoling")
    page.locator("#id_admin_password").fill("Zl-wenming-2026")
    page.get_by_label("再次输入初始密码").fill("Zl-wenming-2026")
    page.get_by_role("button", name="新建区县和管理员").click()
    expect(page.locator("main")).to_contain_text("已新建漯河市召陵区教育局")
    expect(page.get_by_test_id("district-list")).to_contain_text("漯河市召陵区教育局")
    screenshot(page, "district-create-done")
    assert User.objects.get(username="zhaoling").must_change_password

    # The new admin, on a phone: the initial password must be changed first.
    login_as(phone_page, "zhaoling", "Zl-wenming-2026")
    expect(phone_page).to_have_url(f"{phone_page.url.split('/accounts/')[0]}/accounts/password/")
    screenshot(phone_page, "district-first-admin-password-phone")


def test_a_district_admin_sees_the_city_fields_and_the_citys_bulletin(
        page, phone_page, year, city, city_admin, city_office, city_inspector, district2, district2_admin,
        school_c):
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    task = task_services.task_save(task=Task(year=year, title="全市统一开展文明校园创建", requirement="按市局方案开展",
                                             deadline=deadline), units=[city_office], user=city_admin)
    task_services.task_dispatch(task=task, districts=[district2], user=city_admin)
    today = timezone.localdate()
    bulletin = bulletin_service.bulletin_create(user=city_inspector, iso_year=today.isocalendar()[0],
                                                iso_week=today.isocalendar()[1])
    bulletin_service.bulletin_publish(bulletin=bulletin, user=city_admin)

    login_as(page, "city")
    page.goto(task.get_absolute_url())
    expect(page.get_by_test_id("dispatched")).to_contain_text("源汇区")
    expect(page.get_by_test_id("dispatched").get_by_role("button", name="撤回")).to_be_visible()
    screenshot(page, "city-task-dispatched")

    # Drilled into 源汇区: the problems chart's bars keep ?bureau=.
    page.goto(f"/reports/dashboard/?bureau={district2.pk}")
    bars = page.locator(f"main svg a[href*='bureau={district2.pk}']")
    expect(bars.first).to_be_attached()
    screenshot(page, "city-drilled-dashboard")
    # Two districts' units of one name are told apart on the city's problem list.
    page.goto("/problems/")
    screenshot(page, "city-problem-list")

    copy = Task.objects.get(parent=task)
    login_as(phone_page, district2_admin.username)
    phone_page.goto(f"/tasks/{copy.pk}/edit/")
    expect(phone_page.get_by_test_id("from-city")).to_contain_text("市局下发")
    expect(phone_page.get_by_label("测评内容（任务）")).to_be_disabled()
    phone_page.get_by_label(school_c.name).check()
    screenshot(phone_page, "district-task-copy-edit-phone")
    phone_page.get_by_role("button", name="保存").click()
    expect(phone_page.get_by_test_id("from-city")).to_contain_text("市局修改后自动同步")
    screenshot(phone_page, "district-task-copy-phone")

    phone_page.goto("/bulletins/")
    expect(phone_page.get_by_test_id("bulletin-cards")).to_contain_text("第1期")
    screenshot(phone_page, "district-bulletins-phone")
    phone_page.get_by_test_id("bulletin-cards").get_by_role("link").first.click()
    expect(phone_page.get_by_test_id("bulletin-from")).to_contain_text("漯河市教育局发布的通报")
    screenshot(phone_page, "district-reads-city-bulletin-phone")
