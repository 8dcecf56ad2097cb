"""问卷调查: the third 测评 method. A bureau keeps a bank of 应知应会 questions (the city's shared with
every district, as its indicators are), runs rounds (问卷) for its units, and people answer on their
phones through each unit's own link, without an account.

- `Question`: one question of the bank — single or multiple choice, true/false, fill-in (keywords,
  any order) or a 5-point 满意度 item — tagged with its audiences and, optionally, an indicator.
- `Survey`: a round: the questions per audience, a period, a pass mark (正确率 at which a respondent
  counts as 知晓), a minimum sample and a quota per unit.
- `SurveyUnit`: one unit in a round, with the random token of its public link (`/s/<token>/`).
- `SurveyResponse` / `SurveyAnswer`: one respondent's answers, graded when they are stored. Nothing
  about the person is kept but who they said they are (学生/教师/家长/市民) and, for a student, the
  grade if given; no name, phone, address or device.
- `SurveyThrottle`: answers per client address and minute (a keyed hash, never the address),
  for the rate limit; rows older than a day are deleted by the daily upkeep.

The figures (知晓率, 正确率, 满意度, 样本不足) are ledgers.survey_rules; writes are
ledgers.services.surveys.
"""
import datetime
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .core import Bureau, BureauOwned, CampaignYear, SharedDownQuerySet, Unit, UnitOwnedQuerySet
from .indicators import Indicator


class Audience(models.TextChoices):
    STUDENT = "student", _("学生")
    TEACHER = "teacher", _("教师")
    PARENT = "parent", _("家长")
    CITIZEN = "citizen", _("市民")


AUDIENCES = [a.value for a in Audience]


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "truefalse", _("判断题")
    FILL = "fill", _("填空题")
    RATING = "rating", _("满意度")


