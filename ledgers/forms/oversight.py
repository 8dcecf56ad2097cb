"""Forms of 领导包抓 · 督导组包督查 and of 问责."""
from django import forms

from ..models import ActionKind, Rhythm, Unit, User
from ..params import SensibleDateField
from .tasks import DateInput, MultipleFileField

KEEP, CLEAR = "", "none"


class GroupForm(forms.Form):
    name = forms.CharField(label="督导组名称", max_length=50, help_text="如 第一督导组",
                           error_messages={"required": "请填写督导组名称。"})
    rhythm = forms.ChoiceField(label="督查频次", choices=Rhythm.choices, initial=Rhythm.WEEKLY,
                               help_text="本组对所包每个单位至少督查一次的周期")
    members = forms.ModelMultipleChoiceField(label="组员", queryset=User.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text="本局督导组（督查）角色的账号")
    sort_order = forms.IntegerField(label="排序", required=False, min_value=0)

    def __init__(self, *args, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = inspectors
        self.fields["members"].label_from_instance = lambda u: f"{u.display_name}（{u.unit.name if u.unit_id else ''}）"


def _choice(label, clear_label, options):
    return forms.ChoiceField(label=label, required=False,
                             choices=[(KEEP, "（不修改）"), (CLEAR, clear_label), *options])


class OversightBulkForm(forms.Form):
    """Give the ticked units a leader and/or a group (or take them away)."""

    units = forms.ModelMultipleChoiceField(queryset=Unit.objects.none(), error_messages={
        "required": "请先勾选单位。", "invalid_choice": "勾选的单位不属于本局。", "invalid_pk_value": "勾选的单位不正确。"})
    leader = forms.ChoiceField(label="包抓领导", required=False)
    group = forms.ChoiceField(label="督导组", required=False)

    def __init__(self, *args, units, leaders, groups, **kwargs):
        # Its own ids: the filter form above it on the page has a 包抓领导 and a 督导组 too, and a label
        # must name this form's control.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.leaders = {str(u.pk): u for u in leaders}
        self.groups = {str(g.pk): g for g in groups}
        self.fields["leader"] = _choice("包抓领导", "（取消包抓领导）", [(k, u.display_name) for k, u in self.leaders.items()])
        self.fields["group"] = _choice("督导组", "（取消督导组）", [(k, g.name) for k, g in self.groups.items()])

    def clean(self):
        data = super().clean()
        if data.get("leader", KEEP) == KEEP and data.get("group", KEEP) == KEEP:
            raise forms.ValidationError("请选择要设置的包抓领导或督导组。")
        return data

    def picked(self, name):
        """KEEP (unchanged), None (cleared) or the chosen leader / group."""
        value = self.cleaned_data.get(name, KEEP)
        if value == KEEP:
            return KEEP
        return None if value == CLEAR else (self.leaders if name == "leader" else self.groups)[value]


class OversightFilterForm(forms.Form):
    q = forms.CharField(label="单位", required=False, max_length=50, widget=forms.TextInput(attrs={"placeholder": "单位名称"}))
    leader = forms.ChoiceField(label="包抓领导", required=False)
    group = forms.ChoiceField(label="督导组", required=False)

    def __init__(self, *args, leaders, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "全部"), (CLEAR, "未设置"), *[(str(u.pk), u.display_name) for u in leaders]]
        self.fields["group"].choices = [("", "全部"), (CLEAR, "未设置"), *[(str(g.pk), g.name) for g in groups]]


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label="处理方式", choices=ActionKind.choices)
    date = SensibleDateField(label="日期", widget=DateInput(), error_messages={"required": "请选择日期。"})
    conducted_by = forms.CharField(label="实施人", max_length=100, help_text="谁谈话、约谈或作出决定，如 局长 李国伟",
                                   error_messages={"required": "请填写实施人。"})
    attendees = forms.CharField(label="参加人员", max_length=300, required=False)
    notes = forms.CharField(label="情况记录", widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": "请填写情况记录。"})
    files = MultipleFileField(label="附件", required=False,
                              help_text="谈话记录、决定文件的照片或扫描件（图片、PDF、Word、Excel），可多选")


class CloseForm(forms.Form):
    note = forms.CharField(label="办结情况", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "请填写办结情况。"})


class RuleForm(forms.Form):
    threshold = forms.IntegerField(label="次数/天数", min_value=1, max_value=365,
                                   error_messages={"required": "请填写次数或天数。", "min_value": "至少为 1。"})
    is_active = forms.BooleanField(label="启用", required=False)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "未办结"), ("open", "待处理"), ("handling", "处理中"), ("closed", "已办结"),
                                        ("all", "全部")])
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    mine = forms.BooleanField(label="只看我包抓的单位", required=False)

    def __init__(self, *args, units, leader=False, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
        if not leader:
            del self.fields["mine"]
