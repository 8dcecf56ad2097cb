"""问卷调查 for the signed-in: the 应知应会 bank, the rounds and their results, and the home panels.

- 应知应会题库 (`/questions/`, everyone reads; the bureau admin writes its own bureau's questions);
- 问卷调查 (`/surveys/`): a bureau's rounds with each one's 知晓率, a liaison's rounds with their
  unit's; a round's page (`/surveys/<pk>/`) shows the units (知晓率, 平均正确率, 样本 and 样本不足,
  满意度), the questions least known first, the audiences, and for one unit (`?unit=`, a liaison's
  own) its link, QR code and poster;
- the bureau admin makes, edits and ends rounds.
The public answer pages are ledgers/views/survey_answer.py; the poster PDF and the Excel of the
responses are reports'. Every figure is ledgers.survey_rules.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import survey_rules
from ..access import get_visible_or_404, role_required, selected_bureau
from ..forms.surveys import QuestionForm, SurveyForm
from ..models import Audience, CampaignYear, Question, QuestionKind, Role, Survey, SurveyUnit
from ..params import int_param
from ..qr import qr_svg
from ..services import surveys as service
from ..services.tasks import MoveRefused
from .core import register_home_panel
from .imports import selected_year
from .tasks import editor_post


def _refusal(error):
    return error.message if isinstance(error, MoveRefused) else "；".join(error.messages)


# --- the bank ------------------------------------------------------------------------------------

@require_safe
@login_required
def question_list(request):
    bureau = selected_bureau(request)
    questions = (Question.objects.visible_to(request.user).for_bureau(bureau)
                 .select_related("indicator", "bureau").order_by("bureau__kind", "sort_order", "pk"))
    kind, audience = request.GET.get("kind", ""), request.GET.get("audience", "")
    if kind in QuestionKind.values:
        questions = questions.filter(kind=kind)
    questions = list(questions)
    if audience in Audience.values:
        questions = [q for q in questions if audience in (q.audiences or [])]
    return render(request, "ledgers/surveys/question_list.html", {
        "questions": questions, "bureau": bureau, "kinds": QuestionKind.choices, "audiences": Audience.choices,
        "kind": kind, "audience": audience,
        "may_manage": service.may_manage(request.user) and bureau.pk == request.user.owning_bureau().pk,
    })


def _question_page(request, question):
    bureau = question.bureau if question.bureau_id else request.user.owning_bureau()
    form = QuestionForm(request.POST or None, instance=question, year=CampaignYear.objects.current(), bureau=bureau)
    if request.method == "POST" and form.is_valid():
        try:
            service.question_save(question=form.save(commit=False), user=request.user)
        except (MoveRefused, ValidationError) as refused:
            form.add_error(None, _refusal(refused))
        else:
            messages.success(request, "题目已保存。")
            return redirect("ledgers:question_list")
    return render(request, "ledgers/surveys/question_form.html", {"form": form, "question": question})


@role_required(Role.ADMIN)
def question_create(request):
    return _question_page(request, Question(bureau=request.user.owning_bureau()))


@role_required(Role.ADMIN)
def question_edit(request, pk):
    # Only the bureau that wrote a question edits it (the city's are read-only to a district).
    return _question_page(request, get_visible_or_404(Question.objects.actable_by(request.user), request.user,
                                                      pk=pk))


# --- rounds --------------------------------------------------------------------------------------

@require_safe
@login_required
def survey_list(request):
    user = request.user
    year = selected_year(request)
    surveys = Survey.objects.visible_to(user).for_year(year).select_related("bureau")
    scope = user.unit if user.is_liaison else None
    if user.sees_all_units:
        scope = selected_bureau(request)
        surveys = surveys.filter(bureau=scope)  # the city's roles drill into a district with ?bureau=
    surveys = list(surveys)
    figures = survey_rules.unit_figures(surveys, unit=scope)
    rows = []
    for s in surveys:
        units = [f for (sid, _u), f in figures.items() if sid == s.pk]
        rows.append({"survey": s, "total": survey_rules.totals(units), "units": len(units),
                     "short": sum(not f.enough for f in units)})
    return render(request, "ledgers/surveys/survey_list.html", {
        "year": year, "rows": rows, "may_manage": service.may_manage(user), "now": timezone.now()})


def _survey_form_page(request, survey):
    bank = Question.objects.for_bureau(survey.bureau if survey.bureau_id else request.user.owning_bureau()) \
        .active().order_by("bureau__kind", "sort_order", "pk")
    form = SurveyForm(request.POST or None, instance=survey, user=request.user, bank=bank)
    if request.method == "POST" and form.is_valid():
        try:
            survey = form.save(commit=False)
            survey.year = survey.year if survey.year_id else selected_year(request)
            survey = service.survey_save(survey=survey, user=request.user, units=form.cleaned_data["units"],
                                         questions=form.chosen_questions())
        except (MoveRefused, ValidationError) as refused:
            form.add_error(None, _refusal(refused))
        else:
            messages.success(request, "问卷已保存。各单位的答题链接和二维码海报见问卷页面。")
            return redirect(survey)
    return render(request, "ledgers/surveys/survey_form.html", {"form": form, "survey": survey})


@role_required(Role.ADMIN)
def survey_create(request):
    return _survey_form_page(request, Survey())


@role_required(Role.ADMIN)
def survey_edit(request, pk):
    survey = get_visible_or_404(Survey.objects.actable_by(request.user).prefetch_related("items", "survey_units"),
                                request.user, pk=pk)
    if survey.bureau_id != request.user.owning_bureau().pk and not request.user.is_superuser:
        raise Http404("只能修改本局的问卷")
    return _survey_form_page(request, survey)


@editor_post
@role_required(Role.ADMIN)
def survey_close(request, pk):
    survey = get_visible_or_404(Survey, request.user, pk=pk)
    try:
        service.survey_close(survey=survey, user=request.user)
    except MoveRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "问卷已结束，不再收取答卷。")
    return redirect(survey)


def round_unit(request, survey):
    """The unit a round's page (or document) is about: a liaison's own, else ?unit= among the
    round's units the user may see (404 otherwise), else None (the whole round)."""
    user = request.user
    links = SurveyUnit.objects.visible_to(user).filter(survey=survey).select_related("unit")
    if not user.sees_all_units:
        link = links.filter(unit=user.unit_id).first()
        if link is None:
            raise Http404("本单位未参加这次问卷")
        return link
    pk = int_param(request, "unit")
    if pk is None:
        return None
    link = links.filter(unit=pk).first()
    if link is None:
        raise Http404("没有这个参加单位")
    return link


