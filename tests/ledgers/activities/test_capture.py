"""Phone capture: one photo per request, idempotent by upload key, batches, and the flags' inputs."""
import hashlib
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ledgers.models import Activity, ActivityPhoto, ActivityStatus

from .conftest import form_data, image_bytes, make_activity, upload

UPLOAD = reverse("ledgers:activity_photo_upload")
CREATE = reverse("ledgers:activity_create")
KEY = "k-0123456789abcdef"


def send(client, user, name="IMG_0001.jpg", key=KEY, content=None, **fields):
    data = {"photo": upload(name, content), "key": key, "user": str(user.pk), **fields}
    return client.post(UPLOAD, data)


def test_a_photo_sent_alone_waits_as_a_pending_photo_and_a_retry_stores_nothing_twice(client_for, liaison, year):
    client = client_for(liaison)
    first = send(client, liaison, batch="batch-000000000001")
    assert first.status_code == 201 and first.json()["created"] is True
    again = send(client, liaison, batch="batch-000000000001")  # the connection dropped before the answer
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    photo = ActivityPhoto.objects.get()
    assert photo.activity is None and photo.uploaded_by == liaison and photo.upload_key == KEY
    # Another user may use the same key: keys are per user.
    assert send(client_for(liaison), liaison, key="k-other-photo-000001").status_code == 201
    assert ActivityPhoto.objects.count() == 2


def test_the_phone_form_saved_before_its_photos_arrived_gets_them_by_its_batch(client_for, liaison, category, year):
    client = client_for(liaison)
    batch = "b" * 32
    early = send(client, liaison, key="k-early-00000001", batch=batch).json()
    response = client.post(CREATE, {**form_data(category), "capture_batch": batch,
                                    f"capkey-k-early-00000001": "2026年4月3日，烈士陵园，献花"}, follow=True)
    assert "已保存为草稿" in response.content.decode()
    activity = Activity.objects.get()
    assert activity.capture_batch == batch
    # Sent after the save, from the queue, with only the batch to go by.
    late = send(client, liaison, key="k-late-000000001", batch=batch, caption="师生合影").json()
    assert late["activity"] == activity.pk
    photos = list(activity.photos.order_by("sort_order"))
    assert [p.pk for p in photos] == [early["id"], late["id"]]
    assert [p.caption for p in photos] == ["2026年4月3日，烈士陵园，献花", "师生合影"]


def test_a_photo_sent_to_an_activity_joins_it_and_refuses_another_units_or_a_submitted_one(
        client_for, liaison, liaison2, category, year, school_a, school_b):
    mine = make_activity(school_a, liaison, category, year)
    theirs = make_activity(school_b, liaison2, category, year)
    client = client_for(liaison)
    assert send(client, liaison, activity=str(mine.pk)).json()["activity"] == mine.pk
    assert send(client, liaison, key="k-theirs-0000001", activity=str(theirs.pk)).status_code == 404
    Activity.objects.filter(pk=mine.pk).update(status=ActivityStatus.SUBMITTED)
    refused = send(client, liaison, key="k-submitted-0001", activity=str(mine.pk))
    assert refused.status_code == 409 and "已提交" in refused.json()["error"]
    assert mine.photos.count() == 1 and not theirs.photos.exists()


def test_a_bad_file_is_refused_in_chinese_and_nothing_is_stored(client_for, liaison, year):
    response = send(client_for(liaison), liaison, name="通知.jpg", content=b"<html>not a photo</html>")
    assert response.status_code == 422
    assert "不是可接受的文件" in response.json()["error"] and response.json()["final"] is True
    assert not ActivityPhoto.objects.exists()


def test_a_queue_of_another_account_or_a_logged_out_phone_is_refused(client, client_for, liaison, liaison2, leader,
                                                                      year):
    wrong = send(client_for(liaison2), liaison)  # liaison's queue, liaison2 now logged in
    assert wrong.status_code == 409 and wrong.json()["wrong_user"] is True
    logged_out = send(client, liaison)
    assert logged_out.status_code == 401 and "重新登录" in logged_out.json()["error"]
    assert send(client_for(leader), leader).status_code == 403
    assert not ActivityPhoto.objects.exists()


