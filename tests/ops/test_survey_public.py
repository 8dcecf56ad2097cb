"""The public answer pages of 问卷调查 (ledgers/answer_urls.py) as a public form must be:

- a sweep over every public URL pattern, for anyone (signed out, another district's admin, another
  school's liaison): never a 500, never a unit's results, never another respondent's answers;
- fuzzing: junk, oversized and repeated submissions — 0 × 500, nothing stored from a refused answer,
  every accepted answer stored as it was sent.
A new public URL must be added to PUBLIC below, or the sweep fails and says so.
"""
import random
import re

import pytest
from django.core import signing
from django.test import Client

from ledgers import answer_urls
from ledgers.models import Role, SurveyAnswer, SurveyResponse
from ledgers.views.survey_answer import COOKIE_SALT, cookie_name
from tests.conftest import make_user
from tests.ledgers.surveys.conftest import bank, link_a, link_b, same_minute, survey_round  # noqa: F401
from tests.ledgers.surveys.factories import TWELVE, answer, answers_for

PUBLIC = {"start": "token", "result": "token"}
SECRET_UNIT = "郾城区第二实验小学"  # school_b: its answers and figures must never show on school_a's pages
FIGURES = re.compile(r"\d%|平均正确率|样本不足|答对")  # any figure of a unit, or of a respondent


def stored():
    return SurveyResponse.objects.count(), SurveyAnswer.objects.count()


def test_every_public_url_is_in_the_sweep():
    names = {p.name for p in answer_urls.urlpatterns}
    assert names == set(PUBLIC), f"add the new public URL names to PUBLIC in {__file__}: {names - set(PUBLIC)}"


@pytest.fixture
def answered_b(link_b):
    """School b has answers (its figures exist); returns the signed cookie of one of them."""
    phone = Client()
    response = answer(phone, link_b, answers_for(link_b.survey, "student"))
    assert response.status_code == 303
    return phone.cookies[cookie_name(link_b.survey)].value


def test_no_one_sees_a_units_results_or_another_units_answers_on_the_public_pages(
        answered_b, link_a, link_b, liaison, district2_office, client_for):
    from django.urls import reverse

    visitors = {"anonymous": Client(), "liaison of school_a": client_for(liaison),
                "district 2 admin": client_for(make_user("d2-admin", Role.ADMIN, district2_office))}
    before = stored()
    for who, client in visitors.items():
        # school_b's respondent's cookie, carried to school_a's pages, opens nothing of school_b.
        client.cookies[cookie_name(link_a.survey)] = answered_b
        for name in PUBLIC:
            url = reverse(f"answer:{name}", args=[link_a.token])
            for response in (client.get(url), client.get(url, {"who": "student"}), client.post(url, {"who": "x"})):
                assert response.status_code < 500, (who, name)
                page = re.sub(r"<style>.*?</style>", "", response.content.decode(), flags=re.S)
                assert SECRET_UNIT not in page, (who, name)
                assert not FIGURES.search(page), (who, name)
                assert TWELVE not in page  # school_a's answer
    assert stored() == before


def test_a_cookie_of_one_round_or_a_forged_one_opens_no_answers(answered_b, link_a, link_b):
    phone = Client()
    phone.cookies[cookie_name(link_b.survey)] = signing.get_cookie_signer(salt=COOKIE_SALT + "x").sign("1")
    response = phone.get(f"{link_a.path}result/")
    assert response.status_code == 302  # back to the start: nothing to show


JUNK = ["", " ", "\x00", "A\x00", "Z", "AZ", "9", "-1", "²", "对错", "<script>alert(1)</script>", "' OR 1=1 --",
        "x" * 201, "富强" * 5000, "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "0x41", "[]"]


def junk_payloads(survey, rng, count):
    """Sheets with junk: unknown keys, junk values in real questions, a wrong audience or grade, repeated keys."""
    items = list(survey.items.select_related("question"))
    for _ in range(count):
        audience = rng.choice(["student", "teacher", "parent", "admin", "", "\x00", "student\x00"])
        data = {"who": audience, "grade": rng.choice(["", "3", "99", "abc", "²", "-1"])}
        for item in rng.sample(items, rng.randint(0, len(items))):
            data[f"q{item.question.pk}"] = rng.choice(JUNK + ["A", "对", "5", TWELVE])
        for _ in range(rng.randint(0, 3)):
            data[rng.choice(["q0", "q999999", "qq", "q-1", "q" + "9" * 30, "csrfmiddlewaretoken2"])] = rng.choice(JUNK)
        yield data


def test_fuzzing_the_answer_endpoint_gives_no_500_and_stores_only_accepted_answers(link_a, settings):
    settings.SURVEY_LIMIT_PER_ADDRESS = 10_000
    rng = random.Random(32)
    statuses, accepted = {}, []
    for n, data in enumerate(junk_payloads(link_a.survey, rng, 250)):
        phone = Client(raise_request_exception=False)
        response = answer(phone, link_a, data, address=f"198.51.100.{n % 250}")
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 303:
            accepted.append(data)
    assert not any(code >= 500 for code in statuses), statuses
    assert set(statuses) <= {303, 400, 403}, statuses
    assert SurveyResponse.objects.count() == len(accepted)
    for response, data in zip(SurveyResponse.objects.order_by("pk"), accepted):
        assert response.audience == data["who"]
        for a in response.answers.select_related("question"):
            sent = data[f"q{a.question_id}"]
            assert a.value == (str(a.rating) if a.rating else sent.strip() if a.question.kind == "fill" else sent)


def test_oversized_and_overfull_submissions_are_refused_without_a_500(link_a):
    phone = Client(raise_request_exception=False)
    phone.get(link_a.path, {"who": "student"})
    token = phone.cookies["csrftoken"].value
    big = {"who": "student", "csrfmiddlewaretoken": token, "q1": "字" * 3_000_000}
    many = {"who": "student", "csrfmiddlewaretoken": token, **{f"k{i}": "x" for i in range(1200)}}
    for data in (big, many):
        response = phone.post(link_a.path, data)
        assert response.status_code == 400, response.status_code
    # Not form-encoded at all.
    response = phone.post(link_a.path, b"\xff\xfe\x00junk" * 1000, content_type="application/octet-stream")
    assert response.status_code in (400, 403)
    assert stored() == (0, 0)


def test_repeated_submissions_store_once_per_phone_and_are_held_per_address(link_a, settings, same_minute):
    settings.SURVEY_LIMIT_PER_ADDRESS = 5
    data = answers_for(link_a.survey, "student")
    phone = Client()
    codes = [answer(phone, link_a, data, address="203.0.113.1").status_code for _ in range(3)]
    assert codes == [303, 409, 409]  # the same phone again: refused
    codes = [answer(Client(), link_a, data, address="203.0.113.1").status_code for _ in range(6)]
    assert codes == [303] * 4 + [429] * 2  # new phones behind one address: 5 a minute
    assert SurveyResponse.objects.count() == 5


def test_the_answer_page_is_small_and_needs_no_framework(link_a):
    page = Client().get(link_a.path, {"who": "teacher"})
    html = page.content.decode()
    assert len(page.content) < 16_000, len(page.content)
    assert "bootstrap" not in html
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/js/survey.js"]
