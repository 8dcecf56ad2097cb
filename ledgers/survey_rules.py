"""The rules of 问卷调查 (issue 32), each written once: how an answer is graded, and every figure the
app publishes from the answers — on the liaison's home, the bureau's panels and dashboard, the round's
page, the month summary (PDF and Excel), the export of responses and the assessment.

**Grading** (when an answer is stored; `grade`):
- single choice and true/false: the letter (或 对/错) given is the answer;
- multiple choice: exactly the answer's letters, in any order;
- fill-in: every key point of the answer (separated by 、 ， ; or spaces) appears in what was typed,
  in any order; spaces, punctuation, full/half width and case are ignored; a key point may have
  several accepted wordings (``校园环境/优美环境``). "富强 民主，文明和谐…" and "友善诚信敬业爱国…" both
  have the 12 words;
- 满意度: not graded; the rating 1–5 (非常满意 = 5) is kept.

**Figures** (over the answers submitted before a moment, `until`; all of them by default):
- a response is 知晓 when its correct share of graded questions reaches the round's pass mark
  (correct / graded ≥ pass mark %, compared exactly, `is_passed`);
- 样本 (sample) of a unit: its responses with at least one graded question;
- 知晓率: 知晓 responses ÷ sample, in percent, one decimal (halves up, `ledgers.rules.round_rate`);
- 平均正确率: the mean over the sample of each response's correct share, in percent, one decimal;
- 样本不足: a sample below the round's minimum; the unit's 知晓率 is still shown, marked;
- a question's 正确率: its correct answers ÷ its answers; the least known first (ties: the order of
  the questionnaire);
- 满意度: the mean rating of a 满意度 question (1–5, one decimal), and its share of 满意 and 非常满意;
- the year's 知晓率 of a unit (for the assessment): pooled over the year's rounds that have begun,
  leaving out each round where the unit's sample is below the round's minimum (`year_figures`).
"""
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, Sum

from .rules import round_rate

# Kinds by value (the models import nothing from here; tests check them against QuestionKind).
SINGLE, MULTIPLE, TRUE_FALSE, FILL, RATING = "single", "multiple", "truefalse", "fill", "rating"
SATISFIED = 4  # 满意 and above
WEAKEST = 3  # questions shown as "weakest" on the home panels


def _model(name):
    return apps.get_model("ledgers", name)


# --- grading ---------------------------------------------------------------------------------------

def normalize(text):
    """Letters and digits only, full width folded to half width, case folded: "富强 、民主，Ａ" -> "富强民主a"."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


_POINT_SEPARATORS = re.compile(r"[、，,；;。\s]+")


def key_points(answer):
    """[(accepted wordings of point 1), …] of a fill-in answer ("富强、民主" -> [("富强",), ("民主",)])."""
    points = []
    for part in _POINT_SEPARATORS.split(str(answer or "")):
        wordings = tuple(w for w in (normalize(x) for x in part.split("/")) if w)
        if wordings:
            points.append(wordings)
    return points


def points_found(answer, value):
    """How many key points of `answer` appear in `value` (any order, spacing and punctuation ignored)."""
    typed = normalize(value)
    return sum(any(w in typed for w in wordings) for wordings in key_points(answer))


def letters(value):
    return "".join(sorted(set(ch for ch in str(value or "").upper() if ch.isalpha())))


@dataclass
class Graded:
    value: str  # what is stored (the letters, 对/错, the text typed, the rating)
    correct: bool | None  # None: not graded (满意度)
    rating: int | None = None
    found: int = 0  # fill-in: key points found
    points: int = 0  # fill-in: key points wanted


def grade(kind, answer, value):
    """Grade one answer `value` to a question of `kind` whose right answer is `answer`."""
    if kind == RATING:
        rating = int(value)
        return Graded(str(rating), None, rating)
    if kind == FILL:
        wanted = len(key_points(answer))
        found = points_found(answer, value)
        return Graded(str(value).strip(), bool(wanted) and found == wanted, found=found, points=wanted)
    if kind == MULTIPLE:
        given = letters(value)
        return Graded(given, given == letters(answer))
    return Graded(str(value), str(value) == str(answer))  # single choice (a letter), true/false (对/错)


def is_passed(correct, graded, pass_mark):
    """知晓: correct / graded ≥ pass_mark %, compared exactly (no rounding on the way)."""
    return graded > 0 and Decimal(correct) * 100 >= Decimal(pass_mark) * graded


def percent(part, whole):
    return None if not whole else round_rate(Decimal(part) * 100 / whole)


# --- figures -----------------------------------------------------------------------------------------

@dataclass
class UnitFigure:
    """One unit in one round."""
    unit_id: int
    unit: str = ""
    responses: int = 0  # every response (satisfaction-only ones too)
    sample: int = 0  # responses with graded questions: the base of 知晓率
    passed: int = 0
    share_sum: float = 0.0  # sum over the sample of correct / graded
    minimum: int = 0
    quota: int = 0

    @property
    def rate(self):
        """知晓率 (percent, one decimal), None without a sample."""
        return percent(self.passed, self.sample)

    @property
    def mean(self):
        """平均正确率 (percent, one decimal)."""
        return None if not self.sample else round_rate(Decimal(str(self.share_sum)) * 100 / self.sample)

    @property
    def enough(self):
        return self.sample >= self.minimum

    @property
    def short(self):
        """Responses still missing to reach the minimum sample."""
        return max(self.minimum - self.sample, 0)


def _of_units(qs, unit, lookup="unit"):
    """`qs` limited to one unit (a Unit or its id) or to a Bureau's units (None: every unit)."""
    if unit is None:
        return qs
    if isinstance(unit, int) or isinstance(unit, _model("Unit")):
        return qs.filter(**{lookup: unit})
    return qs.filter(**{f"{lookup}__bureau": unit})


