"""Fixtures of the activity archives: images of every kind, indicators with evidence rules, activities."""
import io
import struct
import zlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ledgers.models import Activity, ActivityCategory, ActivityPhoto, Indicator

ACTIVITY_DATE = date(2026, 4, 3)


def image_bytes(fmt="JPEG", size=(640, 480), color="seagreen", taken=None, orientation=None):
    """An image file's bytes; `taken` 'YYYY:MM:DD HH:MM:SS' goes into EXIF DateTimeOriginal."""
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    image = Image.new("RGB", size, color)
    # a red block in the top-left corner shows which way up the picture is
    image.paste("red", (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    if taken:
        exif[0x0132] = taken  # DateTime
        exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    kwargs = {"exif": exif.tobytes()} if (taken or orientation) else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(name, content=None, **kwargs):
    return SimpleUploadedFile(name, content if content is not None else image_bytes(**kwargs))


def bomb_png():
    """A tiny PNG that claims 30,000 × 30,000 pixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = struct.pack(">II", 30000, 30000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


@pytest.fixture
def category(db):
    return ActivityCategory.objects.ensure_defaults().get(name="学雷锋志愿服务")


@pytest.fixture
def indicator(year):
    return Indicator.objects.create(year=year, code="3.2.1", title="学雷锋志愿服务常态化", min_photos=2,
                                    caption_required=True)


@pytest.fixture
def indicator_plain(year):
    return Indicator.objects.create(year=year, code="2.1.4", title="诚信建设", min_photos=0)


def make_activity(unit, user, category, year, **fields):
    defaults = {"title": "学雷锋志愿服务进社区", "date": ACTIVITY_DATE, "place": "沙北社区",
                "participants": "五年级师生 60 人", "organizer": "少先队大队部", "summary": "清扫街道，慰问老人。"}
    defaults.update(fields)
    return Activity.objects.create(unit=unit, year=year, category=category, created_by=user, **defaults)


def add_photo(activity, user, caption="2026年4月3日，沙北社区，五年级学生清扫街道", **image):
    photo = ActivityPhoto.build(upload(image.pop("name", "IMG_0001.jpg"), **image), uploaded_by=user,
                                activity=activity, caption=caption)
    photo.save()
    return photo


@pytest.fixture
def activity_a(school_a, liaison, category, year):
    return make_activity(school_a, liaison, category, year)


@pytest.fixture
def activity_b(school_b, liaison2, category, year):
    return make_activity(school_b, liaison2, category, year, title="敬老院慰问演出")


def form_data(category, **extra):
    data = {"title": "红色之旅研学", "category": category.pk, "date": "2026-04-03", "place": "烈士陵园",
            "participants": "全体师生 500 人", "organizer": "德育处", "summary": "缅怀先烈。",
            "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0", "photos-MIN_NUM_FORMS": "0",
            "photos-MAX_NUM_FORMS": "1000"}
    data.update(extra)
    return data
