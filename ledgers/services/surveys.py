"""Writes of 问卷调查: the question bank, rounds, and the public answers.

Keyword-only functions, each in one transaction. The bank and the rounds are the bureau admin's
(`MoveRefused` for anyone else; each bureau edits only its own questions and rounds, the city's
questions are read-only to a district); bad input raises `ValidationError` with a Chinese message
and saves nothing.

`response_submit` stores one public answer. It takes the unit's link row for update, so that the
quota and the per-unit rate are counted exactly however many app processes answer at once (on
SQLite the write transaction is the lock), and counts the client address's answers of the minute
in `SurveyThrottle` with one upsert in the same transaction: a refused answer stores nothing and
counts nothing.
"""
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .. import survey_rules
from ..access import can_edit
from ..models import (
    Audience, Question, QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse,
    SurveyThrottle, SurveyUnit,
)
from ..models.surveys import LETTERS, TRUE, FALSE
from .tasks import MoveRefused

ADDRESS_WINDOW = 60  # seconds: SURVEY_LIMIT_PER_ADDRESS counts answers per address and minute
UNIT_WINDOW = 60  # seconds: SURVEY_LIMIT_PER_UNIT counts answers per unit and minute (sliding)


# --- the bank ------------------------------------------------------------------------------------

def may_manage(user):
    return user.is_authenticated and user.is_bureau_admin and can_edit(user)


def _require_admin(user, bureau):
    if not may_manage(user) or (not user.is_superuser and bureau.pk != user.owning_bureau().pk):
        raise MoveRefused("只有本局文明办可以修改本局的题库和问卷。")


def clean_question(question):
    """The checks a question must pass whatever made it (form, import): options and answer agree
    with the kind. Normalises the answer ("a c" -> "AC", "√" -> "对")."""
    kind, options = question.kind, [str(o).strip() for o in (question.options or []) if str(o).strip()]
    question.text = (question.text or "").strip()
    question.answer = (question.answer or "").strip()
    if not question.text:
        raise ValidationError("请填写题目。")
    if not question.audiences or any(a not in Audience.values for a in question.audiences):
        raise ValidationError("请至少选择一类适用对象（学生、教师、家长、市民）。")
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if not 2 <= len(options) <= len(LETTERS):
            raise ValidationError(f"选择题须有 2 至 {len(LETTERS)} 个选项。")
        given = survey_rules.letters(question.answer)
        valid = LETTERS[:len(options)]
        if not given or any(ch not in valid for ch in given):
            raise ValidationError(f"答案须为选项字母（{valid[0]}—{valid[-1]}），如 B 或 ACD。")
        if kind == QuestionKind.SINGLE and len(given) != 1:
            raise ValidationError("单选题只能有一个答案。")
        question.answer = given
    elif kind == QuestionKind.TRUE_FALSE:
        words = {"对": TRUE, "正确": TRUE, "是": TRUE, "√": TRUE, "✓": TRUE, "t": TRUE, "true": TRUE,
                 "错": FALSE, "错误": FALSE, "否": FALSE, "×": FALSE, "✗": FALSE, "f": FALSE, "false": FALSE}
        answer = words.get(question.answer.lower())
        if answer is None:
            raise ValidationError("判断题的答案须为“对”或“错”。")
        question.answer, options = answer, []
    elif kind == QuestionKind.FILL:
        if not survey_rules.key_points(question.answer):
            raise ValidationError("填空题须填写答案要点（用顿号分隔，顺序不限）。")
        options = []
    elif kind == QuestionKind.RATING:
        question.answer, options = "", []
    else:
        raise ValidationError("请从列表中选择题型。")
    question.options = options


GRADING_FIELDS = ("kind", "options", "answer")


