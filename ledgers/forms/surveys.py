"""Forms of 问卷调查: the public answer sheet (no account), a question of the bank, a round.

The answer sheet is a plain Form built from the round's questions for one audience; it only parses
what was sent (choices among the offered ones, text without control characters, at most 200
characters) and keeps it on a refusal. Grading is ledgers.survey_rules; storing
ledgers.services.surveys.
"""
from django import forms

from ..models import Audience, Indicator, Question, QuestionKind, Survey, Unit
from ..models.surveys import GRADES
from ..params import SensibleDateField
from .assessment import Styled
from .tasks import DateInput

FILL_MAX = 200


def field_name(question):
    return f"q{question.pk}"


class AnswerForm(forms.Form):
    """One respondent's answers to the questions of their audience (all required)."""

    grade = forms.TypedChoiceField(label="年级（可不填）", choices=[("", "不填")] + GRADES, coerce=int, required=False,
                                   empty_value=None)

    def __init__(self, *args, questions, audience, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions, self.audience = questions, audience
        if audience != Audience.STUDENT:
            del self.fields["grade"]
        required = {"required": "请作答此题。"}
        for number, q in enumerate(questions, start=1):
            label = f"{number}. {q.text}"
            if q.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(label=label, choices=q.choices(), widget=forms.CheckboxSelectMultiple,
                                                  error_messages={**required, "invalid_choice": "请从选项中选择。"})
            elif q.kind == QuestionKind.FILL:
                field = forms.CharField(label=label, max_length=FILL_MAX, error_messages={
                    **required, "max_length": f"最多填写 {FILL_MAX} 个字。"})
            else:
                field = forms.ChoiceField(label=label, choices=q.choices(), widget=forms.RadioSelect,
                                          error_messages={**required, "invalid_choice": "请从选项中选择。"})
            field.question, field.number = q, number
            self.fields[field_name(q)] = field

    def answers(self):
        """{question id: value} of a valid form (the letters of a multiple choice joined)."""
        result = {}
        for q in self.questions:
            value = self.cleaned_data[field_name(q)]
            result[q.pk] = "".join(sorted(value)) if isinstance(value, list) else value
        return result

    def question_fields(self):
        return [self[field_name(q)] for q in self.questions]

    def unanswered(self):
        return [self.fields[name].number for name in self.errors if name.startswith("q")]


class QuestionForm(Styled, forms.ModelForm):
    audiences = forms.MultipleChoiceField(label="适用对象", choices=Audience.choices, widget=forms.CheckboxSelectMultiple,
                                          error_messages={"required": "请至少选择一类适用对象。"})
    options_text = forms.CharField(label="选项", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text="选择题每行一个选项，依次为 A、B、C…")

    class Meta:
        model = Question
        fields = ["kind", "text", "options_text", "answer", "explanation", "audiences", "indicator", "is_active",
                  "sort_order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "explanation": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, year, bureau, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.for_year(year).for_bureau(bureau) if year else \
            Indicator.objects.none()
        if not self.is_bound:
            self.initial["options_text"] = "\n".join(self.instance.options or [])
        self.style()

    def clean(self):
        data = super().clean()
        self.instance.options = [line.strip() for line in (data.get("options_text") or "").splitlines() if line.strip()]
        return data


class SurveyForm(Styled, forms.ModelForm):
    units = forms.ModelMultipleChoiceField(label="参加单位", queryset=Unit.objects.none(),
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": "请至少选择一个参加单位。"})

    class Meta:
        model = Survey
        fields = ["title", "intro", "starts_on", "ends_on", "pass_mark", "min_sample", "quota"]
        field_classes = {"starts_on": SensibleDateField, "ends_on": SensibleDateField}
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "intro": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.bank = list(bank)
        bureau = self.instance.bureau if self.instance.bureau_id else user.owning_bureau()
        self.fields["units"].queryset = Unit.objects.actable_by(user).filter(bureau=bureau).active()
        chosen = {}
        if self.instance.pk:
            for item in self.instance.items.all():
                chosen.setdefault(item.audience, []).append(item.question_id)
            self.initial.setdefault("units", [su.unit_id for su in self.instance.survey_units.all()])
        for audience, label in Audience.choices:
            offered = [q for q in self.bank if audience in (q.audiences or [])]
            self.fields[f"questions_{audience}"] = forms.TypedMultipleChoiceField(
                label=f"{label}题目", required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
                choices=[(q.pk, f"［{q.get_kind_display()}］{q.text}") for q in offered],
                initial=chosen.get(audience, []))
        self.style()

    def question_fields(self):
        return [self[f"questions_{a}"] for a in Audience.values]

    def chosen_questions(self):
        """{audience: [Question, …]} in the bank's order."""
        by_pk = {q.pk: q for q in self.bank}
        return {a: [by_pk[pk] for pk in sorted(self.cleaned_data.get(f"questions_{a}") or [],
                                               key=lambda pk: [q.pk for q in self.bank].index(pk))]
                for a in Audience.values}
