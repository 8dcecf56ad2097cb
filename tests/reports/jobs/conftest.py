"""Job tests: two schools with archived activities and photos, and helpers around the worker."""
import io
from datetime import date

import pytest
from pypdf import PdfReader

from ledgers.models import ActivityCategory
from ledgers.services.activities import activity_submit
from tests.ledgers.activities.conftest import add_photo, make_activity


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def archives(year, school_a, school_b, liaison, liaison2):
    """school_a: 2 submitted activities (April and September) with photos; school_b: one."""
    category = ActivityCategory.objects.ensure_defaults().get(name="学雷锋志愿服务")
    made = {}
    for unit, user, items in [
        (school_a, liaison, [("学雷锋志愿服务进社区", date(2026, 4, 3), 2), ("开学典礼文明礼仪教育", date(2026, 9, 1), 1)]),
        (school_b, liaison2, [("敬老院慰问演出", date(2026, 5, 12), 1)]),
    ]:
        for title, day, photos in items:
            activity = make_activity(unit, user, category, year, title=title, date=day)
            for n in range(photos):
                add_photo(activity, user, caption=f"{title} 照片{n + 1}", name=f"IMG_{n + 1:04d}.jpg")
            activity_submit(activity=activity, user=user)
            made[title] = activity
    return made
