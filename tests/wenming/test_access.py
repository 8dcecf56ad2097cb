import pytest
from django.urls import reverse

from ledgers.models import Unit


def test_liaison_home_shows_only_their_unit(client_for, liaison, school_b):
    html = client_for(liaison).get(reverse("home")).content.decode()
    assert "郾城区第一实验小学" in html
    assert "郾城区第二实验小学" not in html


def test_bureau_home_lists_every_unit(client_for, admin_user, school_a, school_b):
    html = client_for(admin_user).get(reverse("home")).content.decode()
    assert "郾城区第一实验小学" in html and "郾城区第二实验小学" in html


def test_units_visible_to_liaison_are_their_own_only(liaison, school_b):
    assert list(Unit.objects.visible_to(liaison)) == [liaison.unit]


@pytest.mark.parametrize("fixture", ["admin_user", "inspector", "leader"])
def test_bureau_roles_see_every_unit(request, fixture, school_a, school_b):
    user = request.getfixturevalue(fixture)
    assert {school_a, school_b} <= set(Unit.objects.visible_to(user))


def test_inactive_or_anonymous_see_nothing(liaison, school_a):
    from django.contrib.auth.models import AnonymousUser

    assert not Unit.objects.visible_to(AnonymousUser()).exists()
    liaison.is_active = False
    assert not Unit.objects.visible_to(liaison).exists()


@pytest.mark.parametrize("fixture", ["liaison", "inspector", "leader"])
def test_non_admins_cannot_open_the_admin(request, client_for, fixture):
    user = request.getfixturevalue(fixture)
    client = client_for(user)
    for url in [reverse("admin:index"), reverse("admin:ledgers_unit_changelist"),
                reverse("admin:ledgers_user_changelist")]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert client.get(response["Location"]).status_code == 403
        assert "郾城区第一实验小学" not in response.content.decode()


def test_bureau_admin_manages_units_in_chinese(client_for, admin_user, school_a):
    client = client_for(admin_user)
    html = client.get(reverse("ledgers:unit_list")).content.decode()
    assert "郾城区第一实验小学" in html
    assert "单位管理" in html and "添加单位" in html
    response = client.post(reverse("ledgers:unit_create"), {
        "name": "郾城区新建小学", "kind": "school", "contact_name": "", "contact_phone": "", "is_active": "on",
    })
    assert response.status_code == 302
    assert Unit.objects.filter(name="郾城区新建小学").exists()
