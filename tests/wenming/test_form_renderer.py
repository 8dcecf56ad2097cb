"""wenming.form_renderer writes <select> in Python: the HTML must be exactly Django's templates' HTML."""
import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from ledgers.forms.checks import ProblemFilterForm
from ledgers.models import Unit
from wenming.form_renderer import FormRenderer


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("x<", "甲&乙\""), (3, 4)], required=False)
    unit = forms.ModelChoiceField(Unit.objects.all(), required=False, empty_label="全部单位")
    grouped = forms.ChoiceField(choices=[("组一", [("1", "一"), ("2", "二")]), ("z", "<b>z</b>")])
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")])
    typed = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int,
                                   widget=forms.Select(attrs={"class": "form-select", "data-x": "<y>", "disabled": True}))


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"plain": "x<", "grouped": "2", "many": ["1", "2"], "typed": "2"}])
def test_selects_are_the_same_html_as_django_templates(school_a, school_b, data):
    if data:
        data["unit"] = str(school_b.pk)
    fast, slow = Choices(data, renderer=FormRenderer()), Choices(data, renderer=DjangoTemplates())
    for name in Choices.base_fields:
        assert str(fast[name]) == str(slow[name]), name


@pytest.mark.django_db
def test_a_filter_form_renders_the_same(inspector, school_a, school_b, year):
    fast = ProblemFilterForm({"status": "open"}, user=inspector, renderer=FormRenderer())
    slow = ProblemFilterForm({"status": "open"}, user=inspector, renderer=DjangoTemplates())
    assert [str(fast[n]) for n in fast.fields] == [str(slow[n]) for n in slow.fields]
    assert "郾城区第二实验小学" in str(fast["unit"])


class Inputs(forms.Form):
    name = forms.CharField(max_length=20, help_text="x")
    mail = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": "a@b.cn", "data-x": "<\"&>"}))
    count = forms.IntegerField(min_value=0, required=False)
    ratio = forms.FloatField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "disabled": True}))


@pytest.mark.parametrize("data", [
    None,
    {"name": "甲<b>&\"乙'", "mail": "x@y.cn", "count": "3", "ratio": "0.5", "day": "2026-11-30", "flag": "on",
     "hidden": "<h>", "secret": "p&q", "text": "第一行\n<第二行> & \"引号\""},
    {"name": "", "count": "x", "ratio": "y", "day": "2026-13-40", "text": ""},
])
def test_inputs_and_textareas_are_the_same_html_as_django_templates(data):
    fast, slow = Inputs(data, renderer=FormRenderer()), Inputs(data, renderer=DjangoTemplates())
    if data:
        fast.is_valid(), slow.is_valid()
    for name in Inputs.base_fields:
        assert str(fast[name]) == str(slow[name]), name


def test_initial_dates_and_numbers_go_through_the_templates_or_match():
    day = datetime.date(2026, 11, 30)
    fast = Inputs(initial={"day": day, "count": 7, "ratio": 1.25}, renderer=FormRenderer())
    slow = Inputs(initial={"day": day, "count": 7, "ratio": 1.25}, renderer=DjangoTemplates())
    for name in ("day", "count", "ratio"):
        assert str(fast[name]) == str(slow[name]), name
