"""Drafting, publishing (numbered, frozen) and printing the weekly bulletin."""
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from ledgers.models import Bulletin
from ledgers.services import bulletins as service
from ledgers.services import checks as check_service
from tests.ledgers.checks.factories import make_check, scores_for


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def week_checks(inspector, school_a, school_b, template):
    return [make_check(inspector, school_a, template, [20, 15, 14]),
            make_check(inspector, school_b, template, [12, 10, 10])]


def test_inspector_drafts_and_admin_publishes_numbered_bulletins(client_for, inspector, admin_user, week_checks,
                                                                 run_jobs):
    response = client_for(inspector).post(reverse("ledgers:bulletin_create"), {"week": "2026-W10"})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and not bulletin.is_published and bulletin.number is None
    assert "3月2日至3月8日" in bulletin.foreword
    assert client_for(inspector).post(reverse("ledgers:bulletin_publish", args=[bulletin.pk])).status_code == 403
    client_for(admin_user).post(reverse("ledgers:bulletin_publish", args=[bulletin.pk]))
    run_jobs()  # publishing (render + freeze) is a background job
    bulletin.refresh_from_db()
    assert bulletin.is_published and bulletin.number == 1 and bulletin.published_by == admin_user
    second = service.bulletin_create(user=inspector, iso_year=2026, iso_week=11)
    assert service.bulletin_publish(bulletin=second, user=admin_user).number == 2


def test_a_week_has_one_bulletin(client_for, inspector, week_checks):
    client = client_for(inspector)
    client.post(reverse("ledgers:bulletin_create"), {"week": "2026-W10"})
    html = client.post(reverse("ledgers:bulletin_create"), {"week": "2026-W10"}).content.decode()
    assert "2026年第10周的通报已经存在。" in html
    html = client.post(reverse("ledgers:bulletin_create"), {"week": "第十周"}).content.decode()
    assert "周次格式不正确" in html
    assert Bulletin.objects.count() == 1


def test_published_bulletin_is_frozen_against_later_corrections(client_for, inspector, admin_user, school_b,
                                                                template, week_checks):
    bulletin = service.bulletin_create(user=inspector, iso_year=2026, iso_week=10, foreword="本周按语")
    service.bulletin_publish(bulletin=bulletin, user=admin_user)
    # Later the admin corrects 二小's check upward: it would now rank first.
    check_service.check_correct(check=week_checks[1], user=admin_user, scores=scores_for(template, [20, 15, 15]),
                                remarks="", reason="复核更正")
    assert service.week_ranking(2026, 10)[0]["unit"] == "郾城区第二实验小学"
    html = client_for(admin_user).get(bulletin.get_absolute_url()).content.decode()
    ranking = html.split('data-testid="ranking"', 1)[1]
    assert ranking.index("郾城区第一实验小学") < ranking.index("郾城区第二实验小学")
    assert "64.0%" in ranking and "100.0%" not in ranking
    text = pdf_text(client_for(admin_user).get(reverse("ledgers:bulletin_pdf", args=[bulletin.pk])).content)
    assert "64.0%" in text and "100.0%" not in text


def test_published_bulletin_cannot_be_edited(inspector, admin_user, client_for, week_checks):
    bulletin = service.bulletin_create(user=inspector, iso_year=2026, iso_week=10)
    service.bulletin_publish(bulletin=bulletin, user=admin_user)
    with pytest.raises(ValidationError) as refused:
        service.bulletin_update(bulletin=bulletin, user=admin_user, foreword="改")
    assert refused.value.messages == ["通报已发布，不能再修改。"]
    with pytest.raises(ValidationError):
        service.bulletin_publish(bulletin=bulletin, user=admin_user)
    assert client_for(admin_user).post(bulletin.get_absolute_url(), {"foreword": "改"}).status_code == 403


def test_draft_preview_shows_live_figures_and_an_editable_foreword(client_for, inspector, admin_user, template,
                                                                   week_checks):
    bulletin = service.bulletin_create(user=inspector, iso_year=2026, iso_week=10)
    client = client_for(inspector)
    client.post(bulletin.get_absolute_url(), {"foreword": "各单位要对照问题立行立改。"})
    check_service.check_correct(check=week_checks[1], user=admin_user, scores=scores_for(template, [20, 15, 15]),
                                remarks="", reason="复核更正")
    html = client.get(bulletin.get_absolute_url()).content.decode()
    assert "草稿预览" in html and "各单位要对照问题立行立改。" in html
    assert "100.0%" in html.split('data-testid="ranking"', 1)[1]


def test_bulletin_pdf_has_the_title_block_number_and_unit_names(client_for, inspector, admin_user, leader,
                                                                week_checks):
    bulletin = service.bulletin_create(user=inspector, iso_year=2026, iso_week=10)
    draft_text = pdf_text(client_for(leader).get(reverse("ledgers:bulletin_pdf", args=[bulletin.pk])).content)
    assert "草稿" in draft_text and "第1期" not in draft_text
    service.bulletin_publish(bulletin=bulletin, user=admin_user)
    response = client_for(leader).get(reverse("ledgers:bulletin_pdf", args=[bulletin.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in ("文明创建督导组", "每周督查通报", "第1期", "2026年第10周", "郾城区第一实验小学", "郾城区第二实验小学",
                  "表扬单位", "问题整改情况"):
        assert words in text


def test_bulletins_are_for_bureau_roles_only(client_for, inspector, liaison, leader, week_checks):
    bulletin = service.bulletin_create(user=inspector, iso_year=2026, iso_week=10)
    client = client_for(liaison)
    assert client.get(reverse("ledgers:bulletin_list")).status_code == 403
    assert client.get(reverse("ledgers:bulletin_pdf", args=[bulletin.pk])).status_code == 403
    assert client_for(leader).get(bulletin.get_absolute_url()).status_code == 200
    assert client_for(leader).post(reverse("ledgers:bulletin_create"), {"week": "2026-W11"}).status_code == 403
    with pytest.raises(PermissionDenied):
        service.bulletin_create(user=leader, iso_year=2026, iso_week=12)


def test_bulletin_list_query_count_does_not_grow(client_for, inspector, admin_user, django_assert_max_num_queries):
    client = client_for(admin_user)
    for week in range(1, 4):
        service.bulletin_publish(bulletin=service.bulletin_create(user=inspector, iso_year=2026, iso_week=week),
                                 user=admin_user)
    with django_assert_max_num_queries(8):
        client.get(reverse("ledgers:bulletin_list"))
    for week in range(4, 13):
        service.bulletin_publish(bulletin=service.bulletin_create(user=inspector, iso_year=2026, iso_week=week),
                                 user=admin_user)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("ledgers:bulletin_list")).content.decode()
    # Listed once in the table (desktop) and once in the cards (phones).
    assert html.split('data-testid="bulletin-table"')[1].count("第12期") == 1
    assert html.split('data-testid="bulletin-cards"')[1].split('data-testid="bulletin-table"')[0].count("第12期") == 1
