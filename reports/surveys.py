"""问卷调查's documents: the QR poster of a unit's link (A4 PDF, one page per unit) and the Excel of a
round's responses (one row per response, nothing about the person), plus the figures the month
summary prints. Every figure is ledgers.survey_rules.
"""
from django.utils import timezone

from ledgers.models import Audience, SurveyAnswer, SurveyQuestion, SurveyResponse
from ledgers.models.surveys import GRADES
from ledgers.qr import qr_svg

from .excel import Column, Workbook
from .pdf import render_pdf


def poster_pdf(survey, links):
    """One A4 page per unit: its name, the round, the QR code of its link, the link and how to answer."""
    pages = [{"link": link, "qr": qr_svg(link.link)} for link in links]
    return render_pdf("reports/pdf/survey_poster.html", {
        "survey": survey, "pages": pages, "bureau": survey.bureau, "today": timezone.localdate()})


def poster_name(survey, links):
    unit = f"{links[0].unit.name}-" if len(links) == 1 else ""
    return f"{unit}{survey.title}-二维码海报.pdf"


def _questions(survey):
    """The round's questions, each once, in the order the audiences meet them."""
    seen, result = set(), []
    for item in SurveyQuestion.objects.filter(survey=survey).select_related("question").order_by(
            "audience", "order", "pk"):
        if item.question_id not in seen:
            seen.add(item.question_id)
            result.append(item.question)
    return result


def _cell(answer):
    value, correct, rating = answer
    if rating is not None:
        return rating
    return f"{'✓' if correct else '✗'} {value}"


def response_rows(survey, unit=None):
    """One row per response (in unit order): unit, audience, grade, time, correct / graded, 正确率, 知晓,
    then one cell per question (blank where the audience was not asked it)."""
    questions = _questions(survey)
    column = {q.pk: n for n, q in enumerate(questions)}
    audiences, grades = dict(Audience.choices), dict(GRADES)
    responses = SurveyResponse.objects.filter(survey=survey)
    answers = SurveyAnswer.objects.filter(response__survey=survey)
    if unit is not None:
        responses, answers = responses.filter(unit=unit), answers.filter(response__unit=unit)
    order = ("unit__sort_order", "unit__name", "pk")
    responses = responses.order_by(*order).values_list(
        "pk", "unit__name", "audience", "grade", "submitted_at", "correct", "graded", "passed").iterator(2000)
    answers = answers.order_by(*(f"response__{o}" for o in order), "pk").values_list(
        "response_id", "question_id", "value", "correct", "rating").iterator(2000)
    pending = next(answers, None)
    for number, (pk, unit_name, audience, grade, at, correct, graded, passed) in enumerate(responses, start=1):
        cells = [None] * len(questions)
        while pending is not None and pending[0] == pk:
            if pending[1] in column:
                cells[column[pending[1]]] = _cell(pending[2:])
            pending = next(answers, None)
        yield [number, unit_name, str(audiences[audience]), grades.get(grade, ""), timezone.localtime(at),
               correct if graded else None, graded or None, correct / graded if graded else None,
               ("是" if passed else "否") if graded else "", *cells]


def responses_workbook(survey, unit=None):
    questions = _questions(survey)
    columns = [Column("序号", 6), Column("单位", 24), Column("答题人", 7), Column("年级", 10),
               Column("提交时间", 16, "yyyy-mm-dd hh:mm"), Column("答对", 6), Column("计分题数", 9),
               Column("正确率", 8, "0.0%"), Column("知晓", 6)]
    columns += [Column(f"第{n}题 {q.text[:24]}", 22, wrap=True) for n, q in enumerate(questions, start=1)]
    book = Workbook()
    scope = f"（{unit.name}）" if unit is not None else ""
    book.add_table_sheet("答卷明细", columns, response_rows(survey, unit),
                         heading=f"{survey.title}{scope} 答卷明细（每行一份答卷；✓ 答对，✗ 答错；满意度 5=非常满意 … 1=不满意；"
                                 f"不含任何个人信息）")
    return book.close()

