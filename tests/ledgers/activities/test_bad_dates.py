"""Dates a liaison cannot mean are refused with a Chinese message, and nothing is saved in their place."""
from django.contrib.messages import get_messages
from django.urls import reverse

from ledgers.models import Activity
from ledgers.services.activities import activity_submit

from .conftest import add_photo, form_data


def test_an_impossible_upload_date_is_refused_not_saved_as_today(activity_a, liaison, client_for):
    add_photo(activity_a, liaison)
    activity_submit(activity=activity_a, user=liaison)
    client = client_for(liaison)
    response = client.post(reverse("ledgers:activity_mark_uploaded", args=[activity_a.pk]),
                           {"uploaded": "on", "on_date": "2026-02-30"}, follow=True)
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request)) + response.content.decode()
    assert "上传日期" in shown and "日期不正确" in shown
    activity_a.refresh_from_db()
    assert not activity_a.uploaded_to_city and activity_a.uploaded_to_city_on is None


def test_an_upload_date_far_outside_the_campaign_year_is_refused(activity_a, liaison, client_for):
    add_photo(activity_a, liaison)
    activity_submit(activity=activity_a, user=liaison)
    response = client_for(liaison).post(reverse("ledgers:activity_mark_uploaded", args=[activity_a.pk]),
                                        {"uploaded": "on", "on_date": "9999-12-31"}, follow=True)
    assert "超出合理范围" in response.content.decode()
    activity_a.refresh_from_db()
    assert not activity_a.uploaded_to_city


def test_an_activity_dated_9999_keeps_the_form_with_an_error(liaison, category, client_for):
    response = client_for(liaison).post(reverse("ledgers:activity_create"), form_data(category, date="9999-12-31"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "超出合理范围" in page and "红色之旅研学" in page
    assert not Activity.objects.exists()
