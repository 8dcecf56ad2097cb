"""Demo step: a starter 应知应会 bank (the city's, shared with every district) and one 问卷调查 round
of 郾城区's schools that began two weeks ago, with answers, so the liaison's home, the round's page,
the dashboards and the month summary show 知晓率 from the first run.

The bank's facts are the published ones (tests/fixtures/real_tables/sources.md: the 12 主题词, the
“六个好”, 四德, 公民基本道德规范). Answers go through the same service as a phone's
(`response_submit`), so they are graded as real ones are. Idempotent: a bureau with a round is skipped.
"""
import datetime
import random

from django.utils import timezone

from ..models import CampaignYear, Indicator, Question, Role, Survey, SurveyResponse, Unit, UnitKind, User
from ..services import surveys as service
from .core import city_and_yancheng

TWELVE = "富强、民主、文明、和谐、自由、平等、公正、法治、爱国、敬业、诚信、友善"
SIX_GOOD = "领导班子、思想道德、活动阵地、教师队伍、校园文化、校园环境/优美环境"
S, T, P = "student", "teacher", "parent"

# (kind, text, options, answer, audiences, indicator code, explanation)
BANK = [
    ("fill", "请写出社会主义核心价值观的12个主题词（顺序不限）", [], TWELVE, [S, T, P], "8.1",
     "国家层面：富强、民主、文明、和谐；社会层面：自由、平等、公正、法治；公民个人层面：爱国、敬业、诚信、友善。"),
    ("single", "社会主义核心价值观中，公民个人层面的价值准则是？",
     ["富强、民主、文明、和谐", "自由、平等、公正、法治", "爱国、敬业、诚信、友善"], "C", [S, T, P], "8.1",
     "爱国、敬业、诚信、友善是公民个人层面的价值准则。"),
    ("truefalse", "我们学校正在开展文明校园创建活动。", [], "对", [S, T, P], "8.1",
     "文明校园是教育部、中央文明办提出的“两大创建”之一，本校正在创建。"),
    ("single", "文明校园由哪两个部门倡导创建？", ["教育部、中央文明办", "团中央、全国妇联", "公安部、交通运输部"], "A",
     [S, T], "8.1", "2015年教育部、中央文明办提出深入开展文明校园创建活动。"),
    ("fill", "文明校园的“六个好”是哪六个方面建设好？", [], SIX_GOOD, [T], "8.1",
     "领导班子建设好、思想道德教育好、活动阵地建设好、教师队伍建设好、校园文化建设好、校园环境建设好。"),
    ("multiple", "“四德”包括哪些？", ["社会公德", "职业道德", "家庭美德", "个人品德", "诚实守信"], "ABCD", [T, P], "8.1",
     "四德：社会公德、职业道德、家庭美德、个人品德。"),
    ("single", "公民基本道德规范（20字）是？",
     ["爱国守法、明礼诚信、团结友善、勤俭自强、敬业奉献", "爱岗敬业、诚实守信、办事公道、服务群众、奉献社会",
      "文明礼貌、助人为乐、爱护公物、保护环境、遵纪守法"], "A", [T], "8.1",
     "公民基本道德规范：爱国守法、明礼诚信、团结友善、勤俭自强、敬业奉献。"),
    ("truefalse", "垃圾应当分类投放。", [], "对", [S, P], "8.1", "垃圾分类投放，从我做起。"),
    ("rating", "您对学校文明创建工作满意吗？", [], "", [T, P], "8.2", ""),
    ("rating", "您对学校校园环境满意吗？", [], "", [S, P], "8.2", ""),
]

RESPONSES_PER_SCHOOL = (14, 30)  # a few schools stay below the minimum sample (样本不足)


