"""新建区县: the city's admin creates a district, its office and its first admin in one form
(ledgers.services.units.district_create, one transaction)."""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from ..access import role_required
from ..models import Bureau, Role
from ..services import units as service
from ..services.tasks import MoveRefused


class DistrictCreateForm(forms.Form):
    name = forms.CharField(label="区县教育局名称", max_length=100, help_text="如 漯河市召陵区教育局",
                           error_messages={"required": "请填写区县教育局名称。"})
    short_name = forms.CharField(label="简称", max_length=30, required=False,
                                 help_text="用于排名表，如 召陵区；不填则从名称中取")
    office_name = forms.CharField(label="区县教育局办公室（文明办）单位名称", max_length=100, required=False,
                                  help_text="管理员所在单位；不填则为“简称＋教育局办公室”")
    admin_username = forms.CharField(label="管理员登录用户名", max_length=150,
                                     error_messages={"required": "请填写管理员登录用户名。"})
    admin_name = forms.CharField(label="管理员姓名", max_length=50,
                                 error_messages={"required": "请填写管理员姓名。"})
    admin_password = forms.CharField(label="初始密码", strip=False,
                                     widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
                                     help_text="至少 8 位，不能全是数字；管理员首次登录后须修改",
                                     error_messages={"required": "请填写初始密码。"})
    admin_password2 = forms.CharField(label="再次输入初始密码", strip=False,
                                      widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
                                      error_messages={"required": "请再次输入初始密码。"})

    def clean(self):
        data = super().clean()
        if data.get("admin_password") and data.get("admin_password2") and \
                data["admin_password"] != data["admin_password2"]:
            self.add_error("admin_password2", "两次输入的初始密码不一致。")
        return data


@role_required(Role.ADMIN)
def district_create(request):
    if not request.user.is_city:
        raise PermissionDenied("只有市教育局管理员可以新建区县。")
    form = DistrictCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            district, office, admin = service.district_create(
                user=request.user, name=data["name"], short_name=data["short_name"],
                office_name=data["office_name"], admin_username=data["admin_username"],
                admin_name=data["admin_name"], admin_password=data["admin_password"])
        except ValidationError as refused:
            form.add_error(None, refused)
        except MoveRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已新建{district.name}（{office.name}），管理员 {admin.username} "
                                      "首次登录时须修改初始密码。")
            return redirect("ledgers:district_create")
    districts = Bureau.objects.districts().annotate(
        unit_count=Count("units", filter=Q(units__is_active=True), distinct=True),
        admin_count=Count("units__users", filter=Q(units__users__role=Role.ADMIN, units__users__is_active=True),
                          distinct=True),
    ).order_by("sort_order", "pk")
    return render(request, "ledgers/districts/district_form.html", {"form": form, "districts": districts},
                  status=400 if form.is_bound else 200)
