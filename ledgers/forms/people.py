"""Forms of the bureau's own pages for units, accounts, districts and group robots."""
from django import forms

from ..models import Bureau, Role, Unit, UnitKind, User, Webhook
from ..models.notifications import Flavour
from ..imports.units import SEPARATORS


class UnitForm(forms.ModelForm):
    """单位: kind, 主要负责人, contact, active, and the short names people type (别名)."""

    aliases = forms.CharField(label="别名/简称", required=False, max_length=300,
                              help_text="表格里常写的简称，多个用顿号分隔，如 郾城区一小、一实小")

    class Meta:
        model = Unit
        fields = ["name", "kind", "head_name", "contact_name", "contact_phone", "sort_order", "is_active"]
        error_messages = {"name": {"required": "请填写单位名称。"}, "kind": {"required": "请选择单位类别。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort_order"].required = False
        if self.instance.pk:
            self.initial.setdefault("aliases", "、".join(a.name for a in self.instance.aliases.all()))

    def clean_aliases(self):
        text = self.cleaned_data.get("aliases") or ""
        return [a.strip() for a in SEPARATORS.split(text) if a.strip()]


class UnitFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "单位名称、负责人或联系人"}))
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *UnitKind.choices])
    active = forms.ChoiceField(label="状态", required=False, choices=[("", "启用的"), ("0", "已停用的"), ("all", "全部")])


class AccountForm(forms.Form):
    """A new account (an admin adds a liaison, an inspector, a leader …) or the change of one."""

    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名。"})
    username = forms.CharField(label="登录用户名", max_length=150, required=False,
                               help_text="不填时用手机号，没有手机号则按单位简码和姓名生成")
    phone = forms.CharField(label="手机号", max_length=30, required=False)
    email = forms.EmailField(label="邮箱", required=False, help_text="接收邮件提醒（可不填）",
                             error_messages={"invalid": "邮箱格式不正确。"})
    role = forms.ChoiceField(label="角色", choices=Role.choices, initial=Role.LIAISON)
    unit = forms.ModelChoiceField(label="所属单位", queryset=Unit.objects.none(), empty_label="请选择单位",
                                  error_messages={"required": "请选择所属单位。",
                                                  "invalid_choice": "请从列表中选择本局的单位。"})

    def __init__(self, *args, units, roles=None, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if roles is not None:
            self.fields["role"].choices = [(k, v) for k, v in Role.choices if k in roles]
        if existing is not None:
            del self.fields["username"]  # a login name never changes here

    def clean_phone(self):
        from ..imports.people import PHONE

        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError("手机号格式不正确。")
        return phone.replace(" ", "")

    def clean_username(self):
        from django.contrib.auth.validators import UnicodeUsernameValidator

        username = (self.cleaned_data.get("username") or "").strip()
        if username:
            try:
                UnicodeUsernameValidator()(username)
            except forms.ValidationError:
                raise forms.ValidationError("用户名只能用字母、数字和 @ . + - _。")
            if User.objects.filter(username__iexact=username).exists():
                raise forms.ValidationError(f"用户名“{username}”已被使用，请换一个。")
        return username


class UserFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "姓名、用户名或手机号"}))
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部角色"), *Role.choices])
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    state = forms.ChoiceField(label="状态", required=False, choices=[
        ("", "启用的"), ("locked", "已锁定"), ("must_change", "待修改初始密码"), ("inactive", "已停用"), ("all", "全部")])

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class DistrictForm(forms.ModelForm):
    class Meta:
        model = Bureau
        fields = ["name", "short_name", "head_name", "deputy_head_name"]
        error_messages = {"name": {"required": "请填写区县教育局名称。"}}


class DistrictAdminForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名。"})
    username = forms.CharField(label="登录用户名", max_length=150, required=False, help_text="不填则自动生成")
    phone = forms.CharField(label="手机号", max_length=30, required=False)


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label="Webhook 地址", max_length=500, assume_scheme="https",
                         help_text="群机器人设置中复制的 Webhook 地址（https://qyapi.weixin.qq.com/… 或 https://oapi.dingtalk.com/…）",
                         error_messages={"required": "请粘贴群机器人的 Webhook 地址。", "invalid": "Webhook 地址格式不正确。"})

    class Meta:
        model = Webhook
        fields = ["unit", "flavour", "url", "is_active"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = "（本局工作群）"
        self.fields["flavour"].choices = Flavour.choices


class BureauSettingsForm(forms.ModelForm):
    """本局设置: the bureau's heads (甲方 of the responsibility letters) and the default evidence rule."""

    class Meta:
        model = Bureau
        fields = ["head_name", "deputy_head_name", "evidence_min_photos", "evidence_captions", "caption_elements"]


class YearForm(forms.Form):
    """创建年度 (city-wide: the city's admin): a new year, or the title, semester and 当前 of one."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写年度，如 2027。", "min_value": "年度应在 2000 至 2100 之间。",
                                              "max_value": "年度应在 2000 至 2100 之间。"})
    title = forms.CharField(label="名称", max_length=100, required=False, help_text="如 2027年度文明创建")
    spring_term_end = forms.DateField(label="春季学期截止日期", required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                      help_text="不填为7月31日")
    is_current = forms.BooleanField(label="设为当前年度", required=False)
