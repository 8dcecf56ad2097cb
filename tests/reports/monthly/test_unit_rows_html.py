"""The month summary's unit cards and table rows, and the PDF's ranking rows, are written in Python
(report_tags.unit_cards, unit_table_rows, pdf_ranking_rows): the same HTML, character for character,
as the template loops they replace."""
from decimal import Decimal

import pytest
from django.template import engines
from django.test import RequestFactory

from ledgers.models import Unit, UnitKind
from reports.summaries import UnitRow

CARDS = """{% load report_tags units %}{% for r in ranked_rows %}
  <div class="unit-card{% if not r.activities %} no-archive{% endif %}">
    <div class="unit-card-head"><span class="rank">{% if r.rank %}第 {{ r.rank }} 名{% else %}未排名{% endif %}</span>
      <span class="name">{% unit_label r.unit unit_id=r.unit_id %}</span><span class="score">{{ r.score_rate|percent }}<small>得分率{% if r.vetoed %} <small class="red">一票否决 {{ r.vetoed }} 次</small>{% endif %}</small></span></div>
    <div class="unit-card-figures">
      <span><b>{{ r.tasks_done }}/{{ r.tasks_due }}</b>任务完成/到期</span>
      <span><b>{{ r.problems_open }}</b>未整改问题</span>
      <span{% if r.problems_overdue %} class="red"{% endif %}><b>{{ r.problems_overdue }}</b>逾期问题</span>
      <span{% if not r.activities %} class="red"{% endif %}><b>{{ r.activities }}</b>活动档案</span>
    </div>
    <details><summary>全部明细</summary>
      <dl class="unit-card-detail">
        <dt>到期任务</dt><dd>{{ r.tasks_due }}</dd><dt>完成任务</dt><dd>{{ r.tasks_done }}</dd>
        <dt>任务完成率</dt><dd>{{ r.completion_rate|rate }}</dd><dt>累计逾期任务</dt><dd{% if r.tasks_overdue %} class="red"{% endif %}>{{ r.tasks_overdue }}</dd>
        <dt>督查次数</dt><dd>{{ r.checks }}</dd><dt>督查得分率</dt><dd>{{ r.score_rate|percent }}</dd>
        <dt>发现问题</dt><dd>{{ r.problems_found }}</dd><dt>销号问题</dt><dd>{{ r.problems_closed }}</dd>
        <dt>未整改问题</dt><dd>{{ r.problems_open }}</dd><dt>逾期问题</dt><dd{% if r.problems_overdue %} class="red"{% endif %}>{{ r.problems_overdue }}</dd>
        <dt>平均整改天数</dt><dd>{{ r.average_close_days|default_if_none:"—" }}</dd><dt>活动档案</dt><dd>{{ r.activities }}</dd>
        <dt>活动照片</dt><dd>{{ r.photos }}</dd><dt>责任书</dt><dd>{% if r.letter_signed %}已签{% else %}<span class="red">未签</span>{% endif %}</dd>
      </dl>
    </details>
  </div>
{% endfor %}"""

ROWS = """{% load report_tags units %}{% for r in ranked_rows %}
    <tr{% if not r.activities %} class="no-archive"{% endif %}>
      <td class="num pin">{{ r.rank|default:"—" }}</td><td class="pin pin-2">{% unit_label r.unit unit_id=r.unit_id %}</td>
      <td class="num">{{ r.tasks_due }}</td><td class="num">{{ r.tasks_done }}</td><td class="num">{{ r.completion_rate|rate }}</td>
      <td class="num{% if r.tasks_overdue %} red{% endif %}">{{ r.tasks_overdue }}</td>
      <td class="num">{{ r.checks }}</td><td class="num">{{ r.score_rate|percent }}{% if r.vetoed %} <small class="red">一票否决 {{ r.vetoed }} 次</small>{% endif %}</td>
      <td class="num">{{ r.problems_found }}</td><td class="num">{{ r.problems_closed }}</td><td class="num">{{ r.problems_open }}</td>
      <td class="num{% if r.problems_overdue %} red{% endif %}">{{ r.problems_overdue }}</td>
      <td class="num">{{ r.average_close_days|default_if_none:"—" }}</td>
      <td class="num">{{ r.activities }}</td><td class="num">{{ r.photos }}</td>
      <td>{% if r.letter_signed %}已签{% else %}<span class="red">未签</span>{% endif %}</td>
    </tr>
  {% endfor %}"""

PDF_ROWS = """{% load report_tags units %}{% for r in ranked_rows %}
    <tr><td>{{ r.rank|rank_cell }}　{% unit_label r.unit unit_id=r.unit_id %}{% if not r.letter_signed %}<span class="red">（责任书未签）</span>{% endif %}</td><td class="num">{% if r.checks %}{{ r.average_score }} / {{ r.score_rate|percent }}{% if r.vetoed %} <small class="red">一票否决 {{ r.vetoed }} 次</small>{% endif %}{% else %}—{% endif %}</td><td class="num">{{ r.completion_rate|rate }}</td><td class="num{% if r.problems_overdue %} red{% endif %}">{{ r.problems_found }} / {{ r.problems_closed }} / {{ r.problems_overdue }}</td><td class="num{% if not r.activities %} red{% endif %}">{{ r.activities }} / {{ r.photos }}</td></tr>
  {% endfor %}"""


def render(source, user, rows):
    request = RequestFactory().get("/")
    request.user = user
    return engines["django"].from_string(source).render({"ranked_rows": rows, "user": user}, request)


@pytest.mark.parametrize("who", ["inspector", "city_inspector"])
def test_cards_and_rows_match_the_template(request, who, school_a, district2):
    user = request.getfixturevalue(who)
    other = Unit.objects.create(name="二区<学校>&", kind=UnitKind.SCHOOL, code="x2", bureau=district2)
    rows = [
        UnitRow(school_a.pk, school_a.name, school_a.kind, tasks_due=3, tasks_done=2, tasks_overdue=1, checks=2,
                average_score=Decimal("88.5"), score_rate=Decimal("88.5"), rank=1, problems_found=4,
                problems_closed=1, problems_open=3, problems_overdue=2, close_days_total=7, activities=5,
                photos=12, letter_signed=True),
        UnitRow(other.pk, other.name, other.kind),  # nothing this month: no rank, no archive, unsigned
        UnitRow(other.pk, other.name, other.kind, tasks_due=1, tasks_done=1, problems_closed=3,
                close_days_total=10, rank=2, score_rate=Decimal("100.0"), activities=1, checks=1, vetoed=1),
    ]
    new_cards = render("{% load report_tags %}{% unit_cards ranked_rows %}", user, rows)
    new_rows = render("{% load report_tags %}{% unit_table_rows ranked_rows %}", user, rows)
    new_pdf_rows = render("{% load report_tags %}{% pdf_ranking_rows ranked_rows %}", user, rows)
    assert new_cards == render(CARDS, user, rows)
    assert new_rows == render(ROWS, user, rows)
    assert new_pdf_rows == render(PDF_ROWS, user, rows)
    assert "二区&lt;学校&gt;&amp;" in new_rows and "3.3" in new_rows  # escaped; 10 / 3 days
