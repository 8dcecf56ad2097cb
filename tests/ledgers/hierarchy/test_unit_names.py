"""Unit names are unique per bureau: two districts may each have a 第一中学; the same bureau may
not have two. Imports match names within the importer's bureau; pages of the city, which list
several districts' units, show the district beside the name."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ledgers.models import Role, Unit
from ledgers.services import problems as problem_service
from ledgers.services import units as unit_service
from tests.conftest import make_user


@pytest.fixture
def two_first_schools(district, district2, admin_user, district2_admin):
    mine = unit_service.unit_create(name="第一中学", kind="school", user=admin_user)
    theirs = unit_service.unit_create(name="第一中学", kind="school", user=district2_admin)
    return mine, theirs


def test_two_districts_may_each_have_a_first_school_but_not_one_twice(two_first_schools, district, district2,
                                                                      admin_user):
    mine, theirs = two_first_schools
    assert (mine.bureau, theirs.bureau) == (district, district2)
    with pytest.raises(ValidationError) as refused:
        unit_service.unit_create(name="第一中学", kind="school", user=admin_user)
    assert "本局已有名为“第一中学”的单位" in str(refused.value)


def test_the_unit_admin_refuses_a_name_the_district_has_and_accepts_one_another_has(
        two_first_schools, district2_admin, client_for):
    client = client_for(district2_admin)
    form = {"name": "第一中学", "kind": "school", "contact_name": "", "contact_phone": "", "is_active": "on"}
    response = client.post(reverse("ledgers:unit_create"), form)
    assert response.status_code == 400 and "本局已有名为“第一中学”的单位" in response.content.decode()
    response = client.post(reverse("ledgers:unit_create"), {**form, "name": "第二中学"})
    assert response.status_code == 302
    assert Unit.objects.get(name="第二中学").bureau == district2_admin.bureau


def test_city_pages_show_the_district_beside_the_unit(two_first_schools, year, admin_user, district2_admin,
                                                      city_inspector, client_for):
    mine, theirs = two_first_schools
    deadline = timezone.localdate() + timezone.timedelta(days=3)
    for user, unit in ((admin_user, mine), (district2_admin, theirs)):
        problem_service.problem_raise(user=user, unit=unit, description=f"{unit.bureau.label}的问题",
                                      deadline=deadline)
    html = client_for(city_inspector).get(reverse("ledgers:problem_list")).content.decode()
    assert f"第一中学（{mine.bureau.label}）" in html and f"第一中学（{theirs.bureau.label}）" in html
    # The unit filter tells them apart too.
    assert f">第一中学（{theirs.bureau.label}）</option>" in html
    # A district's own pages: plain names.
    html = client_for(district2_admin).get(reverse("ledgers:problem_list")).content.decode()
    assert "第一中学" in html and "第一中学（" not in html


def test_account_import_matches_the_unit_of_the_importers_district(two_first_schools, district2, district2_admin,
                                                                   client_for):
    from tests.ledgers.imports.conftest import run_import, xlsx

    mine, theirs = two_first_schools
    people = [["姓名", "手机号码", "单位"], ["钱芳", "13900000004", "第一中学"]]
    run_import(client_for(district2_admin), "users", xlsx(people))
    from ledgers.models import User

    assert User.objects.get(name="钱芳").unit == theirs


def test_demo_style_lookups_stay_in_the_bureau(two_first_schools, district2):
    assert Unit.objects.get(bureau=district2, name="第一中学") == two_first_schools[1]
    make_user("d2-liaison", Role.LIAISON, two_first_schools[1])
