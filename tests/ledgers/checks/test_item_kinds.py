"""Check items of every kind the real tables use (issue 29), scored by the one rule
(`ledgers.rules.check_score`) and stored on the check: each case's right score worked out here.
"""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledgers.models import CheckItem, CheckKind, CheckTemplate
from ledgers.rules import Answer
from ledgers.services import checks as check_service

from .factories import MONDAY, kinds_answers, make_kinds_template


def record(user, unit, template, answers, submit=True):
    return check_service.check_save(user=user, unit=unit, date=MONDAY, kind=CheckKind.ROUTINE, template=template,
                                    scores=answers, submit=submit)


def test_every_kind_scored_as_published(year, inspector, school_a):
    template, items = make_kinds_template(year)
    check = record(inspector, school_a, template, kinds_answers(items))
    # 宣传氛围: 33 + 30 (达标) = 63, capped at the group's 60 → 60 of 60;
    # 扣分: 20 − 6 × 0.5 = 17 of 20; 不适用: out of the total; 抽查: 2 of 5 < 3 → 0 of 20;
    # 一票否决 达标, no points. 77 of 100.
    assert (check.total, check.max_total, check.percent, check.vetoed) == (Decimal(77), Decimal(100), Decimal("77.0"), False)
    assert check.basis == "points" and (check.passed_items, check.pass_items) == (2, 3)
    scores = {s.item_id: s for s in check.scores.all()}
    assert (scores[items["group"].pk].score, scores[items["group"].pk].applicable) == (Decimal(60), Decimal(60))
    assert scores[items["deduction"].pk].result_text() == "发现 6 处，扣 3 分"
    assert scores[items["sampling"].pk].result_text() == "抽查 5 人，2 人达标，不达标"
    assert scores[items["na"].pk].result_text() == "不适用" and scores[items["na"].pk].applicable == 0
    # The items that lost points or failed: the check page offers each as a problem (交办问题).
    assert [s.item.title for s in check.scores.all() if s.failed] == [
        "校园显著位置设有公益宣传", "校园及环境干净整洁", "随机抽取5名学生背诵社会主义核心价值观"]


def test_deductions_stop_at_zero_and_a_failed_veto_fails_the_check_whatever_the_score(year, inspector, school_a):
    template, items = make_kinds_template(year)
    check = record(inspector, school_a, template,
                   kinds_answers(items, scored=10, passed=False, findings=50, sample_passed=3, veto_passed=False))
    # 宣传氛围 10 + 0 = 10 of 60; 扣分 20 − 25 → 0 (扣完为止); 抽查 3 of 5 ≥ 3 → 20; 30 of 100.
    assert (check.total, check.max_total, check.percent) == (Decimal(30), Decimal(100), Decimal("30.0"))
    assert check.vetoed and check.verdict == "不合格（一票否决）"


def test_a_template_of_pass_fail_items_only_is_scored_by_pass_rate(year, inspector, school_a):
    template = CheckTemplate.objects.create(year=year, name="中小学校点位测评督查标准")
    items = [CheckItem.objects.create(template=template, kind="passfail", title=title, allow_na=(n == 3), sort_order=n)
             for n, title in enumerate(["校园及教室内有学生守则展示", "校内刊播公益广告", "物防、技防设施正常使用",
                                        "幼儿园门口设有护学岗（幼儿园不做要求）"])]
    answers = {items[0].pk: Answer(passed=True), items[1].pk: Answer(passed=False), items[2].pk: Answer(passed=True),
               items[3].pk: Answer(not_applicable=True)}
    check = record(inspector, school_a, template, answers)
    # 2 of the 3 applicable items 达标: 66.7 %, as a 达标率.
    assert (check.basis, check.total, check.max_total, check.percent) == ("pass_rate", 2, 3, Decimal("66.7"))
    assert template.max_total_text == "4 项，按达标率"


def test_a_pass_rate_check_is_never_shown_as_points(client_for, year, inspector, admin_user, school_a):
    """The check list and a correction's history give a pass/fail checklist's counts as 达标项, not 得分."""
    template = CheckTemplate.objects.create(year=year, name="中小学校点位测评督查标准")
    items = [CheckItem.objects.create(template=template, kind="passfail", title=title, sort_order=n)
             for n, title in enumerate(["校园及教室内有学生守则展示", "校内刊播公益广告", "物防、技防设施正常使用"])]
    check = record(inspector, school_a, template, {items[0].pk: Answer(passed=True), items[1].pk: Answer(passed=False),
                                                   items[2].pk: Answer(passed=True)})
    check_service.check_correct(check=check, user=admin_user, reason="复核：公益广告已刊播",
                                scores={i.pk: Answer(passed=True) for i in items}, remarks="")
    admin = client_for(admin_user)
    listed = admin.get(reverse("ledgers:check_list")).content.decode()
    assert "达标 3 / 3 项" in listed and "3 / 3</td>" not in listed
    page = admin.get(reverse("ledgers:check_detail", args=[check.pk])).content.decode()
    assert "达标项 2 → 3" in page and "得分 2 → 3" not in page and "<span>检查结果</span>" in page
    # A second check the same week names the first by its 达标项 too.
    second = record(inspector, school_a, template, {i.pk: Answer(passed=True) for i in items})
    page = admin.get(reverse("ledgers:check_detail", args=[second.pk])).content.decode()
    note = page.split('data-testid="same-week"')[1].split("</div>")[0]
    assert "达标 3 / 3 项" in note and " 分<" not in note


