"""Builders for the 问卷调查 tests: a small bank (the 12 words, a choice, a multiple choice, a
true/false, a 满意度 item) and a round through the services, and answering over HTTP as a phone does."""
import datetime
import re

from django.test import Client
from django.utils import timezone

from ledgers.models import Bureau, Question, Survey
from ledgers.services import surveys as service

TWELVE = "富强、民主、文明、和谐、自由、平等、公正、法治、爱国、敬业、诚信、友善"

BANK = [
    # (kind, text, options, answer, audiences)
    ("fill", "请写出社会主义核心价值观的12个主题词", [], TWELVE, ["student", "teacher", "parent"]),
    ("single", "我市正在创建的是？", ["全国文明城市", "国家卫生城市", "国家园林城市"], "A", ["student", "teacher", "parent"]),
    ("multiple", "“四德”包括哪些？", ["社会公德", "职业道德", "家庭美德", "个人品德", "诚实守信"], "ABCD", ["teacher"]),
    ("truefalse", "文明校园创建是“两大创建”之一。", [], "对", ["student", "teacher"]),
    ("rating", "您对学校文明创建工作满意吗？", [], "", ["parent", "teacher"]),
]


def make_bank(bureau=None):
    bureau = bureau or Bureau.objects.default_city()
    return [Question.objects.create(bureau=bureau, kind=kind, text=text, options=options, answer=answer,
                                    audiences=audiences, sort_order=n, explanation=f"解析{n}")
            for n, (kind, text, options, answer, audiences) in enumerate(BANK, start=1)]


def make_round(admin, units, bank, *, year, title="2026年秋季文明创建知晓率调查", min_sample=3, quota=100,
               days=(-3, 10), pass_mark=80):
    today = timezone.localdate()
    survey = Survey(year=year, title=title, starts_on=today + datetime.timedelta(days=days[0]),
                    ends_on=today + datetime.timedelta(days=days[1]), min_sample=min_sample, quota=quota,
                    pass_mark=pass_mark)
    questions = {a: [q for q in bank if a in q.audiences] for a in ("student", "teacher", "parent")}
    return service.survey_save(survey=survey, user=admin, units=units, questions=questions)


RIGHT = {"fill": TWELVE, "single": "A", "multiple": ["A", "B", "C", "D"], "truefalse": "对", "rating": "5"}
WRONG = {"fill": "富强 民主", "single": "B", "multiple": ["A"], "truefalse": "错", "rating": "2"}


def answers_for(survey, audience, right=(), wrong=()):
    """POST data answering every question of the audience: right ones by default, `wrong` kinds wrong."""
    data = {"who": audience}
    for item in survey.items.filter(audience=audience).select_related("question"):
        q = item.question
        data[f"q{q.pk}"] = (WRONG if q.kind in wrong else RIGHT)[q.kind]
    return data


def csrf_client():
    return Client(enforce_csrf_checks=True)


def answer(client, link, data, *, address="203.0.113.7"):
    """GET the sheet (its CSRF cookie and token), then POST `data` as the phone would."""
    page = client.get(link.path, {"who": data.get("who", "")}, REMOTE_ADDR=address)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    if token:
        token = token.group(1)
    else:  # a sheet opened before (an old tab): the token it had
        token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    payload = {**data, "csrfmiddlewaretoken": token}
    return client.post(link.path, payload, REMOTE_ADDR=address)
