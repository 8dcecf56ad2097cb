"""Status moves: evidence rule blocks submission, review approves or returns with a reason, upload flag."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ledgers.models import ActivityStatus
from ledgers.services.activities import activity_mark_uploaded, activity_review, activity_submit

from .conftest import add_photo, form_data


def test_submission_is_blocked_while_the_evidence_rule_is_broken(activity_a, liaison, indicator, client_for):
    activity_a.indicators.add(indicator)
    add_photo(activity_a, liaison, caption="")
    with pytest.raises(ValidationError) as refused:
        activity_submit(activity=activity_a, user=liaison)
    assert refused.value.messages == [
        "指标 3.2.1 要求至少 2 张照片，目前 1 张",
        "第 1 张照片缺少说明（请写明时间、地点、人物、事件、成效）",
    ]
    activity_a.refresh_from_db()
    assert activity_a.status == ActivityStatus.DRAFT
    page = client_for(liaison).get(activity_a.get_absolute_url()).content.decode()
    assert "指标 3.2.1 要求至少 2 张照片，目前 1 张" in page


def test_an_archive_without_photos_is_refused_by_the_bureaus_default_rule_and_kept_as_typed(
        activity_a, liaison, indicator_plain, client_for):
    """Issue 27: an indicator without its own evidence rule takes the bureau's default (≥1 photo,
    each captioned with 时间、地点、人物、事件、成效); nothing the liaison typed is lost."""
    activity_a.indicators.add(indicator_plain)
    response = client_for(liaison).post(reverse("ledgers:activity_submit", args=[activity_a.pk]), follow=True)
    assert "本局要求至少 1 张照片，目前 0 张" in response.content.decode()
    activity_a.refresh_from_db()
    assert activity_a.status == ActivityStatus.DRAFT and activity_a.title == "学雷锋志愿服务进社区"
    add_photo(activity_a, liaison, caption="")
    with pytest.raises(ValidationError) as refused:
        activity_submit(activity=activity_a, user=liaison)
    assert refused.value.messages == ["第 1 张照片缺少说明（请写明时间、地点、人物、事件、成效）"]
    photo = activity_a.photos.get()
    photo.caption = "4月3日上午，沙北社区，五年级学生，清扫街道，街道整洁一新"
    photo.save()
    activity_submit(activity=activity_a, user=liaison)
    activity_a.refresh_from_db()
    assert activity_a.status == ActivityStatus.SUBMITTED


def test_the_bureau_sets_its_own_default_rule(activity_a, liaison, indicator_plain):
    bureau = activity_a.unit.bureau
    bureau.evidence_min_photos, bureau.evidence_captions, bureau.caption_elements = 2, False, "时间、地点"
    bureau.save()
    activity_a.indicators.add(indicator_plain)
    add_photo(activity_a, liaison, caption="")
    with pytest.raises(ValidationError) as refused:
        activity_submit(activity=activity_a, user=liaison)
    assert refused.value.messages == ["本局要求至少 2 张照片，目前 1 张"]


def test_group_headings_cannot_be_chosen(activity_a, liaison, indicator, year, category, client_for):
    from ledgers.models import Indicator

    heading = Indicator.objects.create(year=year, code="3.2", title="学校教育")
    indicator.parent = heading
    indicator.save()
    page = client_for(liaison).get(reverse("ledgers:activity_edit", args=[activity_a.pk])).content.decode()
    assert "3.2.1 学雷锋志愿服务常态化" in page and "3.2 学校教育" not in page
    response = client_for(liaison).post(reverse("ledgers:activity_edit", args=[activity_a.pk]),
                                        form_data(category, indicators=[heading.pk]))
    assert response.status_code == 200 and "3.2" in response.content.decode()  # refused by the form, kept
    assert not activity_a.indicators.exists()


def test_activity_meeting_the_rule_is_submitted_with_who_and_when(activity_a, liaison, indicator, client_for):
    activity_a.indicators.add(indicator)
    add_photo(activity_a, liaison)
    add_photo(activity_a, liaison, color="navy")
    client_for(liaison).post(reverse("ledgers:activity_submit", args=[activity_a.pk]))
    activity_a.refresh_from_db()
    assert activity_a.status == ActivityStatus.SUBMITTED
    assert activity_a.submitted_by == liaison and activity_a.submitted_at


def test_save_and_submit_from_the_edit_page_reports_whats_missing(activity_a, liaison, indicator, category,
                                                                 client_for):
    activity_a.indicators.add(indicator)
    photo = add_photo(activity_a, liaison, caption="")
    data = form_data(category, indicators=[indicator.pk], submit="1", **{
        "photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "1", "photos-0-id": str(photo.pk),
        "photos-0-caption": "4月3日 烈士陵园 全体师生 敬献花篮"})
    response = client_for(liaison).post(reverse("ledgers:activity_edit", args=[activity_a.pk]), data, follow=True)
    page = response.content.decode()
    assert "还不能提交" in page and "指标 3.2.1 要求至少 2 张照片，目前 1 张" in page
    photo.refresh_from_db()
    assert photo.caption == "4月3日 烈士陵园 全体师生 敬献花篮"  # the caption typed was saved


def test_inspector_returns_with_a_reason_and_liaison_sees_it(activity_a, liaison, inspector, client_for):
    add_photo(activity_a, liaison)
    activity_submit(activity=activity_a, user=liaison)
    response = client_for(inspector).post(reverse("ledgers:activity_review", args=[activity_a.pk]),
                                          {"decision": "return", "reason": ""}, follow=True)
    assert "退回时请填写退回原因" in response.content.decode()
    client_for(inspector).post(reverse("ledgers:activity_review", args=[activity_a.pk]),
                               {"decision": "return", "reason": "照片与活动内容不符"})
    activity_a.refresh_from_db()
    assert activity_a.status == ActivityStatus.RETURNED and activity_a.reviewed_by == inspector
    home = client_for(liaison).get(reverse("home")).content.decode()
    assert "照片与活动内容不符" in home
    activity_submit(activity=activity_a, user=liaison)  # fixed and sent again
    activity_review(activity=activity_a, user=inspector, approve=True)
    activity_a.refresh_from_db()
    assert activity_a.status == ActivityStatus.APPROVED and activity_a.return_reason == ""


def test_liaison_cannot_review_and_leader_cannot_post(activity_a, liaison, leader, client_for):
    add_photo(activity_a, liaison)
    activity_submit(activity=activity_a, user=liaison)
    with pytest.raises(PermissionDenied):
        activity_review(activity=activity_a, user=liaison, approve=True)
    response = client_for(leader).post(reverse("ledgers:activity_review", args=[activity_a.pk]),
                                       {"decision": "approve"})
    assert response.status_code == 403


def test_submitted_activity_can_no_longer_be_edited(activity_a, liaison, client_for):
    add_photo(activity_a, liaison)
    activity_submit(activity=activity_a, user=liaison)
    assert client_for(liaison).get(reverse("ledgers:activity_edit", args=[activity_a.pk])).status_code == 403


def test_upload_to_city_system_is_recorded_with_its_date(activity_a, liaison, client_for):
    with pytest.raises(PermissionDenied):  # a draft is not uploaded
        activity_mark_uploaded(activity=activity_a, user=liaison, uploaded=True)
    add_photo(activity_a, liaison)
    activity_submit(activity=activity_a, user=liaison)
    client_for(liaison).post(reverse("ledgers:activity_mark_uploaded", args=[activity_a.pk]),
                             {"uploaded": "on", "on_date": "2026-04-05"})
    activity_a.refresh_from_db()
    assert activity_a.uploaded_to_city and str(activity_a.uploaded_to_city_on) == "2026-04-05"


def test_deleting_a_caption_photo_removes_it_and_its_files(activity_a, liaison, category, client_for):
    photo = add_photo(activity_a, liaison)
    names = [photo.original.name, photo.thumbnail.name]
    data = form_data(category, **{"photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "1",
                                  "photos-0-id": str(photo.pk), "photos-0-caption": "x", "photos-0-DELETE": "on"})
    from django.core.files.storage import default_storage
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        client_for(liaison).post(reverse("ledgers:activity_edit", args=[activity_a.pk]), data)
    assert not activity_a.photos.exists()
    assert not any(default_storage.exists(n) for n in names)