GRADED_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE, QuestionKind.FILL)
TRUE, FALSE = "对", "错"
# 5-point scale, best first (as the form lists it).
RATINGS = [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不太满意"), (1, "不满意")]
# A student's grade (optional): 1–6 小学, 7–9 初中, 10–12 高中.
GRADES = [(1, "一年级"), (2, "二年级"), (3, "三年级"), (4, "四年级"), (5, "五年级"), (6, "六年级"),
          (7, "七年级（初一）"), (8, "八年级（初二）"), (9, "九年级（初三）"),
          (10, "高一"), (11, "高二"), (12, "高三")]
LETTERS = "ABCDEFGH"


def all_audiences():
    return list(AUDIENCES)


class QuestionQuerySet(SharedDownQuerySet):
    """The bank a bureau works with: the city's questions and the bureau's own (as indicators)."""

    def actable_by(self, user):
        """Only the bureau that wrote a question edits it."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(bureau_id=user.bureau_id) if user.bureau_id else self.none()

    def active(self):
        return self.filter(is_active=True)


class Question(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="questions",
                               help_text=_("市教育局的题目各区县共用；区县可增加本区县的题目"))
    kind = models.CharField(_("题型"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    text = models.CharField(_("题目"), max_length=300)
    options = models.JSONField(_("选项"), default=list, blank=True, help_text=_("单选题、多选题的选项，依次为 A、B、C…"))
    answer = models.CharField(
        _("答案"), max_length=300, blank=True,
        help_text=_("单选填字母（B），多选填全部字母（ACD），判断填“对”或“错”；填空填要点，用顿号分隔，顺序不限，"
                    "同一要点的几种说法用“/”分隔（如 校园环境/优美环境）；满意度题不填"))
    explanation = models.TextField(_("解析"), blank=True, help_text=_("提交后向答题人显示，讲清正确答案"))
    audiences = models.JSONField(_("适用对象"), default=all_audiences)
    indicator = models.ForeignKey(Indicator, verbose_name=_("测评指标"), on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="questions")
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = QuestionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("应知应会题目")
        verbose_name_plural = _("应知应会题库")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.text[:40]

    @property
    def is_graded(self):
        return self.kind in GRADED_KINDS

    @property
    def audiences_text(self):
        labels = dict(Audience.choices)
        return "、".join(str(labels[a]) for a in AUDIENCES if a in (self.audiences or []))

    def choices(self):
        """[(value, label)] a respondent picks from (choice, true/false and rating questions)."""
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            return [(LETTERS[i], f"{LETTERS[i]}. {text}") for i, text in enumerate(self.options or [])]
        if self.kind == QuestionKind.TRUE_FALSE:
            return [(TRUE, "正确"), (FALSE, "错误")]
        if self.kind == QuestionKind.RATING:
            return [(str(value), label) for value, label in RATINGS]
        return []

    def answer_text(self):
        """The right answer as a respondent reads it after submitting."""
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            labels = dict(self.choices())
            return "；".join(labels.get(letter, letter) for letter in self.answer)
        if self.kind == QuestionKind.TRUE_FALSE:
            return "正确" if self.answer == TRUE else "错误"
        return self.answer


class SurveyQuerySet(UnitOwnedQuerySet):
    # A bureau's roles see its rounds (the city's: every round); a liaison the rounds of their unit.
    unit_lookup = "survey_units__unit"
    bureau_lookup = "bureau"

    def visible_to(self, user):
        qs = super().visible_to(user)
        return qs.distinct() if getattr(user, "is_liaison", False) else qs

    def for_year(self, year):
        return self.filter(year=year)


class Survey(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="surveys")
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("问卷名称"), max_length=100, help_text=_("如 2026年秋季文明校园创建知晓率调查"))
    intro = models.TextField(_("答题说明"), blank=True, help_text=_("显示在答题页顶部"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    closed_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)
    audiences = models.JSONField(_("调查对象"), default=all_audiences)
    pass_mark = models.DecimalField(_("知晓标准（正确率 %）"), max_digits=4, decimal_places=1, default=80,
                                    help_text=_("答题正确率达到此值的答卷计为“知晓”"))
    min_sample = models.PositiveIntegerField(_("最少样本（份/单位）"), default=20,
                                             help_text=_("单位答卷少于此数时显示“样本不足”，不计入考核"))
    quota = models.PositiveIntegerField(_("答卷上限（份/单位）"), default=1500,
                                        help_text=_("每个单位最多收取的答卷数，按学校规模设置"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SurveyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("问卷调查")
        verbose_name_plural = _("问卷调查")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="survey_ends_after_start"),
            models.CheckConstraint(condition=models.Q(pass_mark__gt=0) & models.Q(pass_mark__lte=100),
                                   name="survey_pass_mark_0_100"),
            models.CheckConstraint(condition=models.Q(quota__gte=1), name="survey_quota_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ledgers:survey_detail", args=[self.pk])

    @property
    def closes_at(self):
        """The first moment answers are refused: the end of the last day, or an early close."""
        end = timezone.make_aware(datetime.datetime.combine(self.ends_on + datetime.timedelta(days=1), datetime.time.min))
        return min(end, self.closed_at) if self.closed_at else end

    @property
    def opens_at(self):
        return timezone.make_aware(datetime.datetime.combine(self.starts_on, datetime.time.min))

    def state(self, now=None):
        now = now or timezone.now()
        if now < self.opens_at:
            return "未开始"
        return "进行中" if now < self.closes_at else "已结束"

    def is_open(self, now=None):
        return self.state(now) == "进行中"

    @property
    def audiences_text(self):
        labels = dict(Audience.choices)
        return "、".join(str(labels[a]) for a in AUDIENCES if a in (self.audiences or []))


class SurveyQuestion(models.Model):
    """A question of a round for one audience, in the order the respondent sees it."""
    survey = models.ForeignKey(Survey, verbose_name=_("问卷调查"), on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, verbose_name=_("题目"), on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(_("调查对象"), max_length=20, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(_("题号"), default=0)

    class Meta:
        verbose_name = _("问卷题目")
        verbose_name_plural = _("问卷题目")
        ordering = ["survey", "audience", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "question", "audience"],
                                               name="one_question_per_survey_audience")]


def new_token():
    return secrets.token_urlsafe(9)  # 12 characters, 72 random bits


class SurveyUnitQuerySet(UnitOwnedQuerySet):
    pass


class SurveyUnit(models.Model):
    """A unit in a round, with its own public link."""
    survey = models.ForeignKey(Survey, verbose_name=_("问卷调查"), on_delete=models.CASCADE, related_name="survey_units")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="survey_units")
    token = models.CharField(_("链接码"), max_length=16, unique=True, default=new_token, editable=False)

    objects = SurveyUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("参加单位")
        verbose_name_plural = _("参加单位")
        ordering = ["unit__sort_order", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["survey", "unit"], name="one_link_per_survey_unit")]

    def __str__(self):
        return f"{self.survey} · {self.unit}"

    @property
    def path(self):
        return reverse("answer:start", args=[self.token])

    @property
    def link(self):
        """The address printed on the poster (settings.SITE_URL: what people open)."""
        return settings.SITE_URL + self.path


class SurveyResponseQuerySet(UnitOwnedQuerySet):
    def submitted_before(self, moment):
        return self if moment is None else self.filter(submitted_at__lt=moment)


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("问卷调查"), on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="survey_responses")
    audience = models.CharField(_("答题人"), max_length=20, choices=Audience.choices)
    grade = models.PositiveSmallIntegerField(_("年级"), choices=GRADES, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    graded = models.PositiveSmallIntegerField(_("计分题数"), default=0)
    correct = models.PositiveSmallIntegerField(_("答对题数"), default=0)
    passed = models.BooleanField(_("知晓"), default=False, help_text=_("正确率达到问卷的知晓标准"))

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["survey", "unit", "submitted_at"], name="survey_response_unit_time")]
        constraints = [models.CheckConstraint(condition=models.Q(correct__lte=models.F("graded")),
                                              name="response_correct_within_graded")]

    def __str__(self):
        return f"{self.unit} {self.get_audience_display()} {self.correct}/{self.graded}"


class SurveyAnswerQuerySet(UnitOwnedQuerySet):
    unit_lookup = "response__unit"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, verbose_name=_("答卷"), on_delete=models.CASCADE,
                                 related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("题目"), on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(_("所答"), max_length=300, blank=True)
    correct = models.BooleanField(_("答对"), null=True, help_text=_("满意度题不计对错"))
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True)

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("答题")
        verbose_name_plural = _("答题")
        ordering = ["response", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(rating__isnull=True)
                                              | (models.Q(rating__gte=1) & models.Q(rating__lte=5)),
                                              name="answer_rating_1_5")]

    def display(self):
        """What was answered, as the respondent chose it ("B. 文明", "正确", "满意", the text typed)."""
        if self.rating is not None:
            return dict(RATINGS).get(self.rating, str(self.rating))
        labels = dict(self.question.choices())
        if self.question.kind == QuestionKind.MULTIPLE:
            return "；".join(labels.get(letter, letter) for letter in self.value)
        return labels.get(self.value, self.value)


class SurveyThrottle(models.Model):
    """Answers accepted from one client address (a keyed hash of it) in one minute."""
    key = models.CharField(_("地址摘要"), max_length=40)
    window_start = models.BigIntegerField(_("时段"), help_text=_("时段起点（Unix 秒）"))
    hits = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("答题频率计数")
        verbose_name_plural = _("答题频率计数")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="one_throttle_row_per_window")]
        indexes = [models.Index(fields=["window_start"], name="survey_throttle_window")]
