"""Forms of the task breakdown table, the Excel imports and the responsibility letters."""
from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from ..concurrency import VersionedForm
from ..params import SensibleDateField
from ..models import Frequency, Indicator, LetterTarget, ProgressEntry, ResponsibilityLetter, Task, Unit, UnitKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (phones pick several photos at once)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TaskForm(VersionedForm):
    units = forms.ModelMultipleChoiceField(
        label=_("责任单位"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个责任单位。"},
    )

    class Meta:
        model = Task
        fields = ["number", "indicator", "title", "requirement", "lead_unit", "units", "deadline", "frequency",
                  "is_letter_task"]
        field_classes = {"deadline": SensibleDateField}
        widgets = {"deadline": DateInput(), "requirement": forms.Textarea(attrs={"rows": 3}),
                   "title": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, year, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.year = year
        if not self.instance.bureau_id:
            self.instance.bureau = user.owning_bureau()
        # Only the units of the bureau that owns the task (a district's admin: their district's).
        active = Unit.objects.actable_by(user).filter(bureau=self.instance.bureau_id).active()
        self.fields["units"].queryset = active
        self.fields["lead_unit"].queryset = active
        self.fields["indicator"].queryset = Indicator.objects.for_year(year).for_bureau(self.instance.bureau)
        if self.instance.pk and not self.is_bound:
            self.initial["units"] = list(self.instance.assignments.values_list("unit_id", flat=True))
        self.fields["deadline"].required = False
        self.fields["deadline"].help_text = ("周期性任务（每周、每月、每季度、每学期）按创建年度自动分期，"
                                            "每期期末前须填报落实情况；完成时限为最后一期的截止日期")
        if self.instance.parent_id:
            # A district's copy of a city task: what the city set is shown, not edited (市局下发).
            for name in self.CITY_FIELDS:
                field = self.fields[name]
                field.disabled = True
                field.help_text = "市局下发，由市教育局修改"

    CITY_FIELDS = ["number", "indicator", "title", "requirement", "deadline", "frequency", "is_letter_task"]

    def clean(self):
        data = super().clean()
        if not data.get("deadline") and data.get("frequency") not in Frequency.recurring():
            self.add_error("deadline", "请填写完成时限（周期性任务可不填，按创建年度自动分期）。")
        return data

    def unit_groups(self):
        """The unit checkboxes grouped by kind (股室 / 学校 / 直属单位)."""
        kinds = dict(self.fields["units"].queryset.values_list("pk", "kind"))
        groups = {kind: [] for kind in UnitKind.values}
        for widget in self["units"]:
            groups[kinds[int(str(widget.data["value"]))]].append(widget)
        return [(UnitKind(kind).label, kind, items) for kind, items in groups.items() if items]


class ProgressForm(forms.ModelForm):
    attachments = MultipleFileField(label=_("佐证材料"), required=False,
                                    help_text=_("可多选：照片、PDF、Word 或 Excel"))

    class Meta:
        model = ProgressEntry
        fields = ["date", "content"]
        field_classes = {"date": SensibleDateField}
        widgets = {"date": DateInput(), "content": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"content": _("做了什么、何时何地、参加人数、取得的效果")}


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写退回原因。"})


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class ScanForm(forms.Form):
    file = forms.FileField(label=_("签字盖章后的扫描件（PDF 或照片）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/*"}))


class LetterReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如：扫描件不清晰、缺少签字或公章"),
                             error_messages={"required": "请填写退回原因。"})


class LetterForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityLetter
        fields = ["bureau_signatory", "unit_signatory"]


class LetterTargetForm(forms.ModelForm):
    """One target item; an untouched blank row (even with its number cleared) is skipped."""

    class Meta:
        model = LetterTarget
        fields = ["order", "text", "points"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = self.fields["points"].required = False

    def has_changed(self):
        return bool(self.instance.pk) or bool((self.data.get(self.add_prefix("text")) or "").strip())

    def clean(self):
        data = super().clean()
        data["order"] = data.get("order") or 0
        data["points"] = data.get("points") or 0
        return data


LetterTargetFormSet = modelformset_factory(
    LetterTarget, form=LetterTargetForm, fields=["order", "text", "points"], extra=3, can_delete=True,
    widgets={"text": forms.Textarea(attrs={"rows": 2}), "order": forms.NumberInput(attrs={"class": "form-control order-input"})},
)
