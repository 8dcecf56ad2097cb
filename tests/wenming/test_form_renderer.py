"""wenming.form_renderer writes <select>, <input> and <textarea> in Python (kept for speed: see its
docstring): the HTML must be exactly, character for character, what Django's widget templates write.

Each comparison renders one way on a new form, then the other way on another new form, in both
orders, so nothing the first rendering leaves on a form or widget can hide a difference."""
import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from ledgers.forms.checks import CheckFilterForm, ProblemFilterForm, ProblemRaiseForm
from ledgers.models import Unit
from wenming.form_renderer import FormRenderer


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("x<", "甲&乙\""), (3, 4)], required=False)
    unit = forms.ModelChoiceField(Unit.objects.all(), required=False, empty_label="全部单位")
    grouped = forms.ChoiceField(choices=[("组一", [("1", "一"), ("2", "二")]), ("z", "<b>z</b>")])
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")])
    typed = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int,
                                   widget=forms.Select(attrs={"class": "form-select", "data-x": "<y>", "disabled": True}))
    dated = forms.TypedChoiceField(choices=[(datetime.date(2026, 11, 30), "十一月底")], required=False)


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


def bound(form, data):
    if data is not None:
        form.is_valid()
    return form


CHOICES = [None, {"plain": "x<", "grouped": "2", "many": ["1", "2"], "typed": "2", "dated": "2026-11-30"}]
INPUTS = [
    None,
    {"name": "甲<b>&\"乙'", "mail": "x@y.cn", "count": "3", "ratio": "0.5", "day": "2026-11-30", "flag": "on",
     "hidden": "<h>", "secret": "p&q", "text": "\n第一行\n<第二行> & \"引号\"  \n"},
    {"name": "", "count": "x", "ratio": "y", "day": "2026-13-40", "text": ""},
]
INITIAL = {"day": datetime.date(2026, 11, 30), "count": 7, "ratio": 1.25, "text": "已有\n内容"}


def same_both_ways(make, template_first):
    """Every field of make(renderer) as Django's templates write it and as FormRenderer does."""
    for name in make(DjangoTemplates()).fields:
        if template_first:
            expected = str(make(DjangoTemplates())[name])
            written = str(make(FormRenderer())[name])
        else:
            written = str(make(FormRenderer())[name])
            expected = str(make(DjangoTemplates())[name])
        assert written == expected, name


@pytest.mark.django_db
@pytest.mark.parametrize("template_first", [True, False], ids=["templates first", "python first"])
@pytest.mark.parametrize("data", CHOICES)
def test_selects_are_the_same_html_as_django_templates(school_a, school_b, data, template_first):
    data = data and {**data, "unit": str(school_b.pk)}
    same_both_ways(lambda renderer: bound(Choices(data, renderer=renderer), data), template_first)


@pytest.mark.parametrize("template_first", [True, False], ids=["templates first", "python first"])
@pytest.mark.parametrize("data", INPUTS)
def test_inputs_and_textareas_are_the_same_html_as_django_templates(data, template_first):
    same_both_ways(lambda renderer: bound(Inputs(data, renderer=renderer), data), template_first)


@pytest.mark.parametrize("template_first", [True, False], ids=["templates first", "python first"])
def test_initial_dates_numbers_and_text_are_the_same_html(template_first):
    same_both_ways(lambda renderer: Inputs(initial=INITIAL, renderer=renderer), template_first)


@pytest.mark.parametrize("template_first", [True, False], ids=["templates first", "python first"])
def test_the_apps_filter_and_problem_forms_are_the_same_html(inspector, school_a, school_b, year, template_first):
    for form, data in ((ProblemFilterForm, {"status": "open", "week": "2026-W05"}), (CheckFilterForm, {"kind": "x"}),
                       (ProblemRaiseForm, {"unit": str(school_a.pk), "description": "<b>", "deadline": "x"})):
        same_both_ways(lambda renderer: bound(form(data, user=inspector, renderer=renderer), data), template_first)
    assert "郾城区第二实验小学" in str(ProblemFilterForm({}, user=inspector, renderer=FormRenderer())["unit"])


@pytest.mark.parametrize("template_first", [True, False])
def test_an_extra_attribute_written_by_either_side_is_seen(template_first, monkeypatch):
    from wenming import form_renderer

    render_input = form_renderer.render_input
    monkeypatch.setattr(form_renderer, "render_input", lambda widget: render_input(widget).replace(">", " x>", 1))
    with pytest.raises(AssertionError):
        same_both_ways(lambda renderer: Inputs(renderer=renderer), template_first)
