"""The bureau's units and people in the app's own pages (单位管理 · 用户管理 · 区县管理 · 本局设置): a
district's admin adds a unit and its liaison (a one-time password and its login slip), moves and
deactivates a liaison (what they made stays with the unit), resets a password, unlocks a locked
account; the city's admin keeps the districts and their admins. Every change is audited."""
import pytest
from django.test import Client
from django.urls import reverse

from ledgers.models import Activity, ActivityCategory, Bureau, CampaignYear, Role, Unit, UnitAlias, User
from ledgers.templatetags.history import history_rows
from tests.conftest import PASSWORD, make_user
from tests.reports.test_helpers import pdf_text


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_an_admin_adds_a_unit_and_its_liaison_and_prints_the_login_slip(client_for, admin_user, school_a):
    admin = client_for(admin_user)
    response = admin.post(reverse("ledgers:unit_create"), {
        "name": "郾城区新区小学", "kind": "school", "head_name": "刘建国", "contact_name": "马老师",
        "contact_phone": "0395-1234567", "aliases": "新区小学、新小", "is_active": "on"})
    unit = Unit.objects.get(name="郾城区新区小学")
    assert response["Location"] == reverse("ledgers:unit_detail", args=[unit.pk])
    assert unit.bureau == admin_user.bureau and unit.head_name == "刘建国" and unit.code.startswith("school")
    assert set(UnitAlias.objects.filter(unit=unit).values_list("name", flat=True)) == {"新区小学", "新小"}
    page = admin.get(reverse("ledgers:unit_detail", args=[unit.pk])).content.decode()
    assert "＋ 添加联络员" in page and "还没有账号" in page
    # The liaison: the form comes with the unit chosen.
    form = admin.get(reverse("ledgers:user_create") + f"?unit={unit.pk}").content.decode()
    assert f'<option value="{unit.pk}" selected>' in form
    response = admin.post(reverse("ledgers:user_create") + f"?unit={unit.pk}", {
        "name": "马晓红", "phone": "13912345678", "role": "liaison", "unit": unit.pk, "username": ""})
    assert response["Location"] == reverse("ledgers:account_credentials")
    account = User.objects.get(name="马晓红")
    assert (account.username, account.unit, account.role, account.must_change_password) == (
        "13912345678", unit, Role.LIAISON, True)
    page = admin.get(reverse("ledgers:account_credentials")).content.decode()
    password = page.split('data-testid="password">')[1].split("<")[0]
    assert account.check_password(password) and len(password) == 10
    slip = pdf_text(admin.get(reverse("reports:account_slips")).content)
    for words in ("马晓红", "郾城区新区小学", "13912345678", password, "首次登录后须修改密码"):
        assert words in slip, words
    # Cleared once printed: the slip is gone, never stored.
    admin.post(reverse("ledgers:account_credentials"))
    assert admin.get(reverse("reports:account_slips")).status_code == 404
    # The liaison logs in with it and must change it first.
    browser = Client()
    assert login(browser, "13912345678", password).status_code == 302
    assert browser.get("/")["Location"] == reverse("password_change")


def test_bad_input_is_refused_in_chinese_and_what_was_typed_is_kept(client_for, admin_user, school_a, liaison):
    admin = client_for(admin_user)
    response = admin.post(reverse("ledgers:user_create"), {"name": "", "phone": "12ab", "role": "liaison",
                                                           "unit": school_a.pk, "username": "liaison"})
    page = response.content.decode()
    assert response.status_code == 400
    for message in ("请填写姓名。", "手机号格式不正确。", "用户名“liaison”已被使用"):
        assert message in page, message
    assert 'value="12ab"' in page
    response = admin.post(reverse("ledgers:unit_create"), {"name": "", "kind": "school", "contact_name": "李老师"})
    assert response.status_code == 400 and "请填写单位名称。" in response.content.decode()
    assert 'value="李老师"' in response.content.decode()


@pytest.fixture
def made_by_liaison2(year, liaison2, school_b):
    category = ActivityCategory.objects.ensure_defaults().first()
    return Activity.objects.create(unit=school_b, year=year, category=category, created_by=liaison2,
                                   title="乙校学雷锋活动", date=year_date(year))


def year_date(year):
    from django.utils import timezone

    return timezone.localdate()


