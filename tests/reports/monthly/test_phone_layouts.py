"""What the report pages give a phone: the leader's one-screen overview, cards beside the tables,
charts with a phone layout (the PDF keeps its print layout), and a trend over the campaign's weeks.

The browser checks sizes and widths (tests/browser/test_phone_reports.py); these check content.
"""
import datetime
import re

import pytest
from django.utils import timezone

from ledgers.services import bulletins as bulletin_service
from reports import monthly as service
from reports.summaries import Month, monthly_summary, weekly_score_trend

NOV_30 = datetime.date(2026, 11, 30)


@pytest.fixture
def end_of_november(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: NOV_30)
    return NOV_30


def panel_of(html, testid):
    start = html.index(f'data-testid="{testid}"')
    return html[start:html.index("</section>", start)]


def test_leader_home_shows_the_months_figures_lowest_units_overdue_units_and_latest_bulletin(
        november, end_of_november, client_for, leader, inspector, admin_user, django_assert_max_num_queries):
    bulletin = bulletin_service.bulletin_create(user=inspector, iso_year=2026, iso_week=47)
    bulletin_service.bulletin_publish(bulletin=bulletin, user=admin_user)
    client = client_for(leader)
    with django_assert_max_num_queries(40):
        html = client.get("/").content.decode()
    panel = panel_of(html, "panel-leader")
    assert "本月概况 · 2026年11月" in panel
    assert "33.3%" in panel and "81.3%" in panel  # completion rate, average score rate
    lowest = panel[panel.index('data-testid="leader-lowest"'):panel.index('data-testid="leader-overdue"')]
    # 局办公室 ranks 3rd of 3, then the two schools tied 1st.
    assert lowest.index("局办公室（文明办）") < lowest.index("郾城区第一实验小学")
    assert f"/reports/monthly/2026-11/?unit={november['S'].pk}" in lowest
    overdue = panel[panel.index('data-testid="leader-overdue"'):panel.index('data-testid="leader-bulletin"')]
    # As of 30 November only 一小's problem (deadline 21 November) is overdue.
    assert "郾城区第一实验小学" in overdue and "逾期 1 个" in overdue and "郾城区第二实验小学" not in overdue
    assert f"?unit={november['A'].pk}&amp;overdue=1" in overdue
    assert f'href="{bulletin.get_absolute_url()}"' in panel and "第1期 · 2026年第47周" in panel
    assert html.index('data-testid="panel-leader"') < html.index('data-testid="panel-checks"')


def test_only_the_leader_gets_the_overview(november, end_of_november, client_for, inspector, liaison):
    assert 'data-testid="panel-leader"' not in client_for(inspector).get("/").content.decode()
    assert 'data-testid="panel-leader"' not in client_for(liaison).get("/").content.decode()


def test_monthly_page_has_a_card_per_unit_with_the_full_row_one_tap_away(november, fixed_today, client_for,
                                                                          inspector):
    html = client_for(inspector).get("/reports/monthly/2026-11/").content.decode()
    cards = html[html.index('data-testid="unit-cards"'):html.index('data-testid="unit-table"')]
    assert len(re.findall(r'<div class="unit-card(?: no-archive)?">', cards)) == 5 and cards.count("<details>") == 5
    first = cards[:cards.index("</details>")]
    assert "第 1 名" in first and "郾城区第一实验小学" in first and "85.0%" in first
    assert "1/2" in first and "任务完成/到期" in first and "平均整改天数" in first
    assert 'data-testid="open-problem-cards"' in html and "操场围墙公益广告破损" in html
    assert html.count('class="chart-narrow"') == html.count('class="chart-wide"') >= 2


def test_the_pdf_keeps_the_print_layout_of_the_charts(november, fixed_today):
    summary = monthly_summary(Month(2026, 11), today=fixed_today)
    for chart in service.document_context(summary)["charts"].values():
        assert "chart-narrow" not in chart and 'viewBox="0 0 640' in chart
    for chart in service.charts_for(summary, links=True).values():
        assert "chart-narrow" in chart


def test_weekly_trend_runs_from_the_first_checked_week_to_this_week(november, fixed_today, units):
    # Checks in weeks 43 (B), 45 (A, B, 局办公室) and 47 (A); today, 5 December, is in week 49.
    trend = weekly_score_trend(2026)
    assert [week for week, _ in trend] == list(range(43, 50))
    assert dict(trend)[45] is not None and dict(trend)[44] is None
    mine = weekly_score_trend(2026, unit=units["A"])
    assert [week for week, _ in mine] == list(range(43, 50)) and dict(mine)[43] is None


def test_weekly_trend_of_a_year_without_checks_is_empty(db):
    assert weekly_score_trend(2031) == []


def test_dashboard_trend_chart_has_a_phone_layout_with_few_week_labels(november, fixed_today, client_for, leader):
    html = client_for(leader).get("/reports/dashboard/").content.decode()
    narrow = html[html.index('class="chart-narrow"'):]
    narrow = narrow[:narrow.index("</svg></div>")]
    assert len(re.findall(r">\d+周</text>", narrow)) <= 5
