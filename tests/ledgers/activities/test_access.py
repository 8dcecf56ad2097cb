"""Who sees what: a liaison never sees another unit's activities or photos, whatever the URL."""
import pytest
from django.urls import reverse

from .conftest import add_photo, make_activity


@pytest.mark.parametrize("size", ["thumb", "display", "original"])
def test_liaison_gets_404_for_another_units_photo_url(activity_b, liaison2, liaison, client_for, size):
    photo = add_photo(activity_b, liaison2)
    url = reverse("ledgers:activity_photo", args=[photo.pk, size])
    assert client_for(liaison).get(url).status_code == 404
    response = client_for(liaison2).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_original_downloads_under_the_users_file_name(activity_a, liaison, client_for):
    photo = add_photo(activity_a, liaison, name="升旗仪式.jpg")
    response = client_for(liaison).get(reverse("ledgers:activity_photo", args=[photo.pk, "original"]))
    assert "attachment" in response["Content-Disposition"]
    assert "%E5%8D%87%E6%97%97" in response["Content-Disposition"]  # 升旗 (RFC 5987)


def test_liaison_gets_404_for_another_units_draft_and_its_pages(activity_b, liaison, client_for):
    client = client_for(liaison)
    for name in ["activity_detail", "activity_edit"]:
        assert client.get(reverse(f"ledgers:{name}", args=[activity_b.pk])).status_code == 404
    assert client.post(reverse("ledgers:activity_submit", args=[activity_b.pk])).status_code == 404


def test_list_shows_a_liaison_only_their_own_unit(activity_a, activity_b, liaison, client_for):
    page = client_for(liaison).get(reverse("ledgers:activity_list")).content.decode()
    assert "学雷锋志愿服务进社区" in page and "敬老院慰问演出" not in page


def test_liaison_cannot_download_another_units_binder(school_b, liaison, client_for):
    url = reverse("ledgers:binder_zip") + f"?unit={school_b.pk}"
    assert client_for(liaison).get(url).status_code == 404


def test_list_page_query_count_does_not_grow_with_rows(school_a, liaison, category, year, inspector, indicator,
                                                       client_for, django_assert_max_num_queries):
    def fill(start, n):
        for i in range(start, start + n):
            activity = make_activity(school_a, liaison, category, year, title=f"活动{i}")
            activity.indicators.add(indicator)
            add_photo(activity, liaison, color=(i * 7 % 255, 80, 120), size=(64, 48))

    client = client_for(inspector)
    fill(0, 3)
    with django_assert_max_num_queries(15):
        client.get(reverse("ledgers:activity_list"))
    fill(3, 9)
    with django_assert_max_num_queries(15):
        assert "活动11" in client.get(reverse("ledgers:activity_list")).content.decode()


def test_list_filters_by_month_category_and_indicator(school_a, liaison, category, year, indicator, client_for):
    from datetime import date

    from ledgers.models import ActivityCategory

    march = make_activity(school_a, liaison, category, year, title="三月学雷锋", date=date(2026, 3, 5))
    march.indicators.add(indicator)
    other = ActivityCategory.objects.get(name="诚信建设")
    make_activity(school_a, liaison, other, year, title="讲诚信故事比赛", date=date(2026, 4, 10))
    client = client_for(liaison)
    url = reverse("ledgers:activity_list")
    page = client.get(url, {"month": "2026-03"}).content.decode()
    assert "三月学雷锋" in page and "讲诚信故事比赛" not in page
    page = client.get(url, {"category": other.pk}).content.decode()
    assert "三月学雷锋" not in page and "讲诚信故事比赛" in page
    page = client.get(url, {"indicator": indicator.pk}).content.decode()
    assert "三月学雷锋" in page and "讲诚信故事比赛" not in page


def test_stats_page_lists_units_that_archived_nothing(activity_a, activity_b, liaison, inspector, client_for):
    from ledgers.services.activities import activity_submit

    from .conftest import add_photo

    add_photo(activity_a, liaison)
    activity_submit(activity=activity_a, user=liaison)
    page = client_for(inspector).get(reverse("ledgers:activity_stats"), {"month": "2026-04"}).content.decode()
    assert "1 个单位本月未建档" in page or "个单位本月未建档" in page
    # school_b has only a draft: it is highlighted, in the table (desktop) and in the cards (phones)
    table = page.split('data-testid="stats-table"')[1]
    cards = page.split('data-testid="stats-cards"')[1].split('data-testid="stats-table"')[0]
    for listing, end in ((table, "</tr>"), (cards, "</li>")):
        row_b = listing.split("郾城区第二实验小学")[1].split(end)[0]
        assert "本月未建档" in row_b
        row_a = listing.split("郾城区第一实验小学")[1].split(end)[0]
        assert "本月未建档" not in row_a
    assert client_for(liaison).get(reverse("ledgers:activity_stats")).status_code == 403
