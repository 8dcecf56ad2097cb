"""A city user drilled into one district (`/reports/dashboard/?bureau=<id>`, the monthly summary
with ?bureau=) stays in that district: every link of the page — figures, chart bars, the trend,
the units without activities — keeps `?bureau=` (or names one of the district's units), and
following each link shows that district's records, never another district's."""
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from ledgers.models import CheckItem, CheckTemplate
from reports.summaries import Month
from tests.ledgers.checks.factories import make_check, make_problem


class _Links(HTMLParser):
    """The href of every <a> inside <main> (SVG chart bars included)."""

    def __init__(self):
        super().__init__()
        self.depth, self.hrefs = 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag == "a" and self.depth:
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1


def links_of(html):
    parser = _Links()
    parser.feed(html)
    return [h for h in parser.hrefs if h.startswith("/") and not h.startswith("/static/")]


@pytest.fixture
def two_districts(year, city, district2, school_a, school_c, inspector, district2_inspector):
    template = CheckTemplate.objects.create(bureau=city, year=year, name="市统一检查表")
    CheckItem.objects.create(template=template, title="校园环境", max_points=10, sort_order=1)
    today = timezone.localdate()
    make_check(inspector, school_a, template, [8], date=today)
    make_check(district2_inspector, school_c, template, [6], date=today)
    make_problem(inspector, school_a, description="郾城区的问题：走廊堆放杂物", deadline=today)
    make_problem(district2_inspector, school_c, description="源汇区的问题：宣传栏破损", deadline=today)
    return district2


def _follow_every_link(client, page_url, district2, school_c):
    response = client.get(page_url)
    assert response.status_code == 200
    hrefs = links_of(response.content.decode())
    assert hrefs, page_url
    followed = 0
    for href in hrefs:
        path = urlsplit(href.replace("&amp;", "&"))
        query = parse_qs(path.query)
        if path.path.startswith("/reports/published/") or "/photos/" in path.path:
            continue
        # Either the district itself or one of its units: never the whole city.
        assert query.get("bureau") == [str(district2.pk)] or query.get("unit") == [str(school_c.pk)], (page_url, href)
        target = client.get(href.replace("&amp;", "&"))
        assert target.status_code in (200, 302), (href, target.status_code)
        if target.status_code == 200 and target["Content-Type"].startswith("text/html"):
            body = target.content.decode()
            assert "郾城区的问题" not in body, href
        followed += 1
    return hrefs, followed


def test_every_link_of_a_drilled_in_district_dashboard_keeps_to_the_district(two_districts, city_inspector,
                                                                             school_c, client_for):
    client = client_for(city_inspector)
    url = reverse("reports:dashboard") + f"?bureau={two_districts.pk}"
    hrefs, followed = _follow_every_link(client, url, two_districts, school_c)
    # The problems chart's bars are among them and lead to 源汇区's problems only.
    bars = [h for h in hrefs if h.startswith(reverse("ledgers:problem_list"))]
    assert len(bars) >= 4, hrefs
    page = client.get(bars[0].replace("&amp;", "&")).content.decode()
    assert "源汇区的问题" in page and "郾城区的问题" not in page
    assert followed >= 8


def test_every_link_of_a_drilled_in_monthly_summary_keeps_to_the_district(two_districts, city_inspector,
                                                                          school_c, client_for):
    client = client_for(city_inspector)
    month = Month.containing(timezone.localdate())
    url = reverse("reports:monthly", args=[month]) + f"?bureau={two_districts.pk}"
    hrefs, followed = _follow_every_link(client, url, two_districts, school_c)
    assert any(h.startswith(reverse("ledgers:problem_list")) for h in hrefs), hrefs


def test_the_citys_own_dashboard_charts_cover_every_district(two_districts, city_inspector, client_for):
    month = Month.containing(timezone.localdate())
    html = client_for(city_inspector).get(reverse("reports:monthly", args=[month])).content.decode()
    bars = [h for h in links_of(html) if h.startswith(reverse("ledgers:problem_list"))]
    assert bars and not any("bureau=" in h for h in bars), bars


def test_a_district_leaders_overview_shows_only_the_districts_units(two_districts, leader, school_a, school_c,
                                                                      client_for):
    html = client_for(leader).get("/").content.decode()
    panel = html[html.index('data-testid="panel-leader"'):]
    lowest = panel[panel.index('data-testid="leader-lowest"'):panel.index('data-testid="leader-overdue"')]
    assert school_a.name in lowest
    assert school_c.name not in html
