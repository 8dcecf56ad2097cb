"""Bad input and faults on today's pages: markup in text, SQL-looking searches, huge posts,
two people saving the same record."""
from django.test import Client
from django.urls import reverse

from ledgers.models import Unit

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_in_a_unit_name_shows_as_text_on_home_pages(client_for, school_a, liaison, inspector):
    school_a.name = f"实验小学{SCRIPT}"
    school_a.contact_name = "<b>李</b><script>x()</script>"  # max 50 characters
    school_a.save()
    for user in (liaison, inspector):
        page = client_for(user).get(reverse("home")).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<script>x()" not in page
        assert "实验小学&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert "&lt;b&gt;李&lt;/b&gt;" in page


def test_sql_looking_search_strings_are_just_text(client_for, admin_user, school_a, school_b):
    admin = client_for(admin_user)
    url = reverse("ledgers:unit_list")
    for query in ["'; DROP TABLE ledgers_unit; --", "' OR '1'='1", '" OR 1=1 --', "%", "_", "\\"]:
        response = admin.get(url, {"q": query})
        assert response.status_code == 200
        assert "没有符合条件的单位" in response.content.decode(), query
    # Nothing dropped, and an ordinary search still finds the school.
    assert Unit.objects.count() == 3
    found = admin.get(url, {"q": "第一实验"}).content.decode()
    assert "郾城区第一实验小学" in found and "郾城区第二实验小学" not in found


def test_a_huge_form_post_gets_a_clear_400_and_changes_nothing(client_for, liaison, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    browser = client_for(liaison)
    response = browser.post(reverse("password_change"), {
        "old_password": "wenming2026", "new_password1": "x" * (2 * 1024 * 1024), "new_password2": "y",
    })
    assert response.status_code == 400
    assert "提交的数据过大或格式不正确，本次提交未保存" in response.content.decode()
    liaison.refresh_from_db()
    assert liaison.check_password("wenming2026")


def test_too_many_form_fields_get_a_clear_400(client, db):
    data = {f"field{n}": "x" for n in range(6000)}
    response = client.post(reverse("login"), data)
    assert response.status_code == 400
    assert "本次提交未保存" in response.content.decode()


def test_two_admins_saving_the_same_unit_last_save_wins_and_history_keeps_both(admin_user, school_a):
    """Units (单位管理) are not version-checked (activities and tasks are: test_concurrency.py): the
    second save overwrites the first, and the audit trail keeps both values."""
    url = reverse("ledgers:unit_detail", args=[school_a.pk])
    first, second = Client(), Client()
    first.force_login(admin_user)
    second.force_login(admin_user)
    assert first.get(url).status_code == second.get(url).status_code == 200
    base = {"name": school_a.name, "kind": school_a.kind, "contact_phone": "", "sort_order": 0, "is_active": "on"}
    assert first.post(url, {**base, "contact_name": "甲老师"}).status_code == 302
    assert second.post(url, {**base, "contact_name": "乙老师"}).status_code == 302
    school_a.refresh_from_db()
    assert school_a.contact_name == "乙老师"
    kept = list(school_a.history.order_by("history_date").values_list("contact_name", flat=True))
    assert kept[-2:] == ["甲老师", "乙老师"]
