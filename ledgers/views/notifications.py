"""消息 (notifications): the user's own messages, unread first; opening one marks it read and
goes to its record; 全部标为已读; and 个人设置 (email address, opt-out of email reminders).

Every user has only their own messages (another's is 404). Marking one's own messages read and
one's own email setting are personal, so leaders may do them too.
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from ..models import Notification, NotificationSettings

PAGE_SIZE = 30


@require_safe
@login_required
def notification_list(request):
    mine = Notification.objects.visible_to(request.user)
    ordered = mine.annotate(unread_first=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1),
                                               output_field=IntegerField())).order_by("unread_first", "-created_at",
                                                                                      "-pk")
    page = Paginator(ordered.select_related("unit"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ledgers/notifications/list.html", {"page": page})


@require_safe
@login_required
def notification_open(request, pk):
    note = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    target = note.url if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) else ""
    return redirect(target or reverse("ledgers:notification_list"))


@require_POST
@login_required
def notification_read_all(request):
    count = Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    messages.success(request, f"已将 {count} 条消息标为已读。" if count else "没有未读消息。")
    return redirect("ledgers:notification_list")


class SettingsForm(forms.Form):
    email = forms.EmailField(label="接收提醒的邮箱", required=False, max_length=254,
                             help_text="留空则只在系统内提醒（右上角铃铛）。",
                             error_messages={"invalid": "请输入正确的邮箱地址，如 name@example.com。"})
    email_opt_out = forms.BooleanField(label="不接收邮件提醒（系统内消息照常显示）", required=False)


@login_required
def notification_settings(request):
    user = request.user
    prefs = NotificationSettings.objects.filter(user=user).first()
    initial = {"email": user.email, "email_opt_out": prefs.email_opt_out if prefs else False}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user.email = form.cleaned_data["email"]
        user.save(update_fields=["email"])
        NotificationSettings.objects.update_or_create(
            user=user, defaults={"email_opt_out": form.cleaned_data["email_opt_out"]})
        messages.success(request, "个人设置已保存。")
        return redirect("ledgers:notification_settings")
    return render(request, "ledgers/notifications/settings.html", {"form": form})