def load(out):
    year = CampaignYear.objects.current()
    city, yancheng = city_and_yancheng()
    city_admin = User.objects.filter(role=Role.ADMIN, unit__bureau=city, is_active=True).order_by("pk").first()
    admin = User.objects.filter(role=Role.ADMIN, unit__bureau=yancheng, is_active=True).order_by("pk").first()
    if year is None or admin is None:
        out("问卷调查：没有当前年度或区县管理员，跳过。")
        return
    bank = list(Question.objects.filter(bureau=city).order_by("sort_order", "pk"))
    if not bank:
        bank = _bank(city, city_admin or admin, year)
    if Survey.objects.filter(bureau=yancheng).exists():
        out(f"问卷调查（{yancheng.label}）：已有，跳过。")
        return
    schools = list(Unit.objects.active().filter(kind=UnitKind.SCHOOL, bureau=yancheng).order_by("sort_order", "name")[:10])
    today = timezone.localdate()
    survey = Survey(year=year, title=f"{year.year}年文明校园创建知晓率调查", starts_on=today - datetime.timedelta(days=14),
                    ends_on=today + datetime.timedelta(days=16), min_sample=20, quota=1500, pass_mark=80,
                    intro="请根据自己的了解作答，提交后可以看到正确答案。本问卷不收集姓名、电话等个人信息。")
    questions = {a: [q for q in bank if a in q.audiences] for a in (S, T, P)}
    survey = service.survey_save(survey=survey, user=admin, units=schools, questions=questions)
    count = _answers(survey, schools)
    out(f"问卷调查：题库 {len(bank)} 题，{yancheng.label} {len(schools)} 所学校 {count} 份答卷")


def _bank(city, admin, year):
    indicators = {i.code: i for i in Indicator.objects.for_year(year).filter(bureau=city, code__in=("8.1", "8.2"))}
    made = []
    for n, (kind, text, options, answer, audiences, code, explanation) in enumerate(BANK, start=1):
        question = Question(bureau=city, kind=kind, text=text, options=options, answer=answer, audiences=audiences,
                            indicator=indicators.get(code), explanation=explanation, sort_order=n)
        made.append(service.question_save(question=question, user=admin) if admin.unit.bureau_id == city.pk
                    else _save_plain(question))
    return made


def _save_plain(question):
    service.clean_question(question)
    question.full_clean()
    question.save()
    return question


def _answers(survey, schools):
    """Answers spread over the round's first fortnight, as a school's assembly would give them:
    students mostly, some teachers and parents; most know the 12 words, some miss a few."""
    rng = random.Random(2032)
    items = {}
    for item in survey.items.select_related("question").order_by("audience", "order"):
        items.setdefault(item.audience, []).append(item.question)
    start = timezone.now() - datetime.timedelta(days=13)
    count = 0
    for n, unit in enumerate(schools):
        link = survey.survey_units.get(unit=unit)
        skill = 0.55 + 0.4 * rng.random()  # how well this school's people know the answers
        wanted = RESPONSES_PER_SCHOOL[0] if n % 4 == 3 else rng.randint(*RESPONSES_PER_SCHOOL)
        for k in range(wanted):
            audience = rng.choices((S, T, P), weights=(6, 2, 2))[0]
            answers = {q.pk: _answer(q, rng.random() < skill, rng) for q in items[audience]}
            moment = start + datetime.timedelta(days=rng.randint(0, 12), minutes=rng.randint(0, 600), seconds=k)
            grade = rng.randint(1, 6) if audience == S and rng.random() < 0.7 else None
            service.response_submit(link=link, audience=audience, grade=grade, answers=answers,
                                    address=f"demo-{unit.pk}-{k}", now=moment)
            count += 1
    return count


def _answer(question, right, rng):
    if question.kind == "rating":
        return str(rng.choice((5, 5, 4, 4, 4, 3, 2)))
    if question.kind == "fill":
        points = [p.split("/")[0] for p in question.answer.split("、")]
        if not right:
            points = points[: rng.randint(3, len(points) - 1)]
        rng.shuffle(points)
        return " ".join(points)
    if question.kind == "multiple":
        return question.answer if right else question.answer[:-1]
    if question.kind == "truefalse":
        return question.answer if right else ("错" if question.answer == "对" else "对")
    wrong = [letter for letter in "ABC"[:len(question.options)] if letter != question.answer]
    return question.answer if right else rng.choice(wrong)
