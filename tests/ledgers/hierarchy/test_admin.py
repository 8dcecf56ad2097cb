"""The admin at both levels: the city's admin creates a district with its office and then the
district's first admin; a district's admin manages only their district's units and users."""
from django.urls import reverse

from ledgers.models import Bureau, Role, Unit, User


def test_city_admin_creates_a_district_its_office_and_its_first_admin(city, city_admin, client_for):
    client = client_for(city_admin)
    response = client.post(reverse("admin:ledgers_bureau_add"), {
        "name": "漯河市召陵区教育局", "short_name": "召陵区", "code": "zhaoling", "kind": "district",
        "parent": city.pk, "sort_order": "3",
        "units-TOTAL_FORMS": "1", "units-INITIAL_FORMS": "0", "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
        "units-0-name": "召陵区教育局办公室", "units-0-kind": "section", "units-0-code": "zl-bgs",
        "units-0-sort_order": "0"})
    assert response.status_code == 302, response.content.decode()[:1500]
    district = Bureau.objects.get(code="zhaoling")
    office = Unit.objects.get(name="召陵区教育局办公室")
    assert office.bureau == district
    response = client.post(reverse("admin:ledgers_user_add"), {
        "username": "zhaoling", "name": "召陵区文明办", "unit": office.pk, "role": "admin",
        "password1": "Zl-wenming-2026", "password2": "Zl-wenming-2026"})
    assert response.status_code == 302, response.content.decode()[:1500]
    first_admin = User.objects.get(username="zhaoling")
    assert (first_admin.bureau, first_admin.role, first_admin.is_city) == (district, Role.ADMIN, False)
    # The new district's admin sees only their own district in the admin.
    html = client_for(first_admin).get(reverse("admin:ledgers_unit_changelist")).content.decode()
    assert "召陵区教育局办公室" in html and "市教育局文明办" not in html


def test_district_admin_manages_only_their_district(admin_user, school_a, district2_admin, school_c, liaison3,
                                                    client_for):
    client = client_for(district2_admin)
    assert client.get(reverse("admin:ledgers_bureau_changelist")).status_code == 403
    html = client.get(reverse("admin:ledgers_user_changelist")).content.decode()
    assert "liaison3" in html and admin_user.name not in html
    html = client.get(reverse("admin:ledgers_unit_add")).content.decode()
    assert "所属教育局" not in html  # a district admin's new unit joins their district
    response = client.post(reverse("admin:ledgers_unit_add"), {
        "name": "源汇区新建小学", "kind": "school", "code": "yh-new", "contact_name": "", "contact_phone": "",
        "is_active": "on", "sort_order": "0"})
    assert response.status_code == 302
    assert Unit.objects.get(name="源汇区新建小学").bureau == district2_admin.bureau
    # A user cannot be put into another district's unit.
    response = client.post(reverse("admin:ledgers_user_add"), {
        "username": "intruder", "name": "越权", "unit": school_a.pk, "role": "admin",
        "password1": "Zl-wenming-2026", "password2": "Zl-wenming-2026"})
    assert response.status_code == 200 and not User.objects.filter(username="intruder").exists()


def test_city_home_lists_districts_and_the_citys_own_units(city_admin, city_office, school_a, district2,
                                                           client_for):
    html = client_for(city_admin).get("/").content.decode()
    assert "漯河市源汇区教育局" in html and "市教育局文明办" in html
    assert "郾城区第一实验小学" not in html  # a district's units are behind its line
