"""Audit trail: who changed a ledger record, when, and what (old → new), for the bureau."""
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from ledgers.models import Unit
from ledgers.templatetags.history import history_rows


def unit_form(unit, **changes):
    data = {"name": unit.name, "kind": unit.kind, "code": unit.code, "contact_name": unit.contact_name,
            "contact_phone": unit.contact_phone, "sort_order": unit.sort_order, "is_active": "on"}
    data.update(changes)
    return data


def test_admin_change_shows_who_and_old_to_new_values(client_for, admin_user, school_a):
    admin = client_for(admin_user)
    url = reverse("ledgers:unit_detail", args=[school_a.pk])
    response = admin.post(url, unit_form(school_a, contact_name="李老师", contact_phone="13800000000",
                                         kind="affiliate"))
    assert response.status_code == 302

    newest, created = history_rows(Unit.objects.get(pk=school_a.pk))
    assert (newest.who, newest.operation) == ("王建华", "修改")
    assert created.operation == "新建" and created.who == "系统"  # made by the fixture, not a request
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("单位类别", "学校", "直属单位"),
        ("联系人", "（空）", "李老师"),
        ("联系电话", "（空）", "13800000000"),
    ]
    # The bureau sees it on the record's page.
    page = admin.get(url).content.decode()
    assert "修改记录" in page and "王建华" in page and "（空） → 李老师" in page


def test_deletion_is_kept_in_the_trail(client_for, superuser, school_b):
    # Only the superuser deletes units (in /admin/); a bureau stops using one (启用 off) instead.
    admin = client_for(superuser)
    pk = school_b.pk
    admin.post(reverse("admin:ledgers_unit_delete", args=[pk]), {"post": "yes"})
    assert not Unit.objects.filter(pk=pk).exists()
    deleted = Unit.history.filter(id=pk).order_by("-history_date").first()
    assert deleted.history_type == "-" and deleted.history_user == superuser


def test_history_is_for_the_bureau_only(school_a, liaison, leader):
    school_a.contact_name = "李老师"
    school_a.save()
    request = RequestFactory().get("/")
    request.user = leader
    assert "李老师" in render_to_string("ledgers/_history.html", {"object": school_a}, request=request)
    request.user = liaison
    assert render_to_string("ledgers/_history.html", {"object": school_a}, request=request).strip() == ""


def test_history_rows_take_a_fixed_number_of_queries(school_a, django_assert_max_num_queries):
    for n in range(80):
        school_a.contact_phone = f"1380000{n:04d}"
        school_a.save()
    with django_assert_max_num_queries(2):
        rows = history_rows(school_a, limit=50)
    assert len(rows) == 50
    assert rows[0].changes[0].new == "13800000079" and rows[0].changes[0].old == "13800000078"


def test_text_in_history_is_shown_as_text(school_a, leader):
    school_a.contact_name = "<script>alert(1)</script>"
    school_a.save()
    request = RequestFactory().get("/")
    request.user = leader
    html = render_to_string("ledgers/_history.html", {"object": school_a}, request=request)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
