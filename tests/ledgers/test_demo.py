from django.core.management import call_command

from ledgers.models import CampaignYear, Role, Unit, UnitKind, User


def counts():
    return (Unit.objects.count(), User.objects.count(), CampaignYear.objects.count())


def test_demo_data_is_a_believable_bureau_and_idempotent(db):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert Unit.objects.filter(kind=UnitKind.SCHOOL).count() >= 30
    assert Unit.objects.exclude(kind=UnitKind.SCHOOL).count() >= 10
    assert CampaignYear.objects.current() is not None


def test_demo_logins_work_with_the_readme_password(db, client):
    call_command("load_demo")
    expected = {"admin": Role.ADMIN, "inspector": Role.INSPECTOR, "leader": Role.LEADER,
                "liaison": Role.LIAISON, "liaison2": Role.LIAISON}
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("wenming2026")
    assert User.objects.get(username="liaison").unit.name == "郾城区第一实验小学"
    assert User.objects.get(username="liaison2").unit != User.objects.get(username="liaison").unit


def test_if_empty_skips_a_loaded_database(db):
    call_command("load_demo")
    # Units with ledger records cannot be deleted (PROTECT), so mark one by editing it instead.
    Unit.objects.filter(name="人事股").update(contact_name="已修改")
    call_command("load_demo", if_empty=True)
    assert Unit.objects.get(name="人事股").contact_name == "已修改"
