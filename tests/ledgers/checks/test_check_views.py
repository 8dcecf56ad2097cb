"""The check pages as inspectors use them on a phone, and who may open them."""
import datetime

from django.urls import reverse

from ledgers.models import Check, CheckPhoto, CheckTemplate, Unit

from .factories import MONDAY, fake_jpeg, jpeg, make_check


def form_data(template, unit_id, values, **extra):
    data = {"template": template.pk, "unit": unit_id, "date": "2026-03-02", "kind": "routine", "remarks": "整体较好"}
    for item, value in zip(template.items.all(), values):
        data[f"score_{item.pk}"] = value
    data.update(extra)
    return data


def test_check_form_is_one_phone_screen_with_big_score_inputs_and_camera(client_for, inspector, template):
    html = client_for(inspector).get(reverse("ledgers:check_create")).content.decode()
    assert html.count('inputmode="decimal"') == 3
    assert 'max="20"' in html and 'max="15"' in html and 'min="0"' in html
    assert "校园环境卫生（满分 20 分）" in html
    assert 'capture="environment"' in html and 'accept="image/*"' in html and "multiple" in html
    assert "<script>" not in html.split("</nav>", 1)[1].split("<footer", 1)[0]


def test_choosing_another_template_reloads_its_items(client_for, inspector, template, small_template):
    client = client_for(inspector)
    picker = client.get(reverse("ledgers:check_create")).content.decode()
    assert "校园环境卫生检查表" in picker and "机关股室卫生检查评比表" in picker
    html = client.get(reverse("ledgers:check_create") + f"?template={small_template.pk}").content.decode()
    assert "办公室卫生（满分 10 分）" in html and "宣传氛围" not in html


def test_inspector_submits_a_check_with_photos_from_the_form(client_for, inspector, school_a, template):
    data = form_data(template, school_a.pk, ["18", "12.5", "14"], submit="1",
                     photos=[jpeg("一.jpg"), jpeg("二.jpg", "red")])
    response = client_for(inspector).post(reverse("ledgers:check_create"), data)
    check = Check.objects.get()
    assert response.status_code == 302 and response.url == check.get_absolute_url()
    assert check.status == "submitted" and str(check.total) == "44.5" and check.unit == school_a
    assert check.created_by == inspector
    assert CheckPhoto.objects.filter(check_record=check).count() == 2
    page = client_for(inspector).get(check.get_absolute_url()).content.decode()
    assert "44.5 / 50" in page and "郾城区第一实验小学" in page


