"""The admin at both levels: the city's admin creates a district with its office and then the
district's first admin; a district's admin manages only their district's units and users."""
from django.test import Client
from django.urls import reverse

from ledgers.models import Bureau, Role, Unit, User


FORM = {"name": "漯河市召陵区教育局", "short_name": "", "office_name": "", "admin_username": "zhaoling",
        "admin_name": "召陵区文明办", "admin_password": "Zl-wenming-2026", "admin_password2": "Zl-wenming-2026"}


def test_city_admin_creates_a_district_and_its_first_admin_in_one_form(city, city_admin, client_for):
    city_client = client_for(city_admin)
    # 区县管理 → 新建区县 opens the one form.
    page = city_client.get(reverse("ledgers:district_list")).content.decode()
    assert reverse("ledgers:district_create") in page
    response = city_client.post(reverse("ledgers:district_create"), FORM)
    assert response.status_code == 302, response.content.decode()[:1500]
    district = Bureau.objects.get(name="漯河市召陵区教育局")
    assert (district.kind, district.parent, district.short_name) == ("district", city, "召陵区")
    office = Unit.objects.get(bureau=district)
    assert office.name == "召陵区教育局办公室"
    first_admin = User.objects.get(username="zhaoling")
    assert (first_admin.bureau, first_admin.role, first_admin.is_city) == (district, Role.ADMIN, False)
    assert first_admin.must_change_password and first_admin.check_password("Zl-wenming-2026")
    page = city_client.get(reverse("ledgers:district_create")).content.decode()
    assert "已新建漯河市召陵区教育局" in page and "漯河市召陵区教育局" in page

    # The new admin logs in with the initial password and must change it first.
    client = Client()
    response = client.post(reverse("login"), {"username": "zhaoling", "password": "Zl-wenming-2026"})
    assert response.status_code == 302
    response = client.get(reverse("ledgers:unit_list"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    # Then manages only their own district.
    first_admin.must_change_password = False
    first_admin.save()
    html = client_for(first_admin).get(reverse("ledgers:unit_list")).content.decode()
    assert "召陵区教育局办公室" in html and "市教育局文明办" not in html


def test_duplicates_and_weak_passwords_are_refused_in_chinese_and_nothing_is_half_made(
        city, district2, city_admin, district2_admin, client_for):
    client = client_for(city_admin)
    before = (Bureau.objects.count(), Unit.objects.count(), User.objects.count())
    cases = [
        ({"name": district2.name}, f"已有名为“{district2.name}”的教育局"),
        ({"short_name": district2.short_name}, f"简称“{district2.short_name}”已被其他区县使用"),
        ({"admin_username": district2_admin.username}, f"用户名“{district2_admin.username}”已被使用"),
        ({"admin_username": district2_admin.username.upper()}, "已被使用"),
        ({"admin_password": "12345678", "admin_password2": "12345678"}, "密码"),
        ({"admin_password2": "Other-2026-pass"}, "两次输入的初始密码不一致"),
        ({"admin_name": ""}, "请填写管理员姓名"),
    ]
    for change, message in cases:
        data = {**FORM, **change}
        response = client.post(reverse("ledgers:district_create"), data)
        page = response.content.decode()
        assert response.status_code == 400 and message in page, (change, page[:3000])
        assert 'value="漯河市召陵区教育局"' in page or change.get("name"), change  # what was typed is kept
    assert (Bureau.objects.count(), Unit.objects.count(), User.objects.count()) == before


def test_only_the_citys_admin_creates_districts(district2_admin, city_inspector, liaison3, client_for):
    for user in (district2_admin, city_inspector, liaison3):
        client = client_for(user)
        assert client.get(reverse("ledgers:district_create")).status_code == 403, user.username
        assert client.post(reverse("ledgers:district_create"), FORM).status_code == 403, user.username
    assert not Bureau.objects.filter(name=FORM["name"]).exists()


def test_district_admin_manages_only_their_district(admin_user, school_a, district2_admin, school_c, liaison3,
                                                    client_for):
    client = client_for(district2_admin)
    assert client.get(reverse("ledgers:district_list")).status_code == 403
    html = client.get(reverse("ledgers:user_list")).content.decode()
    assert "liaison3" in html and admin_user.name not in html
    html = client.get(reverse("ledgers:unit_create")).content.decode()
    assert "所属教育局" not in html  # a district admin's new unit joins their district
    response = client.post(reverse("ledgers:unit_create"), {"name": "源汇区新建小学", "kind": "school", "is_active": "on"})
    assert response.status_code == 302
    assert Unit.objects.get(name="源汇区新建小学").bureau == district2_admin.bureau
    # A user cannot be put into another district's unit: it is not among the choices.
    response = client.post(reverse("ledgers:user_create"), {
        "username": "intruder", "name": "越权", "unit": school_a.pk, "role": "admin"})
    assert response.status_code == 400 and "请从列表中选择本局的单位" in response.content.decode()
    assert not User.objects.filter(username="intruder").exists()


def test_city_home_lists_districts_and_the_citys_own_units(city_admin, city_office, school_a, district2,
                                                           client_for):
    html = client_for(city_admin).get("/").content.decode()
    assert "漯河市源汇区教育局" in html and "市教育局文明办" in html
    assert "郾城区第一实验小学" not in html  # a district's units are behind its line