def test_a_moved_liaison_leaves_their_records_with_the_unit(client_for, admin_user, liaison2, school_a, school_b,
                                                            made_by_liaison2):
    admin = client_for(admin_user)
    url = reverse("ledgers:user_detail", args=[liaison2.pk])
    page = admin.get(url).content.decode()
    assert "本人填报的记录" in page and "郾城区第二实验小学：活动档案 1 项" in page
    response = admin.post(url, {"name": liaison2.name, "phone": "", "email": "", "role": "liaison", "unit": school_a.pk})
    assert response.status_code == 302
    liaison2.refresh_from_db()
    assert liaison2.unit == school_a
    made_by_liaison2.refresh_from_db()
    assert made_by_liaison2.unit == school_b  # the record stays with its unit
    moved = client_for(liaison2)
    assert moved.get(made_by_liaison2.get_absolute_url()).status_code == 404
    newest = history_rows(liaison2)[0]
    assert (newest.who, newest.operation) == ("王建华", "调动单位")
    assert [(c.label, c.old, c.new) for c in newest.changes] == [("所属单位", "郾城区第二实验小学", "郾城区第一实验小学")]
    assert "调动单位" in admin.get(url).content.decode()


def test_a_deactivated_account_cannot_log_in_and_keeps_its_records(client_for, admin_user, liaison2, made_by_liaison2):
    admin = client_for(admin_user)
    admin.post(reverse("ledgers:user_set_active", args=[liaison2.pk]), {"active": "0"})
    liaison2.refresh_from_db()
    assert not liaison2.is_active
    assert login(Client(), "liaison2", PASSWORD).status_code == 200  # refused: the form again
    assert Activity.objects.filter(pk=made_by_liaison2.pk, created_by=liaison2).exists()
    assert history_rows(liaison2)[0].operation == "停用账号"
    # Nobody deactivates themself here.
    response = admin.post(reverse("ledgers:user_set_active", args=[admin_user.pk]), {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_password_reset_gives_a_one_time_password_and_ends_a_lockout(client_for, admin_user, liaison):
    browser = Client()
    for attempt in range(5):
        login(browser, "liaison", f"wrong-{attempt}")
    assert login(browser, "liaison", PASSWORD).status_code == 429  # locked out
    admin = client_for(admin_user)
    page = admin.get(reverse("ledgers:user_list") + "?state=locked").content.decode()
    assert 'data-username="liaison"' in page and "已锁定" in page
    response = admin.post(reverse("ledgers:user_password_reset", args=[liaison.pk]))
    assert response["Location"] == reverse("ledgers:account_credentials")
    password = admin.get(reverse("ledgers:account_credentials")).content.decode().split(
        'data-testid="password">')[1].split("<")[0]
    liaison.refresh_from_db()
    assert liaison.must_change_password and not liaison.check_password(PASSWORD)
    assert "马晓丽" in pdf_text(admin.get(reverse("reports:account_slips")).content)
    browser = Client()
    assert login(browser, "liaison", password).status_code == 302  # no longer locked
    assert browser.get("/")["Location"] == reverse("password_change")
    assert history_rows(liaison)[0].operation == "重置密码"


def test_unlocking_a_locked_account(client_for, admin_user, liaison):
    browser = Client()
    for attempt in range(5):
        login(browser, "liaison", f"wrong-{attempt}")
    admin = client_for(admin_user)
    url = reverse("ledgers:user_detail", args=[liaison.pk])
    assert "已锁定（登录失败次数过多）" in admin.get(url).content.decode()
    response = admin.post(reverse("ledgers:user_unlock", args=[liaison.pk]), follow=True)
    assert "已解除 马晓丽 的登录锁定" in response.content.decode()
    assert "已锁定（" not in admin.get(url).content.decode()
    assert login(Client(), "liaison", PASSWORD).status_code == 302  # the old password works again
    row = history_rows(liaison)[0]
    assert (row.who, row.operation) == ("王建华", "解除登录锁定")


def test_another_districts_admin_neither_sees_nor_touches_these_accounts(client_for, district2_admin, liaison, school_a):
    other = client_for(district2_admin)
    for name in ("ledgers:user_detail", "ledgers:user_password_reset", "ledgers:user_unlock"):
        assert other.post(reverse(name, args=[liaison.pk])).status_code == 404
    assert other.get(reverse("ledgers:unit_detail", args=[school_a.pk])).status_code == 404
    assert "马晓丽" not in other.get(reverse("ledgers:user_list") + "?state=all").content.decode()
    liaison.refresh_from_db()
    assert liaison.check_password(PASSWORD)


def test_the_city_keeps_the_districts_and_their_admins(client_for, city_admin, district2, district2_admin, liaison3,
                                                       district2_office):
    city = client_for(city_admin)
    page = city.get(reverse("ledgers:district_list")).content.decode()
    assert "漯河市源汇区教育局" in page and "源汇区管理员（district2）" in page
    url = reverse("ledgers:district_detail", args=[district2.pk])
    response = city.post(url, {"name": "漯河市源汇区教育局", "short_name": "源汇", "head_name": "孔繁荣",
                               "deputy_head_name": ""})
    assert response.status_code == 302
    district2.refresh_from_db()
    assert (district2.short_name, district2.head_name) == ("源汇", "孔繁荣")
    response = city.post(reverse("ledgers:district_admin_add", args=[district2.pk]), {"name": "源汇区副管理员"})
    new_admin = User.objects.get(name="源汇区副管理员")
    assert (new_admin.role, new_admin.unit, new_admin.must_change_password) == (Role.ADMIN, district2_office, True)
    assert "源汇区副管理员" in pdf_text(city.get(reverse("reports:account_slips")).content)
    # A district's admin does not manage districts.
    assert client_for(district2_admin).get(reverse("ledgers:district_list")).status_code == 403
    assert client_for(district2_admin).get(url).status_code == 403
    # The city resets a district admin's password, but a district's liaison is the district's to manage.
    assert city.post(reverse("ledgers:user_password_reset", args=[district2_admin.pk])).status_code == 302
    assert city.post(reverse("ledgers:user_password_reset", args=[liaison3.pk])).status_code == 404


def test_bureau_settings_and_the_citys_campaign_years(client_for, admin_user, city_admin, year, district):
    admin = client_for(admin_user)
    response = admin.post(reverse("ledgers:bureau_settings"), {
        "head_name": "李国伟", "deputy_head_name": "张爱华", "evidence_min_photos": "2", "evidence_captions": "on",
        "caption_elements": "时间、地点、人物、事件"})
    assert response.status_code == 302
    district.refresh_from_db()
    assert (district.head_name, district.evidence_min_photos) == ("李国伟", 2)
    # Years are the whole city's: its admin adds one and makes it current; a district's admin cannot.
    response = admin.post(reverse("ledgers:year_save"), {"year": "2027", "is_current": "on"}, follow=True)
    assert "创建年度由市教育局管理员设置" in response.content.decode() and not CampaignYear.objects.filter(year=2027)
    response = client_for(city_admin).post(reverse("ledgers:year_save"), {"year": "2027", "title": "", "is_current": "on"},
                                           follow=True)
    assert "已保存：2027年度文明创建（当前年度）" in response.content.decode(), response.content.decode()[-3000:]
    assert CampaignYear.objects.current().year == 2027 and str(CampaignYear.objects.get(year=2027)) == "2027年度文明创建"


def test_the_superuser_keeps_the_django_admin_and_a_bureau_admin_is_sent_to_the_apps_page(
        client_for, superuser, admin_user, school_a):
    assert client_for(superuser).get(reverse("admin:ledgers_unit_changelist")).status_code == 200
    response = client_for(admin_user).get(reverse("admin:ledgers_unit_changelist"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("ledgers:unit_list") and "郾城区第一实验小学" in response.content.decode()
    response = client_for(admin_user).get(reverse("admin:ledgers_user_change", args=[admin_user.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("ledgers:user_detail", args=[admin_user.pk])
    response = client_for(admin_user).get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == "/"


def test_people_pages_take_a_fixed_number_of_queries(client_for, admin_user, school_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = client_for(admin_user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            for name in ("ledgers:unit_list", "ledgers:user_list"):
                assert admin.get(reverse(name)).status_code == 200
        return len(captured)

    def add(first, n):
        for i in range(first, first + n):
            unit = Unit.objects.create(name=f"第{i}小学", kind="school", code=f"q{i}")
            make_user(f"q{i}", Role.LIAISON, unit, f"联络员{i}")

    add(1, 3)
    few = queries()
    add(10, 20)
    assert queries() == few
