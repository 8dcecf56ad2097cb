"""`wenming.templatetags.crispy_fast` writes the same HTML as django-crispy-forms' Bootstrap 5 templates.

Both outputs are compared with runs of whitespace made one space (the browser shows them alike), so
a tag, attribute, class, label, error or help text that differs fails, and so does a space between two
tags that one side has and the other has not.
"""
import re

import pytest
from crispy_forms.templatetags import crispy_forms_filters as crispy
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from ledgers.forms.checks import ProblemFilterForm
from wenming.templatetags import crispy_fast


def same(html):
    return re.sub(r"\s+", " ", str(html))


class EveryWidget(forms.Form):
    name = forms.CharField(label="名称", help_text="最多 <b>20</b> 字", max_length=20)
    note = forms.CharField(label="说明", widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(label="类别", choices=[("", "全部"), ("a", "甲 & 乙"), ("b", "丙")], required=False)
    many = forms.MultipleChoiceField(label="多选", choices=[("a", "甲"), ("b", "乙")], required=False)
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(label="数量", min_value=1, required=False)
    week = forms.CharField(label="周次", widget=forms.TextInput(attrs={"type": "week", "class": "narrow"}), required=False)
    flag = forms.BooleanField(label="仅看逾期", required=False)
    agree = forms.BooleanField(label="我已阅读", help_text="必须勾选")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    unlabeled = forms.CharField(label="", required=False)
    # crispy's templates still write these
    photo = forms.FileField(label="照片", required=False)
    pick = forms.ChoiceField(label="单选", widget=forms.RadioSelect, choices=[("a", "甲"), ("b", "乙")], required=False)

    def clean(self):
        raise forms.ValidationError("整体校验失败：请检查 <输入>")


def forms_to_compare():
    yield EveryWidget()
    bound = EveryWidget({"name": "x" * 30, "count": "0", "kind": "zz", "week": "2026-W40", "flag": "on"})
    bound.is_valid()
    yield bound
    yield AuthenticationForm()
    failed_login = AuthenticationForm(data={"username": "", "password": ""})  # required errors, no sign-in tried
    failed_login.is_valid()
    yield failed_login


@pytest.mark.parametrize("index", range(4))
def test_every_field_is_written_as_crispy_writes_it(index, db):
    form = list(forms_to_compare())[index]
    for bf in form:
        assert same(crispy_fast.as_crispy_field(bf)) == same(crispy.as_crispy_field(bf)), bf.name
    assert same(crispy_fast.as_crispy_form(form)) == same(crispy.as_crispy_form(form))


def test_plain_fields_do_not_go_through_crispys_templates(monkeypatch):
    form = EveryWidget({"name": "", "count": "x"})
    form.is_valid()
    plain = [bf for bf in form if bf.name not in ("photo", "pick")]
    assert all(crispy_fast.render_field(bf) is not None for bf in plain)
    assert crispy_fast.render_field(form["photo"]) is None and crispy_fast.render_field(form["pick"]) is None
    # the error text, the help text and the asterisk are in the output
    html = crispy_fast.as_crispy_form(form)
    assert "这个字段是必填项。" in html or "This field is required." in html
    assert "最多 <b>20</b> 字" in html and 'class="asteriskField">*</span>' in html
    assert "整体校验失败：请检查 &lt;输入&gt;" in html


def test_a_filter_form_of_a_list_page(inspector):
    form = ProblemFilterForm({"status": "open", "week": "zz", "overdue": "on"}, user=inspector)
    form.is_valid()
    for bf in form:
        assert same(crispy_fast.as_crispy_field(bf)) == same(crispy.as_crispy_field(bf)), bf.name
    assert 'class="select form-select"' in crispy_fast.as_crispy_field(form["status"])