def _responses(survey_ids, until=None, unit=None):
    return _of_units(_model("SurveyResponse").objects.filter(survey_id__in=survey_ids).submitted_before(until), unit)


_SHARE = ExpressionWrapper(F("correct") * 1.0 / F("graded"), output_field=FloatField())


def unit_figures(surveys, until=None, unit=None):
    """{(survey id, unit id): UnitFigure} for every unit of every round in `surveys` (units with no
    answer included), from two grouped queries. `unit`: one Unit (or its id), or a Bureau's units."""
    surveys = list(surveys)
    ids = [s.pk for s in surveys]
    links = _of_units(_model("SurveyUnit").objects.filter(survey_id__in=ids), unit)
    by_id = {s.pk: s for s in surveys}
    result = {}
    for survey_id, unit_id, name in links.values_list("survey_id", "unit_id", "unit__name"):
        s = by_id[survey_id]
        result[survey_id, unit_id] = UnitFigure(unit_id, name, minimum=s.min_sample, quota=s.quota)
    rows = (_responses(ids, until, unit).values("survey_id", "unit_id")
            .annotate(responses=Count("pk"), sample=Count("pk", filter=Q(graded__gt=0)),
                      passed=Count("pk", filter=Q(passed=True)),
                      share=Sum(_SHARE, filter=Q(graded__gt=0)))
            .order_by())
    for r in rows:
        f = result.get((r["survey_id"], r["unit_id"]))
        if f is None:  # a unit taken out of the round after answering: not shown
            continue
        f.responses, f.sample, f.passed, f.share_sum = r["responses"], r["sample"], r["passed"], r["share"] or 0.0
    return result


@dataclass
class QuestionFigure:
    question_id: int
    text: str
    kind: str
    order: int
    answered: int = 0
    correct: int = 0
    rating_sum: int = 0
    satisfied: int = 0
    indicator: str = ""

    @property
    def rate(self):
        """正确率 (percent), None for a 满意度 question or without answers."""
        return None if self.kind == RATING else percent(self.correct, self.answered)

    @property
    def mean_rating(self):
        if self.kind != RATING or not self.answered:
            return None
        return (Decimal(self.rating_sum) / self.answered).quantize(Decimal("0.1"))

    @property
    def satisfied_rate(self):
        return percent(self.satisfied, self.answered) if self.kind == RATING else None


def question_figures(survey, until=None, unit=None):
    """(graded questions least known first, 满意度 questions) of a round — or of several rounds (a
    list) together, each question's answers added up — from two queries."""
    surveys = survey if isinstance(survey, (list, tuple)) else [survey]
    ids = [s.pk for s in surveys]
    order, questions = {}, {}
    for item in _model("SurveyQuestion").objects.filter(survey_id__in=ids).select_related(
            "question", "question__indicator").order_by("survey_id", "audience", "order", "pk"):
        q = item.question
        if q.pk not in questions:
            order[q.pk] = len(order)
            questions[q.pk] = QuestionFigure(q.pk, q.text, q.kind, order[q.pk],
                                             indicator=q.indicator.code if q.indicator_id else "")
    answers = _model("SurveyAnswer").objects.filter(response__in=_responses(ids, until, unit))
    rows = (answers.values("question_id")
            .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(correct=True)),
                      rating_sum=Sum("rating"), satisfied=Count("pk", filter=Q(rating__gte=SATISFIED)))
            .order_by())
    for r in rows:
        f = questions.get(r["question_id"])
        if f is not None:
            f.answered, f.correct = r["answered"], r["correct"]
            f.rating_sum, f.satisfied = r["rating_sum"] or 0, r["satisfied"]
    graded = [f for f in questions.values() if f.kind != RATING]
    graded.sort(key=lambda f: (f.rate is None, f.rate if f.rate is not None else 0, f.order))
    return graded, [f for f in questions.values() if f.kind == RATING]


