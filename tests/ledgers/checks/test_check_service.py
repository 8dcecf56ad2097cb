"""Recording checks: scores within 0…max, totals computed, drafts and submission, corrections."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ledgers.models import Check, CheckCorrection, CheckScore, CheckStatus
from ledgers.services import checks as service

from .factories import MONDAY, make_check, scores_for


def test_inspector_records_a_check_and_the_total_is_computed_from_scores(inspector, school_a, template):
    check = make_check(inspector, school_a, template, [18, 12.5, 14])
    assert check.status == CheckStatus.SUBMITTED
    assert check.total == Decimal("44.5")
    assert check.max_total == Decimal("50")
    assert check.percent == Decimal("89.0")
    assert check.submitted_by == inspector
    assert list(check.inspectors.all()) == [inspector]


def test_iso_week_follows_the_date(inspector, school_a, template):
    check = make_check(inspector, school_a, template, [1, 1, 1], date=datetime.date(2026, 1, 1))
    assert (check.iso_year, check.iso_week) == (2026, 1)
    check = make_check(inspector, school_a, template, [1, 1, 1], date=datetime.date(2027, 1, 1))
    assert (check.iso_year, check.iso_week) == (2026, 53)


def test_score_above_the_items_maximum_is_refused_naming_the_item(inspector, school_a, template):
    with pytest.raises(ValidationError) as refused:
        make_check(inspector, school_a, template, [21, 10, 10])
    assert "“校园环境卫生”得分不能超过 20 分。" in refused.value.messages
    assert not Check.objects.exists()


def test_negative_score_is_refused_and_nothing_is_saved(inspector, school_a, template):
    with pytest.raises(ValidationError) as refused:
        make_check(inspector, school_a, template, [10, -1, 10])
    assert "“宣传氛围”得分不能为负数。" in refused.value.messages
    assert not Check.objects.exists() and not CheckScore.objects.exists()


def test_database_itself_refuses_a_negative_score(inspector, school_a, template):
    check = make_check(inspector, school_a, template, [10, 10, None], submit=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckScore.objects.filter(check_record=check).update(score=-5)


def test_a_draft_may_be_incomplete_but_submitting_needs_every_item(inspector, school_a, template):
    check = make_check(inspector, school_a, template, [10, None, 10], submit=False)
    assert check.is_draft and check.total == 20
    with pytest.raises(ValidationError) as refused:
        service.check_submit(check=check, user=inspector)
    assert "“宣传氛围”尚未打分，不能提交。" in refused.value.messages
    check.refresh_from_db()
    assert check.is_draft


def test_inactive_unit_cannot_be_checked(inspector, school_a, template):
    school_a.is_active = False
    school_a.save()
    with pytest.raises(ValidationError) as refused:
        make_check(inspector, school_a, template, [1, 1, 1])
    assert "受检单位不存在或已停用" in refused.value.messages[0]


def test_liaison_and_leader_cannot_record_checks(liaison, leader, school_a, template):
    for user in (liaison, leader):
        with pytest.raises(PermissionDenied) as refused:
            make_check(user, school_a, template, [1, 1, 1])
        assert "只有督导组或局文明办可以录入督查记录" in str(refused.value)


def test_submitted_check_cannot_be_edited_by_an_inspector(inspector, school_a, template):
    check = make_check(inspector, school_a, template, [10, 10, 10])
    with pytest.raises(PermissionDenied) as refused:
        make_check(inspector, school_a, template, [20, 15, 15], check=check)
    assert "只能由局文明办更正" in str(refused.value)
    check.refresh_from_db()
    assert check.total == 30


def test_only_bureau_admin_corrects_a_submitted_check_and_the_correction_is_kept(
        inspector, admin_user, school_a, template):
    check = make_check(inspector, school_a, template, [10, 10, 10])
    with pytest.raises(PermissionDenied):
        service.check_correct(check=check, user=inspector, scores=scores_for(template, [20, 15, 15]),
                              remarks="", reason="录入错误")
    with pytest.raises(ValidationError) as refused:
        service.check_correct(check=check, user=admin_user, scores=scores_for(template, [20, 15, 15]),
                              remarks="", reason=" ")
    assert refused.value.messages == ["请填写更正理由。"]
    service.check_correct(check=check, user=admin_user, scores=scores_for(template, [18, 15, 15]),
                          remarks="复核后更正", reason="宣传氛围漏记 5 分")
    check.refresh_from_db()
    assert check.total == 48 and check.remarks == "复核后更正"
    correction = CheckCorrection.objects.get(check_record=check)
    assert correction.by == admin_user
    assert correction.before["total"] == "30" and correction.after["total"] == "48"
    assert correction.before["scores"]["校园环境卫生"] == "10"
    assert correction.after["scores"]["校园环境卫生"] == "18"


def test_correction_also_refuses_scores_above_the_maximum(inspector, admin_user, school_a, template):
    check = make_check(inspector, school_a, template, [10, 10, 10])
    with pytest.raises(ValidationError) as refused:
        service.check_correct(check=check, user=admin_user, scores=scores_for(template, [10, 16, 10]),
                              remarks="", reason="更正")
    assert "“宣传氛围”得分不能超过 15 分。" in refused.value.messages
    assert not CheckCorrection.objects.exists()
    check.refresh_from_db()
    assert check.total == 30


def test_checks_are_filtered_by_week(inspector, school_a, template):
    make_check(inspector, school_a, template, [1, 1, 1], date=MONDAY)
    make_check(inspector, school_a, template, [1, 1, 1], date=MONDAY + datetime.timedelta(days=7))
    assert Check.objects.for_week(2026, 10).count() == 1
    assert Check.objects.for_week(2026, 11).count() == 1