@require_safe
@login_required
def survey_detail(request, pk):
    survey = get_visible_or_404(Survey.objects.select_related("bureau", "year"), request.user, pk=pk)
    link = round_unit(request, survey)
    scope = link.unit if link else None
    results = survey_rules.round_results(survey, unit=scope)
    return render(request, "ledgers/surveys/survey_detail.html", {
        "survey": survey, "link": link, "results": results, "state": survey.state(),
        "qr": qr_svg(link.link) if link else None,
        "unit_figure": results.units[0] if link and results.units else None,
        "may_manage": service.may_manage(request.user) and survey.bureau_id == request.user.owning_bureau().pk,
        "unit_query": f"?unit={link.unit_id}" if link and request.user.sees_all_units else "",
    })


# --- home panels ----------------------------------------------------------------------------------

@register_home_panel(cached="units")
def liaison_survey_panel(request):
    """本校知晓率 and its weakest questions, of the round running now (else the last one)."""
    user = request.user
    if not user.is_liaison or not user.unit_id:
        return None
    year = CampaignYear.objects.current()
    today = timezone.localdate()
    survey = survey_rules.latest_round(Survey.objects.visible_to(user).filter(year=year), today) if year else None
    if survey is None:
        return None
    results = survey_rules.round_results(survey, unit=user.unit)
    if not results.units:
        return None
    return {"template": "ledgers/surveys/_home_liaison.html", "survey": survey, "figure": results.units[0],
            "weakest": survey_rules.weakest(results.questions), "state": survey.state()}


@register_home_panel(cached="units")
def bureau_survey_panel(request):
    """The bureau's round on its roles' home (the leader's one-screen overview included): its 知晓率,
    the units short of their sample and the lowest units."""
    user = request.user
    if user.is_liaison:
        return None
    year = CampaignYear.objects.current()
    bureau = user.owning_bureau()
    if year is None:
        return None
    survey = survey_rules.latest_round(Survey.objects.filter(year=year, bureau=bureau), timezone.localdate())
    if survey is None:
        return None
    results = survey_rules.round_results(survey, details=False)
    ranked = [u for u in results.units if u.rate is not None]
    return {"template": "ledgers/surveys/_home_bureau.html", "survey": survey, "results": results,
            "lowest": ranked[::-1][:3], "state": survey.state()}
