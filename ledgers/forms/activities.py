"""Forms of the activity archives: the activity, photo captions, review and list filters.

Photos are not a form field: each file is checked on its own in the view
(ledgers.services.activities.photos_stage) so one bad file never loses the others.
"""
from datetime import date

from django import forms
from django.forms import modelformset_factory

from ..concurrency import VersionedForm
from ..params import SensibleDateField
from ..rules import DEFAULT_CAPTION_ELEMENTS

from ..models import Activity, ActivityCategory, ActivityPhoto, ActivityStatus, CampaignYear, Indicator, Unit


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        fields = ["title", "category", "date", "place", "participants", "organizer", "indicators", "summary"]
        field_classes = {"date": SensibleDateField}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "indicators": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        categories = ActivityCategory.objects.ensure_defaults()
        if self.instance.pk:  # keep a category the bureau has since switched off
            categories = ActivityCategory.objects.filter(pk__in=categories) | ActivityCategory.objects.filter(
                pk=self.instance.category_id)
        self.fields["category"].queryset = categories
        year = year or (self.instance.year if self.instance.pk else CampaignYear.objects.current())
        # Group headings (indicators with children) are not choices: an archive proves a leaf indicator.
        self.fields["indicators"].queryset = Indicator.objects.for_year(year).filter(
            children__isnull=True).order_by("sort_key")
        self.fields["indicators"].help_text = ("可多选（电脑上按住 Ctrl 点选）；提交时按所选指标的佐证要求检查照片，"
                                               "指标未规定的按本局默认要求。")
        self.fields["title"].widget.attrs["placeholder"] = "如：清明节“网上祭英烈”主题教育活动"


CaptionFormSet = modelformset_factory(
    ActivityPhoto, fields=["caption"], extra=0, can_delete=True, edit_only=True,
    # A textarea: captions are a sentence (时间、地点、人物、事件、成效: the bureau's elements, set by the
    # view) and must be readable whole on a phone.
    widgets={"caption": forms.Textarea(attrs={"placeholder": DEFAULT_CAPTION_ELEMENTS, "rows": 2,
                                              "class": "form-control"})},
)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "审核通过"), ("return", "退回修改")],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label="退回原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "退回时请填写退回原因。")
        return data


class UploadedForm(forms.Form):
    uploaded = forms.BooleanField(label="已上传文明网", required=False)
    on_date = SensibleDateField(label="上传日期", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


from ..params import parse_month  # noqa: E402,F401 ('2026-05' -> date(2026, 5, 1); junk -> default)


class ActivityFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    month = forms.CharField(label="月份", required=False, widget=forms.DateInput(attrs={"type": "month"}))
    category = forms.ModelChoiceField(label="类别", queryset=ActivityCategory.objects.all(), required=False,
                                      empty_label="全部类别")
    indicator = forms.ModelChoiceField(label="指标", queryset=Indicator.objects.none(), required=False,
                                       empty_label="全部指标")
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态")] + ActivityStatus.choices, required=False)

    def __init__(self, *args, user, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).active()
        from .checks import label_units

        label_units(self.fields["unit"], user)
        self.fields["indicator"].queryset = Indicator.objects.for_year(year).for_bureau(
            user.owning_bureau()).order_by("sort_key")
        if not user.sees_all_units:
            del self.fields["unit"]
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select" if isinstance(f.widget, forms.Select) else "form-control"

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("unit"):
            qs = qs.filter(unit=data["unit"])
        month = parse_month(data.get("month"))
        if month:
            qs = qs.for_month(month)
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("indicator"):
            qs = qs.filter(indicators=data["indicator"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs
