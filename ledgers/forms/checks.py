"""Forms of the checks area: check templates, checks with their scores, problems, bulletins.

Units, owners and uploaders are never taken from these forms' POST data beyond what the user
chooses on purpose (the unit checked); the views pass the rest from request.user.
"""
from django import forms
from django.forms import inlineformset_factory
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .. import files, rules
from ..models import (
    Bulletin, CampaignYear, Check, CheckItem, CheckKind, CheckStatus, CheckTemplate, Indicator, ItemKind, Problem,
    ProblemStatus, Role, Unit, User,
)
from ..models.checks import format_points, item_depths
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


PASS_CHOICES = [("1", "达标"), ("0", "不达标")]


class PassButtons(forms.RadioSelect):
    """达标 / 不达标 as two large buttons (Bootstrap's btn-check radios), for a thumb on a phone."""
    template_name = "ledgers/checks/_pass_buttons.html"

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates/ folder, which the form renderer does not search.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


def _number(attrs=None, **extra):
    return forms.NumberInput(attrs={"class": "form-control form-control-lg", **(attrs or {}), **extra})


class ItemRow:
    """One row of the check form: an item (or a group heading) with its inputs, indented by depth."""

    def __init__(self, form, item, depth):
        self.item, self.depth = item, depth
        self.fields = {name: form[f"{name}_{item.pk}"] for name in form.ITEM_INPUTS if f"{name}_{item.pk}" in form.fields}

    def __getitem__(self, name):
        # row.score in a template: the item's input; row.item, row.depth: the attributes (a KeyError
        # lets the template language try them).
        if name in self.fields:
            return self.fields[name]
        raise KeyError(name)

    @property
    def errors(self):
        return [e for field in self.fields.values() for e in field.errors]


class ScoreFieldsMixin:
    """One set of inputs per check item, by its kind: 计分 a big number (0 … 满分); 达标/不达标 and
    一票否决 two large buttons; 扣分 the findings (or the points deducted); 抽查 how many were asked and
    passed; 不适用 where the item allows it; and a photo for an item that fails or loses points."""
    ITEM_INPUTS = ("score", "pass", "findings", "deducted", "asked", "passed", "na", "photo")
    item_photos_field = True

    def add_score_fields(self, items, existing):
        self.items = items
        self.item_depths = item_depths(items)
        for item in items:
            self._add_item_fields(item, existing.get(item.pk))

    def _add_item_fields(self, item, row):
        pk, kind = item.pk, item.kind
        if kind == ItemKind.GROUP:
            return
        if kind == ItemKind.SCORED:
            self.fields[f"score_{pk}"] = forms.DecimalField(
                label=f"{item.title}（满分 {format_points(item.max_points)} 分）",
                required=False, max_digits=5, decimal_places=1, initial=row.score if row else None,
                help_text=item.standard,
                widget=_number({"inputmode": "decimal", "min": 0, "max": format_points(item.max_points), "step": "0.1",
                                "class": "form-control form-control-lg score-input"}),
            )
        elif kind in (ItemKind.PASSFAIL, ItemKind.VETO):
            initial = None if row is None or row.passed is None or row.not_applicable else ("1" if row.passed else "0")
            self.fields[f"pass_{pk}"] = forms.ChoiceField(label=item.title, choices=PASS_CHOICES, required=False,
                                                          initial=initial, widget=PassButtons, help_text=item.standard)
        elif kind == ItemKind.DEDUCTION and item.deduct is not None:
            self.fields[f"findings_{pk}"] = forms.IntegerField(
                label=f"发现几处（{item.rule_text()}）", required=False, min_value=0, max_value=999,
                initial=row.findings if row else None,
                widget=_number({"inputmode": "numeric", "min": 0, "step": 1, "class": "form-control form-control-lg findings-input"}),
                error_messages={"min_value": "发现处数不能为负数。"})
        elif kind == ItemKind.DEDUCTION:
            self.fields[f"deducted_{pk}"] = forms.DecimalField(
                label="扣分（按扣分标准）", required=False, max_digits=5, decimal_places=1, min_value=0,
                initial=row.deducted if row else None,
                widget=_number({"inputmode": "decimal", "min": 0, "step": "0.5", "class": "form-control form-control-lg findings-input"}),
                error_messages={"min_value": "扣分不能为负数。"})
        elif kind == ItemKind.SAMPLING:
            self.fields[f"asked_{pk}"] = forms.IntegerField(
                label="抽查人数", required=False, min_value=1, max_value=999,
                initial=row.asked if row else item.sample_size, widget=_number({"inputmode": "numeric", "min": 1}),
                error_messages={"min_value": "抽查人数至少为 1。"})
            self.fields[f"passed_{pk}"] = forms.IntegerField(
                label="达标人数", required=False, min_value=0, max_value=999, initial=row.sample_passed if row else None,
                widget=_number({"inputmode": "numeric", "min": 0, "class": "form-control form-control-lg sample-passed"}),
                error_messages={"min_value": "达标人数不能为负数。"})
        if item.allow_na:
            self.fields[f"na_{pk}"] = forms.BooleanField(label="不适用", required=False,
                                                         initial=bool(row and row.not_applicable))
        if self.item_photos_field and kind != ItemKind.SCORED:
            self.fields[f"photo_{pk}"] = PhotosField(label="现场照片（不达标或扣分时拍照）", camera=True)

    def clean_scores(self):
        for item in self.items:
            try:
                item.validate_answer(self._answer(item), complete=False)
            except forms.ValidationError as error:
                self.add_error(self._main_field(item), error)

    def _main_field(self, item):
        for name in ("score", "pass", "findings", "deducted", "passed", "asked"):
            if f"{name}_{item.pk}" in self.fields:
                return f"{name}_{item.pk}"
        return None

    def _answer(self, item):
        def value(name):
            return self.cleaned_data.get(f"{name}_{item.pk}")

        choice = value("pass")
        return rules.Answer(score=value("score"), passed=None if choice in (None, "") else choice == "1",
                            findings=value("findings"), deducted=value("deducted"), asked=value("asked"),
                            sample_passed=value("passed"), not_applicable=bool(value("na")))

    def scores(self):
        """{item id: Answer} of every item (groups have none)."""
        return {item.pk: self._answer(item) for item in self.items if not item.is_group}

    def item_photos(self):
        return {item.pk: self.cleaned_data.get(f"photo_{item.pk}") or [] for item in self.items
                if self.cleaned_data.get(f"photo_{item.pk}")}

    def item_rows(self):
        return [ItemRow(self, item, self.item_depths[item.pk]) for item in self.items]

    def score_fields(self):
        return [field for row in self.item_rows() for field in row.fields.values()]


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
        existing = {s.item_id: s for s in self.instance.scores.all()} if self.instance.pk else {}
        self.add_score_fields(list(template.items.all()), existing)

    def clean(self):
        cleaned = super().clean()
        self.clean_scores()
        return cleaned