def test_score_over_the_maximum_is_refused_and_the_form_keeps_what_was_typed(client_for, inspector, school_a,
                                                                               template):
    data = form_data(template, school_a.pk, ["25", "12", "14"], submit="1", remarks="楼道有纸屑")
    response = client_for(inspector).post(reverse("ledgers:check_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "“校园环境卫生”得分不能超过 20 分。" in html
    assert 'value="25"' in html and "楼道有纸屑" in html
    assert not Check.objects.exists()


def test_check_for_a_unit_that_does_not_exist_is_refused(client_for, inspector, template):
    response = client_for(inspector).post(reverse("ledgers:check_create"), form_data(template, 9999, ["1", "1", "1"]))
    assert "所选单位不存在或已停用，请重新选择。" in response.content.decode()
    assert not Check.objects.exists()


def test_a_page_renamed_jpg_is_refused_as_photo_and_nothing_is_saved(client_for, inspector, school_a, template):
    data = form_data(template, school_a.pk, ["1", "1", "1"], photos=[jpeg(), fake_jpeg("现场2.jpg")])
    html = client_for(inspector).post(reverse("ledgers:check_create"), data).content.decode()
    assert "“现场2.jpg”不是可接受的文件" in html
    assert not Check.objects.exists() and not CheckPhoto.objects.exists()


def test_draft_is_saved_then_edited_then_submitted(client_for, inspector, school_a, template):
    client = client_for(inspector)
    client.post(reverse("ledgers:check_create"), form_data(template, school_a.pk, ["10", "", "10"]))
    check = Check.objects.get()
    assert check.is_draft
    client.post(reverse("ledgers:check_edit", args=[check.pk]), form_data(template, school_a.pk, ["10", "9", "10"]))
    response = client.post(reverse("ledgers:check_submit", args=[check.pk]))
    check.refresh_from_db()
    assert response.status_code == 302 and check.status == "submitted" and check.total == 29
    response = client.get(reverse("ledgers:check_edit", args=[check.pk]), follow=True)
    assert "督查记录已提交，只能由局文明办更正。" in response.content.decode()


def test_admin_corrects_a_submitted_check_from_its_page(client_for, inspector, admin_user, school_a, template):
    check = make_check(inspector, school_a, template, [10, 10, 10])
    client = client_for(admin_user)
    url = reverse("ledgers:check_correct", args=[check.pk])
    items = list(template.items.all())
    data = {f"score_{i.pk}": v for i, v in zip(items, ["12", "10", "10"])}
    html = client.post(url, {**data, "remarks": ""}).content.decode()
    assert "请填写更正理由。" in html
    client.post(url, {**data, "remarks": "", "reason": "复核"})
    page = client.get(check.get_absolute_url()).content.decode()
    assert "更正记录" in page and "30 → 32" in page
    assert client_for(inspector).get(url).status_code == 403


def test_liaison_cannot_open_check_pages_or_photos(client_for, inspector, liaison, school_a, template):
    check = make_check(inspector, school_a, template, [1, 1, 1], photos=[jpeg()])
    photo = check.photos.get()
    client = client_for(liaison)
    assert client.get(reverse("ledgers:check_list")).status_code == 403
    assert client.get(check.get_absolute_url()).status_code == 403
    assert client.get(reverse("ledgers:check_photo", args=[photo.pk, "thumb"])).status_code == 403


def test_leader_sees_checks_and_photos_but_cannot_record(client_for, inspector, leader, school_a, template):
    check = make_check(inspector, school_a, template, [1, 1, 1], photos=[jpeg()])
    client = client_for(leader)
    assert "郾城区第一实验小学" in client.get(reverse("ledgers:check_list")).content.decode()
    response = client.get(reverse("ledgers:check_photo", args=[check.photos.get().pk, "thumb"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get(reverse("ledgers:check_create")).status_code == 403
    assert client.post(reverse("ledgers:check_submit", args=[check.pk])).status_code == 403


def test_check_list_filters_by_week_unit_and_kind(client_for, inspector, school_a, school_b, template):
    make_check(inspector, school_a, template, [1, 1, 1], date=MONDAY)
    make_check(inspector, school_b, template, [2, 2, 2], date=MONDAY + datetime.timedelta(days=7), kind="mock")
    client = client_for(inspector)
    html = client.get(reverse("ledgers:check_list") + "?week=2026-W11").content.decode()
    assert "郾城区第二实验小学" in html and "郾城区第一实验小学" not in html.split('data-testid="check-table"')[1]
    html = client.get(reverse("ledgers:check_list") + "?kind=routine").content.decode()
    assert "郾城区第一实验小学" in html.split('data-testid="check-table"')[1]
    assert "郾城区第二实验小学" not in html.split('data-testid="check-table"')[1]


def _many_checks(user, template, n):
    for i in range(n):
        unit = Unit.objects.create(name=f"测试学校{Unit.objects.count()}", kind="school", code=f"t{Unit.objects.count()}")
        make_check(user, unit, template, [1, 1, 1])


def test_check_list_query_count_does_not_grow_with_rows(client_for, inspector, template, django_assert_max_num_queries):
    client = client_for(inspector)
    _many_checks(inspector, template, 3)
    with django_assert_max_num_queries(12):
        client.get(reverse("ledgers:check_list"))
    _many_checks(inspector, template, 9)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("ledgers:check_list")).content.decode().count(" / 50</td>") == 12


def test_admin_builds_a_template_with_items(client_for, admin_user, year, indicator):
    client = client_for(admin_user)
    data = {"name": "宣传氛围检查表", "description": "", "is_active": "on",
            "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-title": "宣传栏", "items-0-max_points": "10", "items-0-indicator": indicator.pk,
            "items-0-sort_order": "1",
            "items-1-title": "公益广告", "items-1-max_points": "0", "items-1-sort_order": "2",
            "items-2-sort_order": "0"}
    html = client.post(reverse("ledgers:template_create"), data).content.decode()
    assert "满分必须大于 0。" in html and not CheckTemplate.objects.exists()
    data["items-1-max_points"] = "5"
    assert client.post(reverse("ledgers:template_create"), data).status_code == 302
    template = CheckTemplate.objects.get(name="宣传氛围检查表")
    assert [(i.title, int(i.max_points)) for i in template.items.all()] == [("宣传栏", 10), ("公益广告", 5)]
    assert template.items.first().indicator == indicator
    html = client.get(reverse("ledgers:template_list")).content.decode()
    assert "宣传氛围检查表" in html and "满分 15" in html


def test_only_bureau_admin_manages_templates(client_for, inspector, leader, liaison, year):
    for user in (inspector, leader, liaison):
        assert client_for(user).get(reverse("ledgers:template_list")).status_code == 403


def test_the_superuser_opens_the_admin_pages_of_this_area_and_a_bureau_admin_the_apps(
        client_for, superuser, admin_user, inspector, school_a, template):
    from tests.ledgers.checks.factories import make_problem

    check = make_check(inspector, school_a, template, [1, 1, 1])
    problem = make_problem(inspector, school_a, check=check)
    urls = {"/admin/ledgers/checktemplate/": reverse("ledgers:template_list"),
            f"/admin/ledgers/check/{check.pk}/change/": check.get_absolute_url(),
            f"/admin/ledgers/problem/{problem.pk}/change/": problem.get_absolute_url(),
            "/admin/ledgers/bulletin/": reverse("ledgers:bulletin_list")}
    for url, app_page in urls.items():
        assert client_for(superuser).get(url).status_code == 200, url
        response = client_for(admin_user).get(url, follow=True)
        assert response.status_code == 200 and response.redirect_chain[-1][0] == app_page, url