def question_save(*, question, user):
    """Create or change a question of the user's own bureau. Once people have answered it, its kind,
    options and answer stay (results already graded would no longer agree): make a new question."""
    bureau = question.bureau if question.bureau_id else user.owning_bureau()
    _require_admin(user, bureau)
    question.bureau = bureau
    clean_question(question)
    if question.indicator_id and question.indicator.bureau_id not in (bureau.pk, bureau.parent_id):
        raise ValidationError("所选测评指标不属于本局的测评体系。")
    with transaction.atomic():
        if question.pk:
            before = Question.objects.select_for_update().get(pk=question.pk)
            changed = [f for f in GRADING_FIELDS if getattr(before, f) != getattr(question, f)]
            if changed and SurveyAnswer.objects.filter(question=question).exists():
                raise ValidationError("这道题已有人作答，不能再改题型、选项或答案；如需修改，请停用此题并新建一题。")
        question.full_clean()
        question.save()
    return question


# --- rounds ----------------------------------------------------------------------------------------

def survey_save(*, survey, user, units, questions):
    """Create or change a round: its fields, units and questions ({audience: [Question, …]} in order).
    Each unit gets its own link (kept when the round is saved again). Once answers came in, units that
    answered cannot be taken out and the questions stay as they are."""
    bureau = survey.bureau if survey.bureau_id else user.owning_bureau()
    _require_admin(user, bureau)
    survey.bureau = bureau
    survey.created_by_id = survey.created_by_id or user.pk
    units = list(dict.fromkeys(units))
    if not units:
        raise ValidationError("请至少选择一个参加单位。")
    foreign = [u.name for u in units if u.bureau_id != bureau.pk or not user.may_act_on_unit(u)]
    if foreign:
        raise ValidationError(f"不能选择其他教育局的单位：{'、'.join(foreign[:5])}。")
    audiences = [a for a in Audience.values if questions.get(a)]
    if not audiences:
        raise ValidationError("请至少为一类调查对象选择题目。")
    bank = set(Question.objects.for_bureau(bureau).values_list("pk", flat=True))
    for audience in audiences:
        if any(q.pk not in bank for q in questions[audience]):
            raise ValidationError("只能选择本局题库（含市教育局题库）中的题目。")
    survey.audiences = audiences
    if survey.min_sample > survey.quota:
        raise ValidationError("最少样本不能大于答卷上限。")
    with transaction.atomic():
        answered = set()
        if survey.pk:
            Survey.objects.select_for_update().get(pk=survey.pk)
            answered = set(SurveyResponse.objects.filter(survey=survey).values_list("unit_id", flat=True).distinct())
        survey.full_clean()
        survey.save()
        keep = {u.pk for u in units}
        dropped = [su.unit.name for su in SurveyUnit.objects.filter(survey=survey).exclude(unit__in=keep)
                   .select_related("unit") if su.unit_id in answered]
        if dropped:
            raise ValidationError(f"{'、'.join(dropped[:5])}已有答卷，不能移出本次问卷。")
        SurveyUnit.objects.filter(survey=survey).exclude(unit__in=keep).delete()
        have = set(SurveyUnit.objects.filter(survey=survey).values_list("unit_id", flat=True))
        SurveyUnit.objects.bulk_create(SurveyUnit(survey=survey, unit=u) for u in units if u.pk not in have)
        wanted = [(a, q.pk) for a in audiences for q in questions[a]]
        current = list(SurveyQuestion.objects.filter(survey=survey).order_by("audience", "order", "pk")
                       .values_list("audience", "question_id"))
        if answered and sorted(current) != sorted(wanted):
            raise ValidationError("已有答卷，题目不能再修改。")
        if not answered:
            SurveyQuestion.objects.filter(survey=survey).delete()
            SurveyQuestion.objects.bulk_create(
                SurveyQuestion(survey=survey, question_id=pk, audience=a, order=n)
                for a in audiences for n, pk in enumerate((q.pk for q in questions[a]), start=1))
    return survey


def survey_close(*, survey, user):
    """End a round now: answers are refused from this moment."""
    _require_admin(user, survey.bureau)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if not survey.is_open():
            raise MoveRefused("问卷不在进行中，无需结束。")
        survey.closed_at = timezone.now()
        survey.save(update_fields=["closed_at", "updated_at"])
    return survey


