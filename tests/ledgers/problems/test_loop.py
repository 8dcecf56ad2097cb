"""The rectification loop as users walk it, and every move that must be refused."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ledgers.models import Problem, ProblemEvent, ProblemPhoto, ProblemStatus
from ledgers.services import problems as service
from tests.ledgers.checks.factories import fake_jpeg, jpeg, make_check, make_problem


def post_move(client, problem, action, **data):
    return client.post(reverse("ledgers:problem_detail", args=[problem.pk]), {"action": action, **data})


def test_the_whole_loop_from_check_to_close(client_for, inspector, inspector2, liaison, school_a, template,
                                            indicator):
    check = make_check(inspector, school_a, template, [12, 10, 13])
    inspector_client, liaison_client = client_for(inspector), client_for(liaison)

    # The inspector raises a problem from the check page, with a photo before.
    response = inspector_client.post(
        reverse("ledgers:problem_create") + f"?check={check.pk}",
        {"description": "教学楼西侧垃圾桶满溢", "indicator": indicator.pk,
         "deadline": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(), "photos": [jpeg("整改前.jpg")]},
    )
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert problem.unit == school_a and problem.check_record == check and problem.status == ProblemStatus.OPEN
    assert problem.photos.get().stage == "before"

    # The liaison sees it on their home page, starts, then rectifies with a photo after.
    assert "教学楼西侧垃圾桶满溢" in liaison_client.get(reverse("home")).content.decode()
    post_move(liaison_client, problem, "start")
    post_move(liaison_client, problem, "rectify", note="已清运并增设垃圾桶", photos=[jpeg("整改后.jpg")])
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REVIEW and problem.rectified_by == liaison

    # The inspector re-checks and rejects it with a reason: back to 整改中.
    post_move(inspector_client, problem, "reject", note="西侧仍有散落垃圾")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING and problem.recheck_note == "西侧仍有散落垃圾"

    # The liaison redoes it (the earlier photo after still counts, a new one is added).
    post_move(liaison_client, problem, "rectify", note="已全部清理，安排专人每日巡查", photos=[jpeg("再次整改.jpg")])
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REVIEW

    # Another inspector closes it.
    post_move(client_for(inspector2), problem, "close", note="复查合格")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED and problem.closed_by == inspector2
    assert problem.photos.filter(stage="after").count() == 2

    # The timeline shows every move: who, when, the note.
    actions = list(problem.events.values_list("action", "from_status", "to_status", "actor__username"))
    assert actions == [
        ("raise", "", "open", "inspector"),
        ("start", "open", "rectifying", "liaison"),
        ("submit", "rectifying", "review", "liaison"),
        ("reject", "review", "rectifying", "inspector"),
        ("submit", "rectifying", "review", "liaison"),
        ("close", "review", "closed", "inspector2"),
    ]
    page = liaison_client.get(problem.get_absolute_url()).content.decode()
    timeline = page.split('data-testid="timeline"')[1]
    for words in ("发现交办", "开始整改", "提交整改", "复查不通过", "西侧仍有散落垃圾", "复查销号", "复查合格", "周文斌"):
        assert words in timeline


def test_rectification_without_a_photo_is_refused_and_the_note_is_kept(client_for, inspector, liaison, school_a):
    problem = make_problem(inspector, school_a)
    response = post_move(client_for(liaison), problem, "rectify", note="已整改完毕")
    html = response.content.decode()
    assert "请至少上传一张整改后照片，才能提交复查。" in html
    assert "已整改完毕" in html
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN and not problem.rectification
    assert problem.events.count() == 1


def test_rectification_with_a_page_renamed_jpg_is_refused(client_for, inspector, liaison, school_a):
    problem = make_problem(inspector, school_a)
    html = post_move(client_for(liaison), problem, "rectify", note="已整改", photos=[fake_jpeg("整改后.jpg")]).content.decode()
    assert "“整改后.jpg”不是可接受的文件" in html
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN and not ProblemPhoto.objects.exists()


def test_rectification_needs_a_note(inspector, liaison, school_a):
    problem = make_problem(inspector, school_a)
    with pytest.raises(ValidationError) as refused:
        service.problem_submit_rectification(problem=problem, user=liaison, note="  ", photos=[jpeg()])
    assert refused.value.messages == ["请填写整改情况。"]
    assert not ProblemPhoto.objects.exists()


def test_nobody_closes_their_own_rectification(client_for, admin_user, inspector, school_a):
    # A bureau admin may rectify on a unit's behalf, but then someone else must re-check it.
    problem = make_problem(inspector, school_a)
    service.problem_submit_rectification(problem=problem, user=admin_user, note="代为整改", photos=[jpeg()])
    client = client_for(admin_user)
    assert "需由其他督导组成员复查销号" in client.get(problem.get_absolute_url()).content.decode()
    html = post_move(client, problem, "close").content.decode()
    assert "不能复查自己提交的整改，请由其他督导组成员复查。" in html
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REVIEW
    service.problem_close(problem=problem, user=inspector)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED


def test_liaison_cannot_move_another_units_problem(client_for, inspector, liaison, school_b):
    problem = make_problem(inspector, school_b)
    assert post_move(client_for(liaison), problem, "rectify", note="x", photos=[jpeg()]).status_code == 404
    with pytest.raises(PermissionDenied) as refused:
        service.problem_submit_rectification(problem=problem, user=liaison, note="x", photos=[jpeg()])
    assert "只有该问题责任单位的联络员可以整改此问题" in str(refused.value)
    with pytest.raises(PermissionDenied):
        service.problem_start(problem=problem, user=liaison)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN and not ProblemPhoto.objects.exists()


def test_liaison_cannot_see_another_units_problem_or_its_photos(client_for, inspector, liaison, school_b):
    problem = make_problem(inspector, school_b, photos=[jpeg()])
    client = client_for(liaison)
    assert client.get(problem.get_absolute_url()).status_code == 404
    photo = problem.photos.get()
    assert client.get(reverse("ledgers:problem_photo", args=[photo.pk, "thumb"])).status_code == 404
    assert client.get(reverse("ledgers:problem_photo", args=[photo.pk, "original"])).status_code == 404


def test_liaison_sees_their_own_problems_photos(client_for, inspector, liaison, school_a):
    problem = make_problem(inspector, school_a, photos=[jpeg()])
    response = client_for(liaison).get(reverse("ledgers:problem_photo", args=[problem.photos.get().pk, "display"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_liaison_cannot_recheck_or_close(client_for, inspector, liaison, school_a):
    problem = make_problem(inspector, school_a)
    service.problem_submit_rectification(problem=problem, user=liaison, note="已整改", photos=[jpeg()])
    html = post_move(client_for(liaison), problem, "close").content.decode()
    assert "只有督导组或局文明办可以复查销号。" in html
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REVIEW


def test_rejecting_needs_a_reason(client_for, inspector, liaison, school_a):
    problem = make_problem(inspector, school_a)
    service.problem_submit_rectification(problem=problem, user=liaison, note="已整改", photos=[jpeg()])
    html = post_move(client_for(inspector), problem, "reject", note="").content.decode()
    assert "请填写复查不通过的理由。" in html
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REVIEW


def test_closing_a_problem_not_yet_rectified_is_refused(inspector, school_a):
    problem = make_problem(inspector, school_a)
    with pytest.raises(ValidationError) as refused:
        service.problem_close(problem=problem, user=inspector)
    assert refused.value.messages == ["该问题当前状态为“待整改”，不能销号。"]


def test_leader_changes_nothing(client_for, inspector, leader, liaison, school_a):
    problem = make_problem(inspector, school_a)
    client = client_for(leader)
    assert client.get(problem.get_absolute_url()).status_code == 200
    assert post_move(client, problem, "close").status_code == 403
    assert client.post(reverse("ledgers:problem_create"), {"description": "x"}).status_code == 403


def test_deadline_defaults_to_the_next_day(inspector, school_a):
    problem = make_problem(inspector, school_a)
    assert problem.deadline == timezone.localdate() + datetime.timedelta(days=1)
    assert problem.found_on == timezone.localdate()


def test_deadline_before_the_day_found_is_refused(inspector, school_a):
    with pytest.raises(ValidationError) as refused:
        make_problem(inspector, school_a, deadline=timezone.localdate() - datetime.timedelta(days=1))
    assert refused.value.messages == ["整改时限不能早于发现日期。"]
    assert not Problem.objects.exists()


def test_a_bad_photo_when_raising_leaves_no_problem_behind(inspector, school_a):
    with pytest.raises(ValidationError):
        make_problem(inspector, school_a, photos=[jpeg(), fake_jpeg("坏.jpg")])
    assert not Problem.objects.exists() and not ProblemEvent.objects.exists() and not ProblemPhoto.objects.exists()


def test_bureau_raises_a_problem_directly_for_a_unit(client_for, inspector, school_b):
    response = client_for(inspector).post(reverse("ledgers:problem_create"),
                                          {"unit": school_b.pk, "description": "门口宣传栏破损",
                                           "deadline": timezone.localdate().isoformat()})
    problem = Problem.objects.get()
    assert response.status_code == 302 and problem.unit == school_b and problem.check_record is None
    assert problem.kind_label == "直接交办"


def test_raising_for_a_unit_that_does_not_exist_is_refused(client_for, inspector, year):
    html = client_for(inspector).post(reverse("ledgers:problem_create"),
                                      {"unit": 424242, "description": "x", "deadline": "2026-03-03"}).content.decode()
    assert "所选单位不存在或已停用，请重新选择。" in html
    assert not Problem.objects.exists()


def test_liaison_cannot_raise_problems(client_for, liaison, school_a, year):
    assert client_for(liaison).get(reverse("ledgers:problem_create")).status_code == 403
    with pytest.raises(PermissionDenied):
        make_problem(liaison, school_a)
