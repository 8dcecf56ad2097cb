"""Fixtures for the task breakdown table: an indicator and a task given to both schools."""
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ledgers.models import Indicator, Task, TaskAssignment
from ledgers.services.tasks import task_save


@pytest.fixture
def indicator(year):
    top = Indicator.objects.create(year=year, code="3", title="未成年人思想道德建设", points=20)
    mid = Indicator.objects.create(year=year, code="3.2", parent=top, title="学校教育", points=10)
    return Indicator.objects.create(year=year, code="3.2.1", parent=mid, title="文明校园创建", points=4,
                                    min_photos=2, caption_required=True)


def make_task(year, units, user, days=10, title="开展文明校园创建", indicator=None):
    task = Task(year=year, title=title, deadline=timezone.localdate() + timedelta(days=days), indicator=indicator)
    return task_save(task=task, units=units, user=user)


@pytest.fixture
def task(year, indicator, school_a, school_b, admin_user):
    return make_task(year, [school_a, school_b], admin_user, indicator=indicator)


@pytest.fixture
def assignment_a(task, school_a):
    return TaskAssignment.objects.get(task=task, unit=school_a)


@pytest.fixture
def assignment_b(task, school_b):
    return TaskAssignment.objects.get(task=task, unit=school_b)


def jpeg_upload(name="照片.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