@pytest.mark.parametrize("answer, message", [
    ({"na": Answer(not_applicable=True), "scored": Answer(not_applicable=True)}, "不能选“不适用”"),
    ({"sampling": Answer(asked=3, sample_passed=4)}, "达标人数不能多于抽查人数（3 人）"),
    ({"scored": Answer(score=Decimal(41))}, "得分不能超过 40 分"),
    ({"deduction": Answer(findings=-1)}, "发现处数不能为负数"),
])
def test_an_answer_that_does_not_fit_its_item_is_refused_with_the_items_name(year, inspector, school_a, answer, message):
    template, items = make_kinds_template(year)
    answers = kinds_answers(items)
    answers.update({items[k].pk: a for k, a in answer.items()})
    with pytest.raises(ValidationError) as refused:
        record(inspector, school_a, template, answers)
    assert message in " ".join(refused.value.messages)


def test_submitting_asks_for_every_pass_fail_answer(year, inspector, school_a):
    template, items = make_kinds_template(year)
    answers = kinds_answers(items)
    del answers[items["passfail"].pk]
    check = record(inspector, school_a, template, answers, submit=False)  # a draft may wait
    with pytest.raises(ValidationError) as refused:
        check_service.check_submit(check=check, user=inspector)
    assert "“有善行义举榜”尚未填写，不能提交。" in refused.value.messages


def test_the_check_page_prints_each_answer_in_the_tables_words(client_for, year, inspector, school_a):
    template, items = make_kinds_template(year)
    check = record(inspector, school_a, template, kinds_answers(items, veto_passed=False))
    html = client_for(inspector).get(reverse("ledgers:check_detail", args=[check.pk])).content.decode()
    for text in ("发现 6 处，扣 3 分", "抽查 5 人，2 人达标，不达标", "不适用", "一票否决", "77.0%"):
        assert text in html, text


def test_the_check_form_takes_every_kind_and_keeps_what_was_typed_when_refused(client_for, year, inspector, school_a):
    from ledgers.models import Check

    template, items = make_kinds_template(year)
    client = client_for(inspector)
    url = reverse("ledgers:check_create") + f"?template={template.pk}"
    form = client.get(url).content.decode()
    for item in ("scored", "passfail", "deduction", "sampling", "veto"):
        assert f'data-item="{items[item].pk}"' in form and f'data-kind="{items[item].kind}"' in form
    assert "每处扣0.5分，扣完为止" in form and "抽查5人，3人及以上达标" in form and "不适用（不计入满分）" in form
    data = {"template": template.pk, "unit": school_a.pk, "date": "2026-03-02", "kind": "routine", "submit": "1",
            f"score_{items['scored'].pk}": "33", f"pass_{items['passfail'].pk}": "1",
            f"findings_{items['deduction'].pk}": "6", f"na_{items['na'].pk}": "on",
            f"asked_{items['sampling'].pk}": "5", f"passed_{items['sampling'].pk}": "7",
            f"pass_{items['veto'].pk}": "1"}
    refused = client.post(url, data).content.decode()
    assert "达标人数不能多于抽查人数（5 人）" in refused and 'value="33"' in refused  # nothing typed is lost
    assert not Check.objects.exists()
    data[f"passed_{items['sampling'].pk}"] = "2"
    response = client.post(url, data)
    assert response.status_code == 302
    check = Check.objects.get()
    assert (check.total, check.max_total, check.percent, check.status) == (Decimal(77), Decimal(100), Decimal("77.0"), "submitted")


def test_the_template_editor_makes_items_of_every_kind_under_a_group(client_for, admin_user, year):
    client = client_for(admin_user)

    def rows(*items, initial=0):
        data = {"name": "文明校园考评表", "description": "", "is_active": "on", "items-TOTAL_FORMS": str(len(items)),
                "items-INITIAL_FORMS": str(initial), "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "1000"}
        for n, item in enumerate(items):
            data.update({f"items-{n}-{k}": v for k, v in item.items()})
        return data

    group = {"kind": "group", "title": "宣传氛围", "max_points": "20", "sort_order": "1"}
    assert client.post(reverse("ledgers:template_create"), rows(group)).status_code == 302
    template = CheckTemplate.objects.get()
    saved = template.items.get()
    wrong = {"kind": "sampling", "title": "随机抽取5名学生背诵核心价值观", "sample_size": "5", "sample_pass": "6",
             "parent": str(saved.pk), "sort_order": "4"}
    items = [{"id": str(saved.pk), **group},
             {"kind": "passfail", "title": "有善行义举榜", "max_points": "4", "parent": str(saved.pk), "sort_order": "2"},
             {"kind": "deduction", "title": "校园干净整洁", "deduct": "0.5", "deduct_floor": "on",
              "parent": str(saved.pk), "sort_order": "3"},
             wrong,
             {"kind": "veto", "title": "无安全责任事故", "sort_order": "5"}]
    url = reverse("ledgers:template_edit", args=[template.pk])
    html = client.post(url, rows(*items, initial=1)).content.decode()
    assert "达标人数不能多于抽查人数（5 人）" in html and "有善行义举榜" in html  # refused, nothing lost
    wrong["sample_pass"] = "3"
    assert client.post(url, rows(*items, initial=1)).status_code == 302
    made = {i.title: i for i in template.items.all()}
    assert made["校园干净整洁"].rule_text() == "每处扣0.5分，扣完为止" and made["校园干净整洁"].parent == saved
    assert made["随机抽取5名学生背诵核心价值观"].rule_text() == "抽查5人，3人及以上达标"
    assert (made["有善行义举榜"].kind, made["无安全责任事故"].kind) == ("passfail", "veto")
    assert template.max_total_text == "20 分"  # the group's 20 caps its items
