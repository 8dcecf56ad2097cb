"""The round's figures where the bureau and the school look: the month summary (page, PDF, Excel), the
bureau's dashboard, the leader's and the liaison's home pages — all the same figures
(ledgers.survey_rules), as of the month's end.

School A: 3 answers (2 知晓), school B: 1 (知晓) — below the minimum of 3. Bureau: 3 of 4 → 75.0 %.
"""
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from ledgers.services.surveys import response_submit
from reports.summaries import Month, monthly_summary
from tests.ledgers.surveys.factories import RIGHT, WRONG

MONTH = Month.containing(timezone.localdate())


def submit(link, wrong=()):
    items = link.survey.items.filter(audience="student").select_related("question")
    answers = {i.question.pk: "".join((WRONG if i.question.kind in wrong else RIGHT)[i.question.kind]) for i in items}
    response_submit(link=link, audience="student", grade=None, answers=answers, address="192.0.2.60")


@pytest.fixture
def answered(link_a, link_b):
    submit(link_a)
    submit(link_a)
    submit(link_a, wrong=("single", "fill"))  # 1 of 3: not 知晓
    submit(link_b)
    return link_a.survey


def text_of(pdf):
    """The PDF's text without line breaks and spaces (pdf text extraction spaces runs as it likes)."""
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "").replace(" ", "")


def test_the_month_summary_reports_the_round_as_of_the_months_end(answered, district):
    summary = monthly_summary(MONTH, bureau=district)
    (r,) = summary.surveys
    assert (r.total.sample, r.total.passed, r.total.rate, r.total.mean) == (4, 3, Decimal("75.0"), Decimal("83.3"))
    assert [(u.unit, u.sample, u.rate, u.enough) for u in r.units] == [
        ("郾城区第二实验小学", 1, 100, False), ("郾城区第一实验小学", 3, Decimal("66.7"), True)]
    assert r.weakest[0].text in ("请写出社会主义核心价值观的12个主题词", "我市正在创建的是？")
    assert r.weakest[0].rate == 75.0


def test_the_month_pdf_and_excel_print_the_round(answered, inspector, client_for):
    client = client_for(inspector)
    text = text_of(client.get(f"/reports/monthly/{MONTH}.pdf").content)
    assert "五、问卷调查·知晓率" in text and "2026年秋季文明创建知晓率调查" in text
    assert "参加2个单位，收到答卷4份，知晓率75.0%，平均正确率83.3%" in text
    assert "样本不足（少于3份）1个单位" in text
    assert "掌握最差的题目" in text
    book = load_workbook(io.BytesIO(client.get(f"/reports/monthly/{MONTH}.xlsx").content))
    rows = list(book["问卷调查"].iter_rows(values_only=True))
    assert rows[1] == ("问卷", "单位", "答卷", "知晓", "知晓率", "平均正确率", "最少样本", "样本不足")
    assert rows[2][1:] == ("郾城区第二实验小学", 1, 1, 1.0, 1.0, 3, "是")
    assert rows[3][1:6] == ("郾城区第一实验小学", 3, 2, 0.667, 0.778)
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["问卷知晓率（2026年秋季文明创建知晓率调查）"] == 0.75


def test_a_units_month_summary_shows_its_own_sample(answered, liaison2, client_for):
    text = text_of(client_for(liaison2).get(f"/reports/monthly/{MONTH}.pdf").content)
    assert "本单位收到答卷1份（至少3份），知晓率100.0%" in text and "样本不足" in text
    assert "郾城区第一实验小学" not in text


def test_the_dashboard_and_the_leaders_home_show_the_rounds_awareness(answered, inspector, leader, client_for):
    board = client_for(inspector).get("/reports/dashboard/").content.decode()
    assert 'data-testid="dashboard-survey"' in board and "75.0%" in board and "样本不足 1 个" in board
    home = client_for(leader).get("/").content.decode()
    assert 'data-testid="panel-survey-bureau"' in home and "75.0%" in home
    assert "知晓率最低：郾城区第一实验小学 66.7%" in home


def test_the_liaisons_home_shows_its_schools_awareness_and_weakest_questions(answered, liaison, client_for):
    home = client_for(liaison).get("/").content.decode()
    panel = home[home.index('data-testid="panel-survey"'):]
    assert "本校知晓率" in panel and "66.7%" in panel and "3" in panel
    weakest = panel[panel.index('data-testid="weakest"'):panel.index("</ol>")]
    assert "正确率 66.7%" in weakest
    assert "郾城区第二实验小学" not in home


def test_the_month_summary_reads_the_rounds_in_a_fixed_number_of_queries(answered, district, admin_user, bank, year,
                                                                          django_assert_max_num_queries):
    from ledgers.models import Unit

    with django_assert_max_num_queries(40) as few:
        monthly_summary(MONTH, bureau=district)
    units = [Unit.objects.create(name=f"加测学校{n}", kind="school", code=f"m{n}") for n in range(10)]
    from tests.ledgers.surveys.factories import make_round
    link_units = make_round(admin_user, units, bank, year=year, title="加测问卷").survey_units.all()
    for link in link_units:
        submit(link)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):  # one more round: its questions
        summary = monthly_summary(MONTH, bureau=district)
    assert len(summary.surveys) == 2