class CheckCorrectionForm(ScoreFieldsMixin, forms.Form):
    item_photos_field = False
    remarks = forms.CharField(label="检查情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写更正理由。"})

    def __init__(self, *args, check, **kwargs):
        kwargs.setdefault("initial", {"remarks": check.remarks})
        super().__init__(*args, **kwargs)
        existing = {s.item_id: s for s in check.scores.all()}
        self.add_score_fields(list(check.template.items.all()), existing)

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
        fields = ["kind", "parent", "number", "title", "standard", "max_points", "deduct", "deduct_floor",
                  "sample_size", "sample_pass", "allow_na", "indicator", "sort_order"]
        widgets = {"standard": forms.Textarea(attrs={"rows": 2}), "title": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"title": {"required": "请填写检查项目。"}}

    def __init__(self, *args, bureau=None, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = current_indicators(bureau)
        groups = CheckItem.objects.filter(template=template, kind=ItemKind.GROUP) if template and template.pk else \
            CheckItem.objects.none()
        if self.instance.pk:
            groups = groups.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = groups
        self.fields["parent"].empty_label = "（不分组）"
        self.fields["max_points"].required = False
        self.fields["kind"].required = False

    def has_changed(self):
        """A blank new row stays blank (its default kind and points are not something typed)."""
        if self.instance.pk:
            return super().has_changed()
        return any(self[name].value() not in (None, "") for name in ("title", "standard", "max_points", "deduct"))

    def clean_kind(self):
        return self.cleaned_data.get("kind") or ItemKind.SCORED

    def clean_max_points(self):
        value = self.cleaned_data["max_points"]
        if value is not None and value < 0:
            raise forms.ValidationError("满分不能为负数。")
        return value or 0

    def clean(self):
        data = super().clean()
        kind, points = data.get("kind"), data.get("max_points") or 0
        if kind == ItemKind.SCORED and not points:
            self.add_error("max_points", "计分项目的满分必须大于 0。")
        if kind == ItemKind.SAMPLING:
            size, needed = data.get("sample_size"), data.get("sample_pass")
            if needed is not None and size is not None and needed > size:
                self.add_error("sample_pass", f"达标人数不能多于抽查人数（{size} 人）。")
        if kind == ItemKind.DEDUCTION and not points:
            parent = data.get("parent")
            if parent is None or not parent.max_points:
                self.add_error("max_points", "扣分项目须有满分，或归入有分值的分组（从分组的分值扣起）。")
        if kind != ItemKind.DEDUCTION:
            data["deduct"], data["deduct_floor"] = None, False
        if kind != ItemKind.SAMPLING:
            data["sample_size"] = data["sample_pass"] = None
        return data


class BaseCheckItemFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "template": self.instance}


CheckItemFormSet = inlineformset_factory(CheckTemplate, CheckItem, form=CheckItemForm, formset=BaseCheckItemFormSet,
                                         extra=3, can_delete=True, min_num=1, validate_min=True)


class CheckPhotoChoice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, photo):
        return photo.original_name


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

    def __init__(self, *args, user, check=None, score=None, **kwargs):
        if score is not None:
            kwargs.setdefault("initial", {}).update(problem_from_item(score))
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = current_indicators(user.owning_bureau())
        self.fields["unit"].queryset = active_units(user)
        if check is not None:
            del self.fields["unit"]
            photos = check.photos.order_by("pk")
            if photos.exists():
                self.fields["check_photos"] = CheckPhotoChoice(
                    label="督查现场照片（作为整改前照片）", queryset=photos, required=False,
                    initial=[p.pk for p in photos if score is not None and p.item_id == score.item_id])


def problem_from_item(score):
    """The problem a failed or deducted check item suggests: its title and result, its standard,
    its indicator."""
    item = score.item
    result = score.result_text()
    description = f"{item.title}{f'（{result}）' if result else ''}"
    if item.standard:
        description += f"\n标准：{item.standard}"
    return {"description": description, "indicator": item.indicator_id}


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
