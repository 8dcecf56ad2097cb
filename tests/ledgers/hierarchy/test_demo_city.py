"""The demo is a city: 漯河市教育局 with 郾城区 (the demo's logins unchanged) and two more districts,
each with its own units, logins and a year of ledgers."""
from django.core.management import call_command
from django.urls import reverse

from ledgers.models import Bureau, Check, Problem, Role, Task, Unit, User


def test_demo_city_logins_districts_and_walls(db, client_for):
    call_command("load_demo")
    city = Bureau.objects.city()
    assert city.name == "漯河市教育局"
    districts = {b.short_name: b for b in Bureau.objects.districts()}
    assert set(districts) >= {"郾城区", "源汇区", "召陵区"}
    expected = {"city": (Role.ADMIN, city), "city_inspector": (Role.INSPECTOR, city),
                "district2": (Role.ADMIN, districts["源汇区"]), "admin": (Role.ADMIN, districts["郾城区"]),
                "liaison": (Role.LIAISON, districts["郾城区"])}
    for username, (role, bureau) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.bureau) == (role, bureau), username
        assert user.check_password("wenming2026")
    for short in ("源汇区", "召陵区"):
        bureau = districts[short]
        assert Unit.objects.filter(bureau=bureau).count() >= 6
        assert Task.objects.filter(bureau=bureau).exists()
        assert Check.objects.filter(unit__bureau=bureau).exists()
        assert Problem.objects.filter(unit__bureau=bureau).exists()

    district2 = User.objects.get(username="district2")
    assert not Unit.objects.visible_to(district2).exclude(bureau=districts["源汇区"]).exists()
    html = client_for(User.objects.get(username="city_inspector")).get(reverse("reports:dashboard")).content.decode()
    for short in ("郾城区", "源汇区", "召陵区"):
        assert short in html
    html = client_for(district2).get(reverse("ledgers:problem_list")).content.decode()
    assert "源汇区" in html and "郾城区第一实验小学" not in html