# --- public answers --------------------------------------------------------------------------------

class AnswerRefused(Exception):
    """An answer that is not stored; `kind` names the page the respondent sees."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind, self.message = kind, message


def address_key(address):
    """A keyed hash of the client's address: the throttle counts without keeping the address."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"survey:{address}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def _count_address(key, now_seconds):
    """This minute's answers from the address, this one included (one upsert, both databases)."""
    window = int(now_seconds) // ADDRESS_WINDOW * ADDRESS_WINDOW
    table, key_column = SurveyThrottle._meta.db_table, connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, window_start, hits) VALUES (%s, %s, 1)"
            f" ON CONFLICT ({key_column}, window_start) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
            [key, window])
        return cursor.fetchone()[0]


def clock():
    """Now (tests hold it still so that a minute's window does not turn over mid-test)."""
    return timezone.now()


@dataclass
class Submitted:
    response: SurveyResponse
    graded: list  # [(SurveyQuestion's Question, survey_rules.Graded)] in the questionnaire's order


def round_questions(survey, audience):
    """The questions `audience` answers in the round, in the order the respondent sees them."""
    return [i.question for i in SurveyQuestion.objects.filter(survey=survey, audience=audience)
            .select_related("question").order_by("order", "pk")]


def response_submit(*, link, audience, grade, answers, address, questions=None, now=None):
    """Store one respondent's answers to `link`'s round (answers: {question id: value}, every
    question of the audience answered, checked by the form; `questions`: round_questions() if the
    caller has them already). Raises AnswerRefused ("closed", "quota", "busy") and stores nothing then."""
    now = now or clock()
    survey = link.survey
    items = round_questions(survey, audience) if questions is None else questions
    if not items or any(q.pk not in answers for q in items):
        raise ValidationError("请回答全部题目。")
    graded = [(q, survey_rules.grade(q.kind, q.answer, answers[q.pk])) for q in items]
    scored = [g for q, g in graded if g.correct is not None]
    correct = sum(g.correct for g in scored)
    with transaction.atomic():
        # The link row is the lock: answers to one unit are counted one after another.
        link = SurveyUnit.objects.select_for_update(of=("self",)).select_related("survey").get(pk=link.pk)
        survey = link.survey
        if not survey.is_open(now):
            raise AnswerRefused("closed", "本次问卷已结束，答卷未提交。" if now >= survey.opens_at else "本次问卷尚未开始。")
        counted = SurveyResponse.objects.filter(survey=survey, unit_id=link.unit_id).aggregate(
            total=Count("pk"), recent=Count("pk", filter=Q(submitted_at__gt=now - timezone.timedelta(seconds=UNIT_WINDOW))))
        if counted["total"] >= survey.quota:
            raise AnswerRefused("quota", "本单位本次问卷的答卷已收满，感谢您的参与。")
        if counted["recent"] >= settings.SURVEY_LIMIT_PER_UNIT:
            raise AnswerRefused("busy", "本单位此刻提交的人很多，请一分钟后再提交（您填写的答案仍在本页）。")
        if _count_address(address_key(address), now.timestamp()) > settings.SURVEY_LIMIT_PER_ADDRESS:
            raise AnswerRefused("busy", "您所在网络提交过于频繁，请一分钟后再提交（您填写的答案仍在本页）。")
        response = SurveyResponse.objects.create(
            survey=survey, unit_id=link.unit_id, audience=audience, grade=grade, submitted_at=now,
            graded=len(scored), correct=correct,
            passed=survey_rules.is_passed(correct, len(scored), survey.pass_mark))
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, question=q, value=g.value[:300], correct=g.correct, rating=g.rating)
            for q, g in graded)
    return Submitted(response, graded)


def prune_throttle(*, now=None):
    """Delete the throttle's counts older than a day (the daily upkeep): nothing about an address is
    kept longer."""
    cutoff = int((now or timezone.now()).timestamp()) - 86400
    deleted, _ = SurveyThrottle.objects.filter(window_start__lt=cutoff).delete()
    return deleted
