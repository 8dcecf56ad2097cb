"""The public answer pages of 问卷调查 (`/s/<token>/`): no account, any phone, scripts optional.

1. `/s/<token>/` — the unit's round: who are you (学生/教师/家长/市民); `?who=student` gives the
   questions of that audience (a student may give the grade);
2. POST there — graded and stored (ledgers.services.surveys.response_submit), a signed cookie
   remembers the response on this phone for this round, then 303 to
3. `/s/<token>/result/` — which answers were right, with the right answer and its explanation.

What the respondent sees when nothing is stored: the round has ended or not begun, the unit's quota
is full, this phone has already answered (the signed cookie), too many answers at once (429, the
answers kept on the page), a missing or invalid answer (400, the answers kept). Nothing here shows
any unit's results: only the respondent's own answers, found through their own signed cookie.
"""
import datetime
import json

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from wenming.client_ip import client_ip

from ..forms.surveys import AnswerForm
from ..models import Audience, SurveyAnswer, SurveyResponse, SurveyUnit
from ..models.surveys import GRADES
from ..params import to_int
from ..services import surveys as service
from ..versions import LRU

COOKIE_SALT = "wenming.survey.response"
KEEP_AFTER_CLOSE = datetime.timedelta(days=60)


def _link(token, *related):
    return get_object_or_404(SurveyUnit.objects.select_related("survey", *related), token=token)


def cookie_name(survey):
    return f"wm_s{survey.pk}"


def _previous(request, survey):
    """The response this phone gave to the round (its signed cookie), or None."""
    pk = request.get_signed_cookie(cookie_name(survey), default=None, salt=COOKIE_SALT)
    if not pk or not str(pk).isdigit():
        return None
    return SurveyResponse.objects.filter(pk=int(pk), survey=survey).first()


def _remember(response, link, answered):
    survey = link.survey
    keep = max(survey.closes_at - timezone.now(), datetime.timedelta(0)) + KEEP_AFTER_CLOSE
    response.set_signed_cookie(cookie_name(survey), str(answered.pk), salt=COOKIE_SALT,
                               max_age=int(keep.total_seconds()), path=link.path, httponly=True, samesite="Lax",
                               secure=settings.SESSION_COOKIE_SECURE)


def _page(request, link, template, status=200, **context):
    return render(request, f"survey/{template}.html", {"link": link, "survey": link.survey, "unit": link.unit,
                                                        **context}, status=status)


def _message(request, link, title, text, status=200, previous=None):
    return _page(request, link, "message", status, title=title, text=text, previous=previous)


# A blank answer sheet is the same for everybody who scans the unit's code (a school assembly: a thousand
# phones in a minute), so it is rendered once per process and kept under the very things it is made of:
# the round's title, the unit's name, the audience, the grade and every question's text, kind and options.
# A change to any of them is another key, so a kept sheet is never out of date; only the CSRF token,
# each phone's own, is put in afterwards. Kept in the page cache's LRU, within 6 MB: about 500 sheets of
# six questions (12 KB each as Python holds them).
_SHEETS = LRU(budget=6 << 20)
_TOKEN_SLOT = "csrf-token-of-this-phone"


def _sheet_key(link, audience, grade, questions):
    return (link.path, link.survey.title, link.unit.name, audience, grade,
            tuple((q.pk, q.kind, q.text, json.dumps(q.options, ensure_ascii=False)) for q in questions))


def _blank_sheet(request, link, audience, grade, questions):
    key = _sheet_key(link, audience, grade, questions)
    found, html = _SHEETS.get(key)
    if not found:
        form = AnswerForm(initial={"grade": grade}, questions=questions, audience=audience)
        html = render_to_string("survey/questions.html", {
            "link": link, "survey": link.survey, "unit": link.unit, "form": form, "audience": Audience(audience),
            "csrf_token": _TOKEN_SLOT})
        _SHEETS.put(key, html)
    return HttpResponse(html.replace(_TOKEN_SLOT, get_token(request), 1))


def _closed(request, link):
    survey = link.survey
    state = survey.state()
    if state == "未开始":
        return _message(request, link, "问卷尚未开始", f"本次问卷将于 {survey.starts_on.year}年{survey.starts_on.month}月{survey.starts_on.day}日 开始，届时请再扫码作答。")
    return _message(request, link, "问卷已结束", "本次问卷已结束，不再收取答卷。感谢您的关注！", status=410)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request, token):
    # An answer needs no unit's name unless it is refused (then read with the page).
    link = _link(token) if request.method == "POST" else _link(token, "unit")
    survey = link.survey
    previous = _previous(request, survey)
    if previous is not None:
        # Its result page is at the link of the unit it answered (one answer per phone and round).
        answered_at = link if previous.unit_id == link.unit_id else \
            SurveyUnit.objects.filter(survey=survey, unit=previous.unit_id).first()
        return _message(request, link, "您已参加过本次问卷", "每部手机只能提交一次答卷。",
                        status=409 if request.method == "POST" else 200, previous=answered_at)
    if not survey.is_open():
        return _closed(request, link)
    audience = request.POST.get("who") if request.method == "POST" else request.GET.get("who")
    if audience not in survey.audiences:
        if request.method == "POST":
            return _message(request, link, "请先选择答题身份", "答卷缺少答题身份，未提交。请重新扫码作答。", status=400)
        return _page(request, link, "start", audiences=[(a, Audience(a).label) for a in survey.audiences],
                     grades=GRADES)
    questions = service.round_questions(survey, audience)
    if request.method != "POST":
        grade = to_int(request.GET.get("grade"))
        return _blank_sheet(request, link, audience, grade if grade in dict(GRADES) else None, questions)
    form = AnswerForm(request.POST, questions=questions, audience=audience)
    if not form.is_valid():
        return _page(request, link, "questions", 400, form=form, audience=Audience(audience))
    try:
        submitted = service.response_submit(link=link, audience=audience, grade=form.cleaned_data.get("grade"),
                                            answers=form.answers(), address=client_ip(request),
                                            questions=questions)
    except service.AnswerRefused as refused:
        if refused.kind == "busy":
            return _page(request, link, "questions", 429, form=form, audience=Audience(audience),
                         refusal=refused.message)
        title = "答卷已收满" if refused.kind == "quota" else "问卷已结束"
        return _message(request, link, title, refused.message, status=409 if refused.kind == "quota" else 410)
    response = redirect("answer:result", token=token)
    response.status_code = 303
    _remember(response, link, submitted.response)
    return response


@never_cache
@require_safe
def result(request, token):
    """The respondent's own answers, right and wrong, with the right answers: a quiz that teaches."""
    link = _link(token, "unit")
    answered = _previous(request, link.survey)
    if answered is None or answered.unit_id != link.unit_id:
        return redirect("answer:start", token=token)
    answers = list(SurveyAnswer.objects.filter(response=answered).select_related("question").order_by("pk"))
    return _page(request, link, "result", response=answered, answers=answers,
                 share=round(answered.correct * 100 / answered.graded) if answered.graded else None)