def weakest(graded_figures, limit=WEAKEST):
    """The least known questions that were answered and are not fully known: what to teach next."""
    return [f for f in graded_figures if f.rate is not None and f.rate < 100][:limit]


@dataclass
class AudienceFigure:
    audience: str
    label: str
    sample: int = 0
    passed: int = 0
    responses: int = 0

    @property
    def rate(self):
        return percent(self.passed, self.sample)


def audience_figures(survey, until=None, unit=None):
    from .models.surveys import Audience

    labels = dict(Audience.choices)
    rows = (_responses([survey.pk], until, unit).values("audience")
            .annotate(responses=Count("pk"), sample=Count("pk", filter=Q(graded__gt=0)),
                      passed=Count("pk", filter=Q(passed=True))).order_by())
    found = {r["audience"]: r for r in rows}
    return [AudienceFigure(a, str(labels[a]), found[a]["sample"], found[a]["passed"], found[a]["responses"])
            for a in survey.audiences if a in found]


def totals(figures):
    """The figures of several units added up (a bureau's, a district's)."""
    t = UnitFigure(0, "合计")
    for f in figures:
        t.responses += f.responses
        t.sample += f.sample
        t.passed += f.passed
        t.share_sum += f.share_sum
    return t


@dataclass
class RoundResults:
    """Everything the round's page (and the month summary) shows of one round."""
    survey: object
    units: list  # UnitFigure, best 知晓率 first, units without a sample last
    total: UnitFigure
    questions: list = field(default_factory=list)  # QuestionFigure, least known first
    ratings: list = field(default_factory=list)
    audiences: list = field(default_factory=list)

    @property
    def short_units(self):
        return [u for u in self.units if not u.enough]


def rank_units(figures):
    return sorted(figures, key=lambda f: (f.rate is None, -(f.rate or 0), f.unit))


def round_results(survey, *, unit=None, until=None, details=True):
    """One round's results, for one unit (a Unit) or the units of the round (`unit` None, or a
    Bureau: its units only). Five queries with `details`, two without."""
    figures = unit_figures([survey], until, unit)
    units = rank_units(f for (s, _u), f in figures.items() if s == survey.pk)
    result = RoundResults(survey, units, totals(units))
    if details:
        result.questions, result.ratings = question_figures(survey, until, unit)
        result.audiences = audience_figures(survey, until, unit)
    return result


def latest_round(qs, today):
    """The round to show on a home page: the running one that ends first, else the last one ended
    (of the current year's rounds in `qs`)."""
    begun = list(qs.filter(starts_on__lte=today).order_by("-ends_on", "-pk"))  # one query: a year has few rounds
    running = [s for s in begun if s.ends_on >= today and s.closed_at is None]
    return min(running, key=lambda s: (s.ends_on, s.pk)) if running else (begun[0] if begun else None)


# --- the year, for the assessment ---------------------------------------------------------------------

@dataclass
class YearFigure:
    """One unit's rounds of a year: which count and the pooled 知晓率 of those."""
    rounds: list = field(default_factory=list)  # (survey, UnitFigure)

    @property
    def counted(self):
        return [(s, f) for s, f in self.rounds if f.enough and f.sample]

    @property
    def sample(self):
        return sum(f.sample for _s, f in self.counted)

    @property
    def passed(self):
        return sum(f.passed for _s, f in self.counted)

    @property
    def rate(self):
        return percent(self.passed, self.sample)


def year_figures(year, as_of_end, *, unit=None, started_by=None):
    """{unit id: YearFigure} over the year's rounds begun by `started_by` (a date), counting answers
    submitted before `as_of_end`; `unit`: one Unit or a Bureau's units. Three queries."""
    surveys = _model("Survey").objects.filter(year=year)
    if started_by is not None:
        surveys = surveys.filter(starts_on__lte=started_by)
    surveys = list(surveys.order_by("starts_on", "pk"))
    by_id = {s.pk: s for s in surveys}
    result = defaultdict(YearFigure)
    for (survey_id, unit_id), f in sorted(unit_figures(surveys, as_of_end, unit).items(),
                                          key=lambda item: (by_id[item[0][0]].starts_on, item[0][0])):
        result[unit_id].rounds.append((by_id[survey_id], f))
    return dict(result)
