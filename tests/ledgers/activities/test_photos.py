"""Photos: upright from EXIF orientation, EXIF time kept, reused and date-mismatch flags."""
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from PIL import Image

from ledgers.models.activities import photo_flags

from .conftest import add_photo, make_activity


def test_photo_is_turned_upright_from_its_exif_orientation(activity_a, liaison):
    # Stored landscape 800×400 with "rotate 90° clockwise" (6): the upright photo is portrait.
    photo = add_photo(activity_a, liaison, size=(800, 400), orientation=6)
    display = Image.open(photo.display.open())
    thumb = Image.open(photo.thumbnail.open())
    assert (photo.width, photo.height) == (400, 800)
    assert display.width < display.height and thumb.width < thumb.height
    # the red marker drawn top-left ends up top-right once turned
    right_top = display.getpixel((display.width - 5, 5))
    assert right_top[0] > 200 and right_top[1] < 60


def test_exif_time_taken_is_kept(activity_a, liaison):
    photo = add_photo(activity_a, liaison, taken="2026:04:03 09:30:00")
    assert timezone.localtime(photo.taken_at).replace(tzinfo=None) == datetime(2026, 4, 3, 9, 30)


def test_photo_taken_far_from_the_activity_date_is_flagged(activity_a, liaison, client_for):
    near = add_photo(activity_a, liaison, taken="2026:04:05 09:30:00")
    far = add_photo(activity_a, liaison, taken="2026:03:20 09:30:00", color="navy")
    flags = photo_flags([near, far], liaison)
    assert flags[near.pk] == []
    assert flags[far.pk] == ["拍摄日期与活动日期相差 14 天"]
    page = client_for(liaison).get(activity_a.get_absolute_url()).content.decode()
    assert "拍摄日期与活动日期相差 14 天" in page


def test_tolerance_of_the_date_flag_is_a_setting(activity_a, liaison, settings):
    settings.ACTIVITY_PHOTO_DATE_TOLERANCE_DAYS = 20
    far = add_photo(activity_a, liaison, taken="2026:03:20 09:30:00")
    assert photo_flags([far], liaison)[far.pk] == []


def test_photo_already_used_in_another_activity_is_flagged(school_a, liaison, category, year, inspector,
                                                           client_for):
    first = make_activity(school_a, liaison, category, year, title="清明节网上祭英烈")
    second = make_activity(school_a, liaison, category, year, title="学雷锋志愿服务进社区")
    add_photo(first, liaison, color="orange")
    reused = add_photo(second, liaison, color="orange")  # same bytes, same hash
    assert photo_flags([reused], liaison)[reused.pk] == ["此照片已用于《清明节网上祭英烈》"]
    page = client_for(inspector).get(second.get_absolute_url()).content.decode()
    assert "此照片已用于《清明节网上祭英烈》" in page
    listing = client_for(inspector).get(reverse("ledgers:activity_list")).content.decode()
    assert "1 张待核实" in listing


def test_liaison_is_told_of_reuse_in_another_unit_without_its_title(activity_a, activity_b, liaison, liaison2):
    add_photo(activity_b, liaison2, color="purple")
    mine = add_photo(activity_a, liaison, color="purple")
    assert photo_flags([mine], liaison)[mine.pk] == ["此照片已用于其他单位的活动档案"]
