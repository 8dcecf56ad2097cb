"""Assignment status moves: who may make which move, and what is recorded."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ledgers.models import AssignmentStatus as S
from ledgers.models import ProgressEntry, TaskAssignment
from ledgers.services.tasks import MoveRefused, assignment_complete, assignment_move, assignment_return, progress_add

from .conftest import make_task


def report(assignment, user, content="召开主题班会"):
    return progress_add(assignment=assignment, user=user, date=timezone.localdate(), content=content)


def test_first_progress_entry_starts_the_assignment(assignment_a, liaison):
    report(assignment_a, liaison)
    assignment_a.refresh_from_db()
    assert assignment_a.status == S.IN_PROGRESS
    assert assignment_a.events.get().by == liaison


def test_liaison_marks_own_assignment_done_and_who_and_when_are_recorded(assignment_a, liaison):
    report(assignment_a, liaison)
    assignment_complete(assignment=assignment_a, user=liaison)
    assert assignment_a.status == S.DONE
    assert assignment_a.completed_by == liaison
    assert assignment_a.completed_at is not None


def test_cannot_mark_done_before_any_progress_is_reported(assignment_a, liaison):
    with pytest.raises(MoveRefused, match="请先填报落实情况"):
        assignment_complete(assignment=assignment_a, user=liaison)
    assignment_a.refresh_from_db()
    assert assignment_a.status == S.NOT_STARTED


def test_not_started_cannot_jump_to_done(assignment_a, liaison):
    with pytest.raises(MoveRefused, match="不能改为“已完成”"):
        assignment_move(assignment=assignment_a, to=S.DONE, user=liaison)


def test_liaison_cannot_report_on_another_units_assignment(assignment_b, liaison):
    with pytest.raises(MoveRefused, match="只有本单位联络员"):
        report(assignment_b, liaison)
    assert not ProgressEntry.objects.exists()


def test_bureau_returns_done_assignment_with_reason_and_liaison_continues(assignment_a, liaison, admin_user):
    report(assignment_a, liaison)
    assignment_complete(assignment=assignment_a, user=liaison)
    assignment_return(assignment=assignment_a, user=admin_user, reason="缺少活动照片")
    assert assignment_a.status == S.RETURNED
    assert assignment_a.returned_reason == "缺少活动照片"
    assert assignment_a.returned_by == admin_user
    report(assignment_a, liaison, "补充了活动照片")
    assignment_a.refresh_from_db()
    assert assignment_a.status == S.IN_PROGRESS
    assert assignment_a.returned_reason == "缺少活动照片"  # the reason stays visible


def test_return_needs_a_reason(assignment_a, liaison, admin_user):
    report(assignment_a, liaison)
    assignment_complete(assignment=assignment_a, user=liaison)
    with pytest.raises(MoveRefused, match="请填写退回原因"):
        assignment_return(assignment=assignment_a, user=admin_user, reason="  ")


def test_liaison_cannot_return_and_leader_cannot_return(assignment_a, liaison, leader):
    report(assignment_a, liaison)
    assignment_complete(assignment=assignment_a, user=liaison)
    for user in (liaison, leader):
        with pytest.raises(MoveRefused, match="只有局文明办或督导组可以退回"):
            assignment_return(assignment=assignment_a, user=user, reason="不行")
    assignment_a.refresh_from_db()
    assert assignment_a.status == S.DONE


def test_no_progress_after_done_until_returned(assignment_a, liaison):
    report(assignment_a, liaison)
    assignment_complete(assignment=assignment_a, user=liaison)
    with pytest.raises(MoveRefused, match="已标记完成"):
        report(assignment_a, liaison)


def test_overdue_is_derived_from_deadline_in_python_and_sql(year, school_a, admin_user, liaison):
    late = make_task(year, [school_a], admin_user, days=-3, title="逾期任务").assignments.get()
    make_task(year, [school_a], admin_user, days=5, title="未到期任务")
    done_late = make_task(year, [school_a], admin_user, days=-3, title="逾期但已完成").assignments.get()
    report(done_late, liaison)
    assignment_complete(assignment=done_late, user=liaison)
    assert late.is_overdue()
    assert not done_late.is_overdue()
    assert list(TaskAssignment.objects.overdue()) == [late]


def test_leader_gets_403_on_every_post(client_for, leader, assignment_a):
    client = client_for(leader)
    for name in ("assignment_progress", "assignment_complete", "assignment_return"):
        assert client.post(reverse(f"ledgers:{name}", args=[assignment_a.pk])).status_code == 403


def test_liaison_gets_404_for_another_units_assignment(client_for, liaison, assignment_b):
    client = client_for(liaison)
    assert client.get(reverse("ledgers:assignment_detail", args=[assignment_b.pk])).status_code == 404
    response = client.post(reverse("ledgers:assignment_progress", args=[assignment_b.pk]),
                           {"date": "2026-03-01", "content": "越权填报"})
    assert response.status_code == 404
    assert not ProgressEntry.objects.exists()


def test_two_people_reporting_at_once_both_keep_their_entries(client_for, liaison, admin_user, assignment_a):
    # Both pages were opened while the assignment was 未开始; both post.
    first, second = client_for(liaison), client_for(admin_user)
    url = reverse("ledgers:assignment_progress", args=[assignment_a.pk])
    assert first.get(reverse("ledgers:assignment_detail", args=[assignment_a.pk])).status_code == 200
    assert second.get(reverse("ledgers:assignment_detail", args=[assignment_a.pk])).status_code == 200
    r1 = first.post(url, {"date": "2026-03-01", "content": "联络员：召开主题班会"})
    r2 = second.post(url, {"date": "2026-03-01", "content": "文明办：代为补录照片"})
    assert r1.status_code == r2.status_code == 302
    contents = set(ProgressEntry.objects.filter(assignment=assignment_a).values_list("content", flat=True))
    assert contents == {"联络员：召开主题班会", "文明办：代为补录照片"}
    assignment_a.refresh_from_db()
    assert assignment_a.status == S.IN_PROGRESS
    assert assignment_a.events.count() == 1


def test_the_views_walk_the_whole_loop(client_for, liaison, admin_user, assignment_a):
    liaison_client, admin_client = client_for(liaison), client_for(admin_user)
    liaison_client.post(reverse("ledgers:assignment_progress", args=[assignment_a.pk]),
                        {"date": (timezone.localdate() - timedelta(days=1)).isoformat(), "content": "开展文明礼仪教育"})
    liaison_client.post(reverse("ledgers:assignment_complete", args=[assignment_a.pk]))
    admin_client.post(reverse("ledgers:assignment_return", args=[assignment_a.pk]), {"reason": "照片缺少说明"})
    page = liaison_client.get(reverse("ledgers:assignment_detail", args=[assignment_a.pk])).content.decode()
    assert "已退回" in page and "照片缺少说明" in page and "开展文明礼仪教育" in page
