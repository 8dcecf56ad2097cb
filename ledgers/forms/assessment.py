"""Forms of the assessment scheme pages: they only parse what was typed (and keep it on a
refusal); the checks that matter live in ledgers.services.assessment."""
from django import forms

from ..models import AdjustmentKind, Period, RuleKind, UnitKind


class Styled:
    """Bootstrap classes on every widget (checkbox lists keep theirs)."""

    def style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")


class ThresholdForm(Styled, forms.Form):
    title = forms.CharField(label="方案名称", max_length=100, required=False)
    excellent = forms.DecimalField(label="优秀线（%）", min_value=0, max_value=100, decimal_places=1)
    good = forms.DecimalField(label="良好线（%）", min_value=0, max_value=100, decimal_places=1)
    passing = forms.DecimalField(label="合格线（%）", min_value=0, max_value=100, decimal_places=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class RuleForm(Styled, forms.Form):
    """One indicator's rule; the target only matters to the 问卷知晓率 kind (90 % when left empty)."""

    kind = forms.ChoiceField(label="评分规则", choices=[("", "（不设规则）"), *RuleKind.choices], required=False)
    unit_kinds = forms.MultipleChoiceField(label="适用单位", choices=UnitKind.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    partial = forms.DecimalField(label="部分得分比例", min_value=0, max_value=1, decimal_places=2, initial="0.5")
    deduction = forms.DecimalField(label="每项扣分", min_value=0, decimal_places=2, initial="1")
    required = forms.IntegerField(label="要求次数", min_value=1, max_value=100, initial=1)
    period = forms.ChoiceField(label="统计周期", choices=Period.choices, initial=Period.SEMESTER)
    target = forms.DecimalField(label="知晓率目标（%）", min_value=1, max_value=100, decimal_places=1, initial="90",
                                required=False)
    note = forms.CharField(label="补充说明", required=False, widget=forms.Textarea(attrs={"rows": 1}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def clean_target(self):
        return self.cleaned_data["target"] or 90


class AdjustmentForm(Styled, forms.Form):
    unit = forms.TypedChoiceField(label="单位", coerce=int)
    kind = forms.ChoiceField(label="类型", choices=AdjustmentKind.choices)
    points = forms.DecimalField(label="分值", min_value=0.01, max_value=100, decimal_places=2)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label="佐证附件", required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "请选择单位")] + [(u.pk, u.name) for u in units]
        self.style()


class ManualScoreForm(Styled, forms.Form):
    rule = forms.TypedChoiceField(label="指标", coerce=int)
    unit = forms.TypedChoiceField(label="单位", coerce=int)
    score = forms.DecimalField(label="得分", min_value=0, decimal_places=2)
    date = forms.DateField(label="评分日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="评分理由", widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label="佐证附件", required=False)

    def __init__(self, *args, rules=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "请选择指标")] + [
            (r.pk, f"{r.indicator.code} {r.indicator.title}（满分 {r.indicator.points.normalize():f}）") for r in rules]
        self.fields["unit"].choices = [("", "请选择单位")] + [(u.pk, u.name) for u in units]
        self.style()
