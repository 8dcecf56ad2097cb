"""`wenming.templatetags.crispy_fast` writes the HTML of django-crispy-forms' Bootstrap 5 templates
for plain fields in Python (kept for speed: see its docstring). It must write what those templates
write, as the browser reads it (tests/html_tokens.py: tags, attributes and text exactly; runs of
whitespace between them as one space; <textarea> text exactly).

Each comparison renders one way on a new form, then the other way on another new form, in both
orders: writing a field changes its widget's attributes (classes are added), so rendering both on
one form would let the first hide a difference from the second.
"""
import pytest
from crispy_forms.templatetags import crispy_forms_filters as crispy
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from ledgers.forms.checks import CheckFilterForm, ProblemFilterForm, ProblemRaiseForm, RecheckForm, RectifyForm
from tests.html_tokens import tokens
from wenming.templatetags import crispy_fast


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
    quoted = forms.CharField(label='引号"与<尖括号>', required=False, widget=forms.TextInput(attrs={"class": "a  b"}))
    # crispy's templates still write these
    photo = forms.FileField(label="照片", required=False)
    pick = forms.ChoiceField(label="单选", widget=forms.RadioSelect, choices=[("a", "甲"), ("b", "乙")], required=False)

    def clean(self):
        raise forms.ValidationError("整体校验失败：请检查 <输入>")


def bound(form):
    form.is_valid()
    return form


# Each: a new form, made the same way every time it is called (by name, for the test ids).
FORMS = {
    "every widget": lambda users: EveryWidget(),
    "every widget, refused": lambda users: bound(EveryWidget({
        "name": "x" * 30, "note": "\n  第一行<b>\n\n", "count": "0", "kind": "zz", "week": "2026-W40", "flag": "on",
        "quoted": 'a"b<c>&', "unlabeled": "  两边空格  "})),
    "every widget, accepted fields": lambda users: bound(EveryWidget({
        "name": "甲", "day": "2026-11-30", "agree": "on", "count": "3", "many": ["a", "b"], "kind": "a"})),
    "sign in": lambda users: AuthenticationForm(),
    "sign in, refused": lambda users: bound(AuthenticationForm(data={"username": "", "password": ""})),
    "password change, refused": lambda users: bound(PasswordChangeForm(users["inspector"], {
        "old_password": "x", "new_password1": "a", "new_password2": "b"})),
    "problem filter": lambda users: bound(ProblemFilterForm({"status": "open", "week": "zz", "overdue": "on"},
                                                            user=users["inspector"])),
    "check filter": lambda users: bound(CheckFilterForm({"kind": "routine"}, user=users["inspector"])),
    "raise a problem, refused": lambda users: bound(ProblemRaiseForm(
        {"description": "", "deadline": "2026-13-40"}, user=users["inspector"])),
    "rectify, refused": lambda users: bound(RectifyForm({"note": ""})),
    "recheck": lambda users: RecheckForm(),
}


@pytest.fixture
def users(inspector, school_a, school_b, year):
    return {"inspector": inspector}


def render_both(make, users, by_templates, in_python, template_first):
    if template_first:
        expected = by_templates(make(users))
        return expected, in_python(make(users))
    written = in_python(make(users))
    return by_templates(make(users)), written


@pytest.mark.parametrize("template_first", [True, False], ids=["templates first", "python first"])
@pytest.mark.parametrize("name", FORMS)
def test_every_field_and_form_is_written_as_crispys_templates_write_it(name, template_first, users):
    make = FORMS[name]
    for field in make(users).fields:
        expected, written = render_both(make, users, lambda form: crispy.as_crispy_field(form[field]),
                                        lambda form: crispy_fast.as_crispy_field(form[field]), template_first)
        assert tokens(written) == tokens(expected), field
    expected, written = render_both(make, users, crispy.as_crispy_form, crispy_fast.as_crispy_form, template_first)
    assert tokens(written) == tokens(expected)


@pytest.mark.parametrize("template_first", [True, False])
def test_an_extra_class_written_by_either_side_is_seen(template_first, users, monkeypatch):
    add_classes = crispy_fast._add_classes
    monkeypatch.setattr(crispy_fast, "_add_classes", lambda widget, classes: add_classes(widget, classes + " extra"))
    expected, written = render_both(FORMS["every widget"], users, lambda form: crispy.as_crispy_field(form["name"]),
                                    lambda form: crispy_fast.as_crispy_field(form["name"]), template_first)
    assert tokens(written) != tokens(expected)


def test_plain_fields_do_not_go_through_crispys_templates(users):
    form = FORMS["every widget, refused"](users)
    plain = [bf for bf in form if bf.name not in ("photo", "pick")]
    assert all(crispy_fast.render_field(bf) is not None for bf in plain)
    assert crispy_fast.render_field(form["photo"]) is None and crispy_fast.render_field(form["pick"]) is None
    # the error text, the help text and the asterisk are in the output
    html = crispy_fast.as_crispy_form(form)
    assert "最多 <b>20</b> 字" in html and 'class="asteriskField">*</span>' in html
    assert "整体校验失败：请检查 &lt;输入&gt;" in html
