"""Uploading photos from a phone: every accepted format, every refusal, and nothing typed is lost."""
import pytest
from django.urls import reverse
from PIL import Image

from ledgers.models import Activity, ActivityPhoto

from .conftest import bomb_png, form_data, image_bytes, upload

CREATE = reverse("ledgers:activity_create")


def post_create(client, category, files, **extra):
    return client.post(CREATE, {**form_data(category, **extra), "photos": files}, follow=True)


@pytest.mark.parametrize("fmt,name", [("JPEG", "IMG_0001.jpg"), ("PNG", "截图.png"), ("WEBP", "微信图片.webp"),
                                      ("HEIF", "IMG_4321.HEIC")])
def test_each_accepted_format_is_stored_with_display_copy_and_thumbnail(client_for, liaison, category, year,
                                                                        fmt, name):
    response = post_create(client_for(liaison), category, [upload(name, fmt=fmt, size=(2000, 1500))])
    activity = Activity.objects.get()
    photo = activity.photos.get()
    assert activity.title == "红色之旅研学" and activity.unit == liaison.unit
    assert photo.original_name == name
    assert "已保存为草稿" in response.content.decode()
    assert max(Image.open(photo.display.open()).size) == 1600
    assert max(Image.open(photo.thumbnail.open()).size) == 320
    original = Image.open(photo.original.open())
    assert original.size == (2000, 1500)
    if fmt == "HEIF":  # browsers cannot show HEIC: the kept original is a JPEG
        assert original.format == "JPEG" and photo.original.name.endswith(".jpg")


def test_stored_file_names_are_generated_never_the_users(client_for, liaison, category, year):
    post_create(client_for(liaison), category, [upload("../../etc/我的照片.jpg")])
    photo = ActivityPhoto.objects.get()
    assert "我的照片" not in photo.original.name and ".." not in photo.original.name
    assert photo.original.name.startswith("activities/")
    assert photo.original_name == "我的照片.jpg"  # the browser's folders are dropped


BAD_FILES = [
    ("通知.jpg", b"<html><body>not a photo</body></html>", "不是可接受的文件"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "不是可接受的文件"),
    ("扫描件.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "不是可接受的文件"),
    ("半张.jpg", image_bytes()[:2000], "已损坏或不完整"),
    ("炸弹.png", bomb_png(), "像素过大"),
    ("a<script>.jpg", image_bytes(), "文件名含有不允许的字符"),
]


@pytest.mark.parametrize("name,content,message", BAD_FILES)
def test_bad_file_is_refused_by_name_while_good_photos_and_typed_fields_are_kept(
        client_for, liaison, category, year, name, content, message):
    response = post_create(client_for(liaison), category,
                           [upload("好照片1.jpg"), upload(name, content), upload("好照片2.jpg", color="navy")])
    page = response.content.decode()
    assert message in page
    shown = name.replace("<script>", "script")  # reserved characters are never echoed back
    assert f"“{shown}”" in page
    activity = Activity.objects.get()
    assert activity.title == "红色之旅研学" and activity.place == "烈士陵园"
    assert sorted(activity.photos.values_list("original_name", flat=True)) == ["好照片1.jpg", "好照片2.jpg"]


def test_file_over_the_size_limit_is_refused_naming_the_limit(client_for, liaison, category, year, settings):
    settings.UPLOAD_MAX_MB = 1
    big = image_bytes() + b"\0" * (1024 * 1024)
    response = post_create(client_for(liaison), category, [upload("大图.jpg", big), upload("小图.jpg")])
    page = response.content.decode()
    assert "“大图.jpg”大小为 1.0 MB，超过上限 1 MB" in page
    assert list(Activity.objects.get().photos.values_list("original_name", flat=True)) == ["小图.jpg"]


def test_invalid_form_keeps_good_photos_pending_so_they_need_not_be_chosen_again(client_for, liaison, category, year):
    client = client_for(liaison)
    response = client.post(CREATE, {**form_data(category, title=""), "photos": [upload("现场.jpg")]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "无需重新选择照片" in page
    assert 'value="缅怀先烈。"' in page or "缅怀先烈。" in page  # typed text kept
    pending = ActivityPhoto.objects.get()
    assert pending.activity is None
    assert f'name="pending" value="{pending.pk}"' in page
    client.post(CREATE, {**form_data(category), "pending": [str(pending.pk)]})
    pending.refresh_from_db()
    assert pending.activity == Activity.objects.get()


def test_pending_photo_of_another_user_cannot_be_attached_or_viewed(client_for, liaison, liaison2, category, year):
    client_for(liaison2).post(CREATE, {**form_data(category, title=""), "photos": [upload("别人的.jpg")]})
    pending = ActivityPhoto.objects.get()
    client = client_for(liaison)
    assert client.get(reverse("ledgers:activity_photo", args=[pending.pk, "thumb"])).status_code == 404
    client.post(CREATE, {**form_data(category), "pending": [str(pending.pk)]})
    pending.refresh_from_db()
    assert pending.activity is None


def test_leader_cannot_create_an_activity(client_for, leader, category, year):
    assert client_for(leader).post(CREATE, form_data(category)).status_code == 403
