"""Two people saving the same record: the second is told, keeps what they typed, and nothing is
overwritten behind anyone's back (optimistic locking, ledgers/concurrency.py).

Progress entries of a task (both kept) are tested with the tasks.
"""
import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ledgers.concurrency import EditConflict, claim_version
from ledgers.models import Activity, ActivityCategory, ActivityStatus, Role, Task
from ledgers.services.activities import activity_submit
from ledgers.services.tasks import task_save
from tests.conftest import make_user

MESSAGE = re.compile(r"此记录已被他人修改（(.+?)，(\d{4}-\d\d-\d\d \d\d:\d\d)），请核对后重新保存。")


def loaded_version(response):
    """The version the edit page hands the browser (hidden input)."""
    assert response.status_code == 200
    return re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1)


# --- activities ---------------------------------------------------------------------------

@pytest.fixture
def category(db):
    return ActivityCategory.objects.ensure_defaults().get(name="主题教育")


@pytest.fixture
def activity(school_a, liaison, category, year):
    return Activity.objects.create(unit=school_a, year=year, category=category, created_by=liaison,
                                   title="红色之旅研学", date=timezone.localdate(), place="烈士陵园")


def activity_post(category, version, **fields):
    data = {"title": "红色之旅研学", "category": category.pk, "date": timezone.localdate().isoformat(),
            "place": "烈士陵园", "participants": "", "organizer": "", "summary": "",
            "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0", "photos-MIN_NUM_FORMS": "0",
            "photos-MAX_NUM_FORMS": "1000", "version": version, "save": "1"}
    data.update(fields)
    return data


def test_second_save_of_an_activity_is_refused_and_keeps_what_was_typed(
        client_for, activity, category, liaison, admin_user):
    url = reverse("ledgers:activity_edit", args=[activity.pk])
    first, second = client_for(admin_user), client_for(liaison)
    version_first, version_second = loaded_version(first.get(url)), loaded_version(second.get(url))
    assert version_first == version_second

    assert first.post(url, activity_post(category, version_first, title="红色之旅研学（五年级）",
                                         place="许慎文化园")).status_code == 302
    response = second.post(url, activity_post(
        category, version_second, title="清明祭英烈", place="烈士陵园东门",
        participants="五年级师生 120 人", summary="敬献花篮，重温入队誓词。"))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    who, when = MESSAGE.search(page).groups()
    assert who == "王建华"
    assert when.startswith(timezone.localdate().isoformat())
    # What the other person changed, to check against.
    assert "活动名称：您打开时为“红色之旅研学”，现在为“红色之旅研学（五年级）”。" in page
    assert "活动地点：您打开时为“烈士陵园”，现在为“许慎文化园”。" in page
    # Nothing the second person typed is lost.
    for typed in ['value="清明祭英烈"', 'value="烈士陵园东门"', 'value="五年级师生 120 人"', "敬献花篮，重温入队誓词。"]:
        assert typed in page, typed
    # The database holds the first save only.
    activity.refresh_from_db()
    assert (activity.title, activity.place, activity.summary) == ("红色之旅研学（五年级）", "许慎文化园", "")

    # After checking, saving again from the re-rendered form goes through.
    again = second.post(url, activity_post(category, loaded_version(response), title="清明祭英烈",
                                           place="烈士陵园东门"))
    assert again.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "清明祭英烈"


def test_an_activity_submitted_meanwhile_is_not_reverted_to_a_draft(client_for, activity, category, liaison,
                                                                    admin_user):
    """A status move counts as a change: a form opened before it cannot undo it."""
    url = reverse("ledgers:activity_edit", args=[activity.pk])
    stale = client_for(admin_user)
    version = loaded_version(stale.get(url))
    # The admin's form was loaded; now the liaison submits (the record moves on).
    from tests.ledgers.activities.conftest import add_photo

    add_photo(activity, liaison)  # the evidence a submission needs
    activity_submit(activity=activity, user=liaison)
    response = stale.post(url, activity_post(category, version, title="改过的名称"))
    assert response.status_code == 403  # no longer editable at all
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED and activity.title == "红色之旅研学"


def test_the_version_check_happens_in_the_service_inside_its_transaction(activity, liaison):
    loaded = activity.version
    activity.title = "甲"
    activity.save()
    with pytest.raises(EditConflict) as refused:
        claim_version(Activity.objects.get(pk=activity.pk), loaded)
    assert "此记录已被他人修改" in refused.value.messages[0]
    claim_version(Activity.objects.get(pk=activity.pk), activity.version)  # the current one passes


# --- tasks --------------------------------------------------------------------------------

@pytest.fixture
def task(year, admin_user, school_a, school_b):
    task = Task(year=year, title="开展文明校园创建", deadline=timezone.localdate() + timedelta(days=10))
    return task_save(task=task, units=[school_a, school_b], user=admin_user)


def task_post(task, version, units, **fields):
    data = {"number": "", "indicator": "", "title": task.title, "requirement": "", "lead_unit": "",
            "deadline": task.deadline.isoformat(), "frequency": "once", "units": [u.pk for u in units],
            "version": version}
    data.update(fields)
    return data


def test_second_save_of_a_task_is_refused_and_keeps_what_was_typed(client_for, task, admin_user, school_a, school_b,
                                                                   section):
    colleague = make_user("admin2", Role.ADMIN, section, "李红梅")
    url = reverse("ledgers:task_edit", args=[task.pk])
    first, second = client_for(colleague), client_for(admin_user)
    version_first, version_second = loaded_version(first.get(url)), loaded_version(second.get(url))

    assert first.post(url, task_post(task, version_first, [school_a, school_b],
                                     title="开展文明校园创建（含宿舍）")).status_code == 302
    response = second.post(url, task_post(task, version_second, [school_a], title="创建文明校园",
                                          requirement="每月报送一次活动照片", number="3-1"))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert MESSAGE.search(page).group(1) == "李红梅"
    assert "测评内容（任务）：您打开时为“开展文明校园创建”，现在为“开展文明校园创建（含宿舍）”。" in page
    assert "创建文明校园</textarea>" in page and "每月报送一次活动照片</textarea>" in page
    assert 'value="3-1"' in page
    # Only school_a stays ticked, as the second person left it.
    assert re.search(rf'value="{school_a.pk}"[^>]*checked', page)
    assert not re.search(rf'value="{school_b.pk}"[^>]*checked', page)

    task.refresh_from_db()
    assert task.title == "开展文明校园创建（含宿舍）" and task.requirement == "" and task.number == ""
    assert task.assignments.count() == 2

    again = second.post(url, task_post(task, loaded_version(response), [school_a, school_b], title="创建文明校园"))
    assert again.status_code == 302
    task.refresh_from_db()
    assert task.title == "创建文明校园"


def test_a_task_form_without_a_version_still_saves(client_for, task, admin_user, school_a, school_b):
    """Pages opened before the upgrade (no hidden version) keep working: last save wins there."""
    data = task_post(task, "", [school_a, school_b], title="改名")
    del data["version"]
    assert client_for(admin_user).post(reverse("ledgers:task_edit", args=[task.pk]), data).status_code == 302
    task.refresh_from_db()
    assert task.title == "改名"
