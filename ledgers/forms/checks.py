"""Forms of the checks area: check templates, checks with their scores, problems, bulletins.

Units, owners and uploaders are never taken from these forms' POST data beyond what the user
chooses on purpose (the unit checked); the views pass the rest from request.user.
"""
from django import forms
from django.forms import inlineformset_factory

from .. import files
from ..models import (
    Bulletin, CampaignYear, Check, CheckItem, CheckKind, CheckStatus, CheckTemplate, Indicator, Problem,
    ProblemStatus, Role, Unit, User,
)
from ..models.checks import format_points
from ..params import SensibleDateField

DIRECT = "direct"  # problems raised without a check
UNCLOSED = "unclosed"  # every status but 已销号 (a leader's 未整改 figure opens this)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one <input multiple>, each checked as an image by its content."""

    def __init__(self, *, camera=False, **kwargs):
        attrs = {"accept": "image/*", "class": "form-control form-control-lg"}
        if camera:
            attrs["capture"] = "environment"
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [super(PhotosField, self).clean(item, initial) for item in items]
        for uploaded in cleaned:
            files.check_upload(uploaded, {files.IMAGE})
        if self.required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned


def current_indicators(bureau=None):
    """The current year's indicators a bureau works with (the city's tree and its own)."""
    year = CampaignYear.objects.current()
    if year is None:
        return Indicator.objects.none()
    indicators = Indicator.objects.filter(year=year)
    return indicators.for_bureau(bureau) if bureau is not None else indicators


def label_units(field, user):
    """A unit choice a city user fills from several districts: 第一中学（源汇区） (names are unique
    only within a bureau)."""
    if user.is_city:
        field.queryset = field.queryset.select_related("bureau")
        field.label_from_instance = lambda unit: unit.full_label if user.shows_unit_bureau(unit.bureau_id) else unit.name


def active_units(user):
    """Units the user may pick to act on: their own bureau's (a city user: the city's own)."""
    return Unit.objects.actable_by(user).active()


UNIT_MESSAGES = {"invalid_choice": "所选单位不存在或已停用，请重新选择。", "required": "请选择单位。"}


class ScoreFieldsMixin:
    """Adds one big number input per check item ("score_<item id>")."""

    def add_score_fields(self, items, existing):
        self.items = items
        for item in items:
            self.fields[f"score_{item.pk}"] = forms.DecimalField(
                label=f"{item.title}（满分 {format_points(item.max_points)} 分）",
                required=False, max_digits=5, decimal_places=1, initial=existing.get(item.pk),
                help_text=item.standard,
                widget=forms.NumberInput(attrs={
                    "inputmode": "decimal", "min": 0, "max": format_points(item.max_points), "step": "0.1",
                    "class": "form-control form-control-lg score-input",
                }),
            )

    def clean_scores(self):
        for item in self.items:
            name = f"score_{item.pk}"
            try:
                item.validate_score(self.cleaned_data.get(name))
            except forms.ValidationError as error:
                self.add_error(name, error)

    def scores(self):
        return {item.pk: self.cleaned_data.get(f"score_{item.pk}") for item in self.items}

    def score_fields(self):
        return [self[f"score_{item.pk}"] for item in self.items]


class CheckForm(ScoreFieldsMixin, forms.ModelForm):
    photos = PhotosField(label="现场照片", camera=True, help_text="可一次选择多张，手机可直接拍照")

    class Meta:
        model = Check
        fields = ["unit", "date", "kind", "inspectors", "remarks"]
        field_classes = {"date": SensibleDateField}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "remarks": forms.Textarea(attrs={"rows": 3, "placeholder": "检查中发现的亮点和不足"}),
        }
        error_messages = {"unit": UNIT_MESSAGES}

    def __init__(self, *args, template, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields["unit"].queryset = active_units(user)
        self.fields["inspectors"].queryset = User.objects.visible_to(user).filter(
            role__in=[Role.INSPECTOR, Role.ADMIN], is_active=True, unit__bureau=user.owning_bureau()).order_by(
            "role", "username")
        self.fields["inspectors"].help_text = "不选则为本人"
        self.fields["inspectors"].widget.attrs["size"] = 3
        existing = {s.item_id: s.score for s in self.instance.scores.all()} if self.instance.pk else {}
        self.add_score_fields(list(template.items.all()), existing)

    def clean(self):
        cleaned = super().clean()
        self.clean_scores()
        return cleaned


class CheckCorrectionForm(ScoreFieldsMixin, forms.Form):
    remarks = forms.CharField(label="检查情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写更正理由。"})

    def __init__(self, *args, check, **kwargs):
        kwargs.setdefault("initial", {"remarks": check.remarks})
        super().__init__(*args, **kwargs)
        existing = {s.item_id: s.score for s in check.scores.all()}
        self.add_score_fields(list(check.template.items.all()), existing)
        for field in self.score_fields():
            field.field.required = True
            field.field.error_messages["required"] = "请填写得分。"

    def clean(self):
        cleaned = super().clean()
        self.clean_scores()
        return cleaned