def test_the_flags_use_the_phones_readings_only_when_the_shrunk_file_lacks_them(
        client_for, liaison, category, year, school_a):
    """A photo shrunk on the phone carries no EXIF: the phone's taken-at feeds the date flag and
    the phone's hash of the original feeds the reused-photo flag; the server's own reading wins."""
    original = image_bytes(taken="2026:03:20 09:00:00")
    original_hash = hashlib.sha256(original).hexdigest()
    activity = make_activity(school_a, liaison, category, year)
    client = client_for(liaison)
    # The full original went up earlier (a phone without JavaScript) for another activity.
    other = make_activity(school_a, liaison, category, year, title="植树节")
    send(client, liaison, key="k-original-00001", content=original, activity=str(other.pk))
    shrunk = image_bytes(size=(320, 240))  # no EXIF at all
    body = send(client, liaison, key="k-shrunk-000001", content=shrunk, activity=str(activity.pk),
                sha256=original_hash, taken_at="2026-03-20T09:00:00").json()
    photo = ActivityPhoto.objects.get(pk=body["id"])
    assert photo.taken_at == timezone.make_aware(datetime(2026, 3, 20, 9, 0))
    assert photo.taken_at_reported is True and photo.source_sha256 == original_hash
    assert photo.sha256 == hashlib.sha256(shrunk).hexdigest()  # the server hashes what it received
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "拍摄日期与活动日期相差 14 天" in page and "此照片已用于《植树节》" in page
    # A file with its own EXIF time keeps it, whatever the phone says.
    dated = send(client, liaison, key="k-dated-0000001", content=image_bytes(taken="2026:04:03 10:00:00"),
                 activity=str(activity.pk), taken_at="2020-01-01T00:00:00").json()
    photo = ActivityPhoto.objects.get(pk=dated["id"])
    assert timezone.localtime(photo.taken_at).date().isoformat() == "2026-04-03"
    assert photo.taken_at_reported is False


@pytest.mark.parametrize("sha,taken", [("not-a-hash", "yesterday"), ("ab" * 40, "1200-01-01T00:00:00")])
def test_malformed_phone_readings_are_ignored_not_stored(client_for, liaison, year, sha, taken):
    body = send(client_for(liaison), liaison, sha256=sha, taken_at=taken).json()
    photo = ActivityPhoto.objects.get(pk=body["id"])
    assert photo.source_sha256 == "" and photo.taken_at is None


def test_malformed_upload_key_or_missing_file_is_a_clear_message(client_for, liaison, year):
    client = client_for(liaison)
    assert send(client, liaison, key="../../x").status_code == 400
    response = client.post(UPLOAD, {"key": KEY, "user": str(liaison.pk)})
    assert response.status_code == 400 and "不完整" in response.json()["error"]


def test_the_form_page_carries_a_batch_token_and_keeps_it_after_an_error(client_for, liaison, category, year):
    client = client_for(liaison)
    page = client.get(CREATE).content.decode()
    assert 'name="capture_batch"' in page
    batch = "c" * 32
    send(client, liaison, key="k-kept-000000001", batch=batch)
    response = client.post(CREATE, {**form_data(category, title=""), "capture_batch": batch})
    body = response.content.decode()
    assert f'value="{batch}"' in body and "已收到 1 张照片" in body
    assert not Activity.objects.exists()


def test_a_photo_stored_while_its_form_was_being_saved_joins_the_activity(client_for, liaison, category, year):
    """The save and an upload ran at once and neither saw the other: the photo's retry (or any
    later upload of the batch) brings it in."""
    from ledgers.services import activities as services

    client = client_for(liaison)
    batch = "d" * 32
    client.post(CREATE, {**form_data(category), "capture_batch": batch})
    activity = Activity.objects.get()
    # Stored as pending, as if its transaction had not seen the activity yet.
    raced = ActivityPhoto.build(upload("IMG_0007.jpg"), uploaded_by=liaison, upload_key="k-raced-00000001",
                                capture_batch=batch)
    raced.save()
    assert raced.activity is None
    retried = send(client, liaison, key="k-raced-00000001", batch=batch)
    assert retried.status_code == 200 and retried.json()["activity"] == activity.pk
    # And the save's own look after commit gathers any that slipped in.
    other = ActivityPhoto.build(upload("IMG_0008.jpg"), uploaded_by=liaison, upload_key="k-raced-00000002",
                                capture_batch=batch)
    other.save()
    services._collect_batch(activity)
    assert sorted(activity.photos.values_list("upload_key", flat=True)) == ["k-raced-00000001", "k-raced-00000002"]


def test_the_liaisons_home_has_the_waiting_uploads_box_filled_by_the_phone(client_for, liaison, year):
    page = client_for(liaison).get("/").content.decode()
    assert "data-capture-home" in page and f'data-user-id="{liaison.pk}"' in page
    assert "js/capture.js" in page and "vendor/idb-keyval/umd.js" in page


def test_a_caption_typed_while_its_photo_went_up_is_saved_with_the_form(client_for, liaison, category, year,
                                                                        school_a):
    activity = make_activity(school_a, liaison, category, year)
    client = client_for(liaison)
    send(client, liaison, key="k-edit-000000001", activity=str(activity.pk))
    edit = reverse("ledgers:activity_edit", args=[activity.pk])
    response = client.post(edit, {**form_data(category), "version": str(activity.version),
                                  "capkey-k-edit-000000001": "2026年4月3日，烈士陵园，全体师生默哀"}, follow=True)
    assert "已保存为草稿" in response.content.decode()
    assert activity.photos.get().caption == "2026年4月3日，烈士陵园，全体师生默哀"