class CheckFilterForm(forms.Form):
    week = forms.CharField(label="周次", required=False, widget=forms.TextInput(attrs={"type": "week"}))
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    kind = forms.ChoiceField(label="督查类型", required=False, choices=[("", "全部类型"), *CheckKind.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *CheckStatus.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        label_units(self.fields["unit"], user)


class CheckTemplateForm(forms.ModelForm):
    class Meta:
        model = CheckTemplate
        fields = ["name", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CheckItemForm(forms.ModelForm):
    class Meta:
        model = CheckItem
        fields = ["title", "standard", "max_points", "indicator", "sort_order"]

    def __init__(self, *args, bureau=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = current_indicators(bureau)

    def clean_max_points(self):
        value = self.cleaned_data["max_points"]
        if value is not None and value <= 0:
            raise forms.ValidationError("满分必须大于 0。")
        return value


CheckItemFormSet = inlineformset_factory(CheckTemplate, CheckItem, form=CheckItemForm, extra=3, can_delete=True,
                                         min_num=1, validate_min=True)


class ProblemRaiseForm(forms.ModelForm):
    photos = PhotosField(label="整改前照片", camera=True)

    class Meta:
        model = Problem
        fields = ["unit", "indicator", "description", "deadline"]
        field_classes = {"deadline": SensibleDateField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {"unit": UNIT_MESSAGES, "description": {"required": "请填写问题描述。"}}

    def __init__(self, *args, user, check=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = current_indicators(user.owning_bureau())
        self.fields["unit"].queryset = active_units(user)
        if check is not None:
            del self.fields["unit"]


class RectifyForm(forms.Form):
    note = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写整改情况。"})
    photos = PhotosField(label="整改后照片", help_text="至少一张，可一次选择多张")


class RecheckForm(forms.Form):
    note = forms.CharField(label="复查意见", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="复查不通过时必须填写理由")
    deadline = SensibleDateField(label="新的整改时限", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text="复查不通过时重新确定整改时限，默认次日（日结日清）；逾期从新的时限起算")

    def __init__(self, *args, **kwargs):
        from .. import rules

        kwargs.setdefault("initial", {}).setdefault("deadline", rules.deadline_after_rejection())
        super().__init__(*args, **kwargs)


class ProblemFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.all(), required=False, empty_label="全部单位")
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部状态"), *ProblemStatus.choices, (UNCLOSED, "未销号")])
    week = forms.CharField(label="周次", required=False, widget=forms.TextInput(attrs={"type": "week"}))
    kind = forms.ChoiceField(label="来源", required=False,
                             choices=[("", "全部来源"), *CheckKind.choices, (DIRECT, "直接交办")])
    indicator = forms.ModelChoiceField(label="测评指标", queryset=Indicator.objects.none(), required=False,
                                       empty_label="全部指标")
    overdue = forms.BooleanField(label="只看逾期", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = current_indicators(user.owning_bureau())
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        label_units(self.fields["unit"], user)
        if not user.sees_all_units:
            del self.fields["unit"]


class BulletinCreateForm(forms.Form):
    week = forms.CharField(label="周次", widget=forms.TextInput(attrs={"type": "week"}),
                           help_text="格式如 2026-W10", error_messages={"required": "请选择周次。"})


class BulletinForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["foreword"]
        widgets = {"foreword": forms.Textarea(attrs={"rows": 4})}
